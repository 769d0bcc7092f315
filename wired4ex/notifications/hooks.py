"""Notifications that other features call when their events happen, in the event's transaction.

The membership records (issue 17) call `membership_decided` when an application is decided and
`renewal_due` from their renewal scan; the claim workflow calls `claim_info_requested` when the
secretariat asks a member for more information. Their mails and texts are ready.
"""

from datetime import date

from wired4ex.auth.models import User
from wired4ex.notifications.outbox import notify, path_for


def membership_decided(user: User, application_id: int, approved: bool,
                       number: str | None = None, reason: str | None = None) -> None:  # fmt: skip
    """A membership application approved (with its number) or rejected (with the reason)."""
    notify(user, "membership_decided", str(application_id),
           {"application_id": application_id, "approved": approved, "number": number,
            "reason": reason}, path_for("home.dashboard"))  # fmt: skip


def renewal_due(user: User, membership_id: int, renews_on: date, threshold: int) -> None:
    """A membership due for renewal (`threshold` days before `renews_on`); record it with a
    ReminderSent row (kind 'renewal_due', cycle = renews_on) so it is sent once."""
    notify(user, "renewal_due", f"{membership_id}:{renews_on.isoformat()}:{threshold}",
           {"renews_on": renews_on.isoformat(), "days": threshold}, path_for("home.dashboard"))  # fmt: skip


def claim_info_requested(user: User, claim_id: int, version: int, title: str,
                         question: str) -> None:  # fmt: skip
    """The secretariat asks the member for more information about a claim."""
    notify(user, "claim_info_requested", f"{claim_id}:{version}",
           {"claim_id": claim_id, "title": title, "question": question},
           path_for("cpd.claim", claim_id=claim_id))  # fmt: skip
