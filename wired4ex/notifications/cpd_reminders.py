"""The CPD reminders: the cycle ending with a shortfall (at the policy's days) and, once a month
for those who asked, behind pace; the figures come from the one CPD arithmetic."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from wired4ex.admin.reports import category_sums, is_member
from wired4ex.auth.models import User
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.standing import CpdSummary, standing_from_sums
from wired4ex.extensions import db
from wired4ex.notifications.kinds import KINDS, OFF
from wired4ex.notifications.models import NotificationPreference
from wired4ex.notifications.outbox import path_for
from wired4ex.notifications.reminders import CHUNK, Due, Report, give, threshold_for


def shortfall_params(policy: CpdPolicy, summary: CpdSummary, days_left: int) -> dict:
    """What the shortfall mail says: points to go, and how many more still count in each capped
    category whose room is smaller than what is missing ("at most 5 in conferences")."""
    room = []
    for total in summary.categories:
        if total.cap is not None and total.cap - total.counted < summary.still_needed:
            room.append(
                {"code": total.code, "room": str(max(total.cap - total.counted, Decimal(0)))}
            )
    return {
        "cycle": summary.cycle.label,
        "cycle_end": summary.cycle.end.isoformat(),
        "days": days_left,
        "target": str(summary.target),
        "counted": str(summary.counted),
        "still_needed": str(summary.still_needed),
        "expected": str(summary.expected_by_today),
        "room": room,
        "minimums": [total.code for total in summary.unmet_minimums],
    }


def member_chunks(where, after_id: int = 0):
    """Ids and membership categories of active accounts matching `where`, CHUNK at a time."""
    while True:
        rows = db.session.execute(
            sa.select(User.id, User.membership_category)
            .where(User.is_active_account.is_(True), where, User.id > after_id)
            .order_by(User.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield rows
        after_id = rows[-1][0]


def _sums_of(policy, cycle, user_ids) -> dict[int, dict]:
    sums = category_sums(policy, cycle, user_ids)
    found: dict[int, dict] = {}
    for user_id, code, total, allowed in db.session.execute(
        sa.select(sums.c.user_id, sums.c.category, sums.c.total, sums.c.allowed)
    ):
        found.setdefault(user_id, {})[code] = (Decimal(total), Decimal(allowed))
    return found


def _preference_is(kind: str, channel: str, equal: bool = True):
    """Accounts whose choice for a kind is (or is not) a channel: a subquery, the few that chose."""
    chosen = NotificationPreference.channel == channel if equal else \
        NotificationPreference.channel != channel  # fmt: skip
    return sa.select(NotificationPreference.user_id).where(
        NotificationPreference.kind == kind, chosen
    )


def cpd_reminders(policy: CpdPolicy, today: date, report: Report, dry_run: bool) -> None:
    """Members short of their target at one of the policy's days before the cycle ends."""
    cycle = policy.cycle_for(today)
    days_left = (cycle.end - today).days
    threshold = threshold_for(days_left, policy.reminder_days)
    if threshold is None:
        return
    link = path_for("cpd.index")
    with_target = [code for code, target in policy.targets.items() if target is not None]
    where = sa.and_(
        is_member(),
        User.membership_category.in_(with_target),
        User.id.not_in(_preference_is("cpd_shortfall", OFF)),
    )
    for rows in member_chunks(where):
        report.scanned += len(rows)
        sums = _sums_of(policy, cycle, [row[0] for row in rows])
        due = []
        for user_id, category in rows:
            summary = standing_from_sums(policy, sums.get(user_id, {}), category, cycle, today)
            if not summary.target_met:
                due.append(Due(user_id, "cpd_shortfall", threshold, str(cycle.key),
                               shortfall_params(policy, summary, days_left), link))  # fmt: skip
        give(due, today, report, dry_run)


def pace_reminders(policy: CpdPolicy, today: date, report: Report, dry_run: bool) -> None:
    """Once a month, to the members who asked: behind the even pace through the cycle."""
    cycle = policy.cycle_for(today)
    month = today.strftime("%Y-%m")
    opted_in = _preference_is("behind_pace", KINDS["behind_pace"].default, equal=False)
    for rows in member_chunks(User.id.in_(opted_in)):
        sums = _sums_of(policy, cycle, [row[0] for row in rows])
        due = []
        for user_id, category in rows:
            summary = standing_from_sums(policy, sums.get(user_id, {}), category, cycle, today)
            if summary.behind_pace and not summary.target_met:
                params = shortfall_params(policy, summary, (cycle.end - today).days)
                due.append(Due(user_id, "behind_pace", 0, month, params, path_for("cpd.index")))
        give(due, today, report, dry_run)
