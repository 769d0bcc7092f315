"""Notifications that other features call when their events happen, in the event's transaction.

The membership applications call `membership_decided` when an application is approved or
rejected and `membership_info_requested` when the secretariat asks the applicant for more; the
daily reminders give `renewal_due` (one membership at a time: `renewal_due`); the claim workflow
calls `claim_info_requested` when the secretariat asks a member for more information.
"""

from datetime import date

from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.notifications.outbox import notify, path_for


def membership_decided(user: User, application_id: int, approved: bool,
                       number: str | None = None, reason: str | None = None) -> None:  # fmt: skip
    """A membership application approved (with its number) or rejected (with the reason)."""
    notify(user, "membership_decided", str(application_id),
           {"application_id": application_id, "approved": approved, "number": number,
            "reason": reason}, path_for("membership.mine"))  # fmt: skip


def membership_info_requested(user: User, application_id: int, request: str) -> None:
    """The secretariat asks an applicant for more before deciding (each request its own mail)."""
    notify(user, "membership_info_requested", f"{application_id}:{utcnow().isoformat()}",
           {"application_id": application_id, "request": request},
           path_for("membership.mine"))  # fmt: skip


def renewal_due(user: User, membership_id: int, renews_on: date, threshold: int) -> bool:
    """A membership due for renewal (`threshold` days before `renews_on`), recorded with a
    ReminderSent row (kind 'renewal_due', cycle = renews_on) so it is given once; in the current
    transaction. False when it was given before."""
    from wired4ex.notifications.reminders import give, renewal_item
    from wired4ex.timeutil import local_today

    today = local_today()
    item = renewal_item(user.id, membership_id, renews_on, threshold, today)
    return bool(give([item], today, commit=False))


def claim_info_requested(user: User, claim_id: int, version: int, title: str,
                         question: str) -> None:  # fmt: skip
    """The secretariat asks the member for more information about a claim."""
    notify(user, "claim_info_requested", f"{claim_id}:{version}",
           {"claim_id": claim_id, "title": title, "question": question},
           path_for("cpd.claim", claim_id=claim_id))  # fmt: skip
