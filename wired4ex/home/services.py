"""What the member's home page shows, each figure from the package that owns it."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.certification import services as certification
from wired4ex.certification.models import Certificate
from wired4ex.cpd.glance import Glance, cpd_at_a_glance, glance_cycle
from wired4ex.cpd.policy import Cycle
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.services import MembershipStatus, request_status


@dataclass
class Home:
    learning: learning.Dashboard  # courses in progress and completed, where to resume
    standing: Glance | None  # the current CPD cycle; None before the policy is synced
    renewals: list[Certificate]  # certificates expiring soon
    membership: MembershipStatus  # for the reminder before it lapses (read once per request)


def home(member: User, today: date) -> Home:
    """The member's progress, CPD standing in the current cycle and certificates due for renewal."""
    cycle = glance_cycle(today)
    if cycle is None:
        standing = cpd_at_a_glance(member, today)
        renewals = certification.expiring_certificates(member.id, today)
    else:
        entries, certificates = _entries_and_certificates(member.id, cycle)
        standing = cpd_at_a_glance(member, today, entries)
        renewals = certification.expiring_among(certificates, today)
    return Home(
        learning=learning.dashboard(member.id, today),
        standing=standing,
        renewals=renewals,
        membership=request_status(member),
    )


def _entries_and_certificates(
    user_id: int, cycle: Cycle
) -> tuple[list[LedgerEntry], list[Certificate]]:
    """In one statement: the member's ledger entries in the cycle, oldest first (as
    `cpd.services.ledger_entries` reads them), and the certificates that
    `certification.expiring_certificates` reads. Two rows of a one-column table, each joined
    to one of the two (a row with nothing joined when there is none)."""
    sides = sa.union_all(
        sa.select(sa.literal(1).label("side")), sa.select(sa.literal(2))
    ).subquery()
    in_cycle = sa.and_(
        sides.c.side == 1,
        LedgerEntry.user_id == user_id,
        LedgerEntry.activity_date >= cycle.start,
        LedgerEntry.activity_date <= cycle.end,
    )
    valid = sa.and_(sides.c.side == 2, certification.valid_certificates_of(user_id))
    query = (
        sa.select(LedgerEntry, Certificate)
        .select_from(sides)
        .outerjoin(LedgerEntry, in_cycle)
        .outerjoin(Certificate, valid)
        .order_by(sides.c.side, LedgerEntry.activity_date, LedgerEntry.id, Certificate.id)
    )
    entries: list[LedgerEntry] = []
    certificates: list[Certificate] = []
    for entry, certificate in db.session.execute(query):
        if entry is not None:
            entries.append(entry)
        if certificate is not None:
            certificates.append(certificate)
    return entries, certificates
