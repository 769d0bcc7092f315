"""What the member's home page shows, each figure from the package that owns it."""

from dataclasses import dataclass
from datetime import date

from wired4ex.auth.models import User
from wired4ex.certification import services as certification
from wired4ex.certification.models import Certificate
from wired4ex.cpd.glance import Glance, cpd_at_a_glance
from wired4ex.learning import services as learning
from wired4ex.membership.services import MembershipStatus, request_status


@dataclass
class Home:
    learning: learning.Dashboard  # courses in progress and completed, where to resume
    standing: Glance | None  # the current CPD cycle; None before the policy is synced
    renewals: list[Certificate]  # certificates expiring soon
    membership: MembershipStatus  # for the reminder before it lapses (read once per request)


def home(member: User, today: date) -> Home:
    """The member's progress, CPD standing in the current cycle and certificates due for renewal."""
    return Home(
        learning=learning.dashboard(member.id, today),
        standing=cpd_at_a_glance(member, today),
        renewals=certification.expiring_certificates(member.id, today),
        membership=request_status(member),
    )
