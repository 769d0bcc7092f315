"""Reminders: who needs which one today, found by a scan in chunks (flat memory for any number of
members), each recorded once per (member, kind, threshold, cycle) so a second run sends nothing.

`send_due(today)` runs in the daily job and in `flask notifications send-due`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from wired4ex.admin.reports import category_sums, is_member
from wired4ex.auth.models import User
from wired4ex.certification.models import Certificate
from wired4ex.cpd.policy import CpdPolicy, PolicyMissing, load_policy
from wired4ex.cpd.standing import CpdSummary, standing_from_sums
from wired4ex.extensions import db
from wired4ex.notifications.kinds import KINDS, OFF
from wired4ex.notifications.models import NotificationPreference, ReminderSent
from wired4ex.notifications.outbox import notify, path_for

CHUNK = 1000
CERTIFICATE_DAYS = (90, 30)
EXPIRED_WITHIN_DAYS = 30  # an expiry older than this is not announced any more


@dataclass
class Due:
    user_id: int
    kind: str
    threshold: int
    cycle: str
    params: dict
    link: str | None = None


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    scanned: int = 0

    def add(self, due: Due) -> None:
        self.counts[due.kind] = self.counts.get(due.kind, 0) + 1
        self.lines.append(f"{due.kind} to member {due.user_id} ({due.cycle}, {due.threshold} days)")


def threshold_for(days_left: int, thresholds) -> int | None:
    """The nearest threshold reached: 20 days left with (90, 30, 7) gives 30; None before 90."""
    reached = [days for days in thresholds if days_left <= days]
    return min(reached) if reached else None


def _already(user_ids, kind: str) -> set[tuple]:
    """(user, threshold, cycle) already recorded for these members and kind."""
    if not user_ids:
        return set()
    rows = db.session.execute(
        sa.select(ReminderSent.user_id, ReminderSent.threshold, ReminderSent.cycle).where(
            ReminderSent.kind == kind, ReminderSent.user_id.in_(user_ids)
        )
    )
    return {tuple(row) for row in rows}


def _give(due: list[Due], today: date, report: Report, dry_run: bool) -> None:
    """Record and send a chunk of reminders, in one transaction (the record and the outbox rows
    commit together, so a crash sends nothing twice and loses nothing)."""
    if not due:
        return
    seen = set()
    for kind in {d.kind for d in due}:
        ids = [d.user_id for d in due if d.kind == kind]
        seen |= {(kind, *row) for row in _already(ids, kind)}
    fresh = [d for d in due if (d.kind, d.user_id, d.threshold, d.cycle) not in seen]
    for item in fresh:
        report.add(item)
    if dry_run or not fresh:
        return
    users = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User).where(User.id.in_({d.user_id for d in fresh}))
        )
    }
    chosen = {
        (user_id, kind): channel
        for user_id, kind, channel in db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.kind,
                      NotificationPreference.channel)
            .where(NotificationPreference.user_id.in_(users))
        )
    }  # fmt: skip
    with db.session.no_autoflush:  # one flush per mail, not one per query
        for item in fresh:
            db.session.add(ReminderSent(user_id=item.user_id, kind=item.kind, cycle=item.cycle,
                                        threshold=item.threshold, sent_on=today))  # fmt: skip
            kind = KINDS[item.kind]
            channel = chosen.get((item.user_id, item.kind))
            notify(users[item.user_id], item.kind, f"{item.cycle}:{item.threshold}", item.params,
                   item.link, channel if channel in kind.choices else kind.default)  # fmt: skip
    db.session.commit()


# -- certificates --------------------------------------------------------------------------------


def certificate_reminders(today: date, report: Report, dry_run: bool) -> None:
    """Valid certificates expiring within 90 or 30 days, and those that expired lately."""
    horizon = today + timedelta(days=max(CERTIFICATE_DAYS))
    since = today - timedelta(days=EXPIRED_WITHIN_DAYS)
    query = (
        sa.select(Certificate.id, Certificate.user_id, Certificate.code, Certificate.expires_on)
        .where(Certificate.status == "valid", Certificate.expires_on.between(since, horizon))
        .order_by(Certificate.id)
    )
    due = []
    for certificate_id, user_id, code, expires_on in db.session.execute(query):
        days_left = (expires_on - today).days
        link = path_for("certification.index")
        if days_left < 0:
            due.append(Due(user_id, "certificate_expired", 0, code,
                           {"certificate_id": certificate_id}, link))  # fmt: skip
        else:
            threshold = threshold_for(days_left, CERTIFICATE_DAYS)
            due.append(Due(user_id, "certificate_expiring", threshold, code,
                           {"certificate_id": certificate_id, "days": days_left}, link))  # fmt: skip
        if len(due) >= CHUNK:
            _give(due, today, report, dry_run)
            due = []
    _give(due, today, report, dry_run)


# -- CPD ------------------------------------------------------------------------------------------


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


def member_chunks(after_id: int = 0):
    """Ids and membership categories of active members, CHUNK at a time (keyset pages)."""
    while True:
        rows = db.session.execute(
            sa.select(User.id, User.membership_category)
            .where(User.is_active_account.is_(True), is_member(), User.id > after_id)
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


def cpd_reminders(policy: CpdPolicy, today: date, report: Report, dry_run: bool) -> None:
    """Members short of their target at one of the policy's days before the cycle ends."""
    cycle = policy.cycle_for(today)
    days_left = (cycle.end - today).days
    threshold = threshold_for(days_left, policy.reminder_days)
    if threshold is None:
        return
    link = path_for("cpd.index")
    opted_out = _opted_out("cpd_shortfall")
    for rows in member_chunks():
        report.scanned += len(rows)
        ids = [user_id for user_id, category in rows if policy.target_for(category) is not None]
        sums = _sums_of(policy, cycle, ids) if ids else {}
        due = []
        for user_id, category in rows:
            if policy.target_for(category) is None or user_id in opted_out:
                continue
            summary = standing_from_sums(policy, sums.get(user_id, {}), category, cycle, today)
            if not summary.target_met:
                due.append(Due(user_id, "cpd_shortfall", threshold, str(cycle.key),
                               shortfall_params(policy, summary, days_left), link))  # fmt: skip
        _give(due, today, report, dry_run)


