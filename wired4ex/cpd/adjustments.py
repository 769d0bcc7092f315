"""Admin adjustments: positive or negative corrections to a member's ledger, with a reason."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.cpd.errors import CpdError
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.standing import _points_text
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.fields import EARLIEST_DATE, date_problem, is_whole_or_half, latest_activity_date
from wired4ex.learning.models import LedgerEntry

MAX_ADJUSTMENT = Decimal("100")


def _adjustment_title(member: User) -> str:
    """The entry's title in the member's language: it is stored, and printed on statements."""
    with force_locale(member.language):
        return str(_l("Adjustment by the secretariat"))


def adjust(
    member: User,
    admin: User,
    points: Decimal,
    category: str,
    activity_date: date,
    reason: str,
    policy: CpdPolicy,
    at: datetime | None = None,
) -> LedgerEntry:
    """An admin's positive or negative correction, with a mandatory reason; commits.

    Nobody adjusts their own ledger (OwnCaseError); the date runs from 1990 to today.
    """
    refuse_own_case(admin.id, member.id)
    reason = (reason or "").strip()
    if not reason:
        raise CpdError(_l("Give the reason for the adjustment."))
    problem = date_problem(activity_date, EARLIEST_DATE, latest_activity_date())
    if problem:
        raise CpdError(problem)
    if not is_whole_or_half(points) or points == 0 or abs(points) > MAX_ADJUSTMENT:
        raise CpdError(
            _l("Adjust by a non-zero number of whole or half points, at most 100 either way.")
        )
    if category not in policy.categories:
        raise CpdError(_l("Choose a CPD category from the list."))
    at = at or utcnow()
    entry = LedgerEntry(
        user_id=member.id,
        source="adjustment",
        activity_date=activity_date,
        title=_adjustment_title(member),
        provider="HeSMA East Africa",
        category=category,
        points=points,
        competencies=[],
        reason=reason,
        created_by_id=admin.id,
        created_at=at,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "ledger.adjustment",
        "ledger_entry",
        entry.id,
        actor_id=admin.id,
        member_id=member.id,
        after={
            "points": _points_text(points),
            "category": category,
            "date": activity_date.isoformat(),
            "reason": reason,
        },
        at=at,
    )
    db.session.commit()
    return entry