def _opted_out(kind: str) -> set[int]:
    """Members who turned a kind off entirely (the few that did, not everyone)."""
    return set(
        db.session.scalars(
            sa.select(NotificationPreference.user_id).where(
                NotificationPreference.kind == kind, NotificationPreference.channel == OFF
            )
        )
    )


def pace_reminders(policy: CpdPolicy, today: date, report: Report, dry_run: bool) -> None:
    """Once a month, to the members who asked: behind the even pace through the cycle."""
    cycle = policy.cycle_for(today)
    month = today.strftime("%Y-%m")
    opted_in = sa.select(NotificationPreference.user_id).where(
        NotificationPreference.kind == "behind_pace",
        NotificationPreference.channel != KINDS["behind_pace"].default,
    )
    after = 0
    while True:
        rows = db.session.execute(
            sa.select(User.id, User.membership_category)
            .where(User.id.in_(opted_in), User.id > after, User.is_active_account.is_(True))
            .order_by(User.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        after = rows[-1][0]
        sums = _sums_of(policy, cycle, [row[0] for row in rows])
        due = []
        for user_id, category in rows:
            summary = standing_from_sums(policy, sums.get(user_id, {}), category, cycle, today)
            if summary.behind_pace and not summary.target_met:
                params = shortfall_params(policy, summary, (cycle.end - today).days)
                due.append(Due(user_id, "behind_pace", 0, month, params, path_for("cpd.index")))
        _give(due, today, report, dry_run)


def send_due(today: date, dry_run: bool = False) -> Report:
    """Every reminder due today (certificates, CPD shortfall, behind pace); with dry_run, only
    what would be sent."""
    report = Report()
    certificate_reminders(today, report, dry_run)
    try:
        policy = load_policy()
    except PolicyMissing:
        report.lines.append("no CPD policy synced: CPD reminders skipped")
        return report
    cpd_reminders(policy, today, report, dry_run)
    pace_reminders(policy, today, report, dry_run)
    return report
