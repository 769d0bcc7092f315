"""Reminders: who needs which one today, found by a scan in chunks (flat memory for any number of
members), each recorded once per (member, kind, threshold, cycle) so a second run sends nothing.

`send_due(today)` runs in the daily job and in `flask notifications send-due`. A chunk's reminders
are written together (`give`): the records, the notifications and the outbox rows inserted many at
a time in one transaction, so a crash sends nothing twice and loses nothing.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.certification.models import Certificate
from wired4ex.extensions import db
from wired4ex.notifications.kinds import KINDS
from wired4ex.notifications.models import NotificationPreference, ReminderSent
from wired4ex.notifications.outbox import Notice, Recipient, notify_many, path_for

log = logging.getLogger(__name__)
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
    key: str | None = None  # the mail's event key; default "cycle:threshold"

    @property
    def record(self) -> tuple:
        return (self.kind, self.user_id, self.threshold, self.cycle)


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


def _fresh(due: list[Due]) -> list[Due]:
    """The reminders of a chunk not recorded yet (one query per kind), each once."""
    seen = set()
    for kind in {d.kind for d in due}:
        ids = {d.user_id for d in due if d.kind == kind}
        seen |= {
            (kind, *row)
            for row in db.session.execute(
                sa.select(ReminderSent.user_id, ReminderSent.threshold, ReminderSent.cycle).where(
                    ReminderSent.kind == kind, ReminderSent.user_id.in_(ids)
                )
            )
        }
    fresh = {}
    for item in due:
        if item.record not in seen:
            fresh.setdefault(item.record, item)
    return list(fresh.values())


def _write(fresh: list[Due], today: date) -> None:
    """The records, notifications and mails of a chunk, a few statements in all."""
    ids = {d.user_id for d in fresh}
    recipients = {
        row.id: Recipient(row.id, row.email, row.language)
        for row in db.session.execute(
            sa.select(User.id, User.email, User.language).where(User.id.in_(ids))
        )
    }
    chosen = {
        (user_id, kind): channel
        for user_id, kind, channel in db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.kind,
                      NotificationPreference.channel)
            .where(NotificationPreference.user_id.in_(ids),
                   NotificationPreference.kind.in_({d.kind for d in fresh}))
        )
    }  # fmt: skip
    db.session.execute(
        sa.insert(ReminderSent),
        [{"user_id": d.user_id, "kind": d.kind, "threshold": d.threshold, "cycle": d.cycle,
          "sent_on": today} for d in fresh],
    )  # fmt: skip
    notices = []
    for item in fresh:
        kind = KINDS[item.kind]
        channel = chosen.get((item.user_id, item.kind))
        notices.append(Notice(item.user_id, item.kind, item.key or f"{item.cycle}:{item.threshold}",
                              item.params, item.link,
                              channel if channel in kind.choices else kind.default))  # fmt: skip
    notify_many(notices, recipients)


def give(due: list[Due], today: date, report: Report | None = None, dry_run: bool = False,
         commit: bool = True) -> list[Due]:  # fmt: skip
    """Record and send a chunk of reminders (those not given before); commits unless told not
    to. A parallel run that recorded some of them first: the chunk is read again, once."""
    if not due:
        return []
    for attempt in (1, 2):
        fresh = _fresh(due)
        if dry_run or not fresh:
            break
        try:
            with db.session.begin_nested():
                _write(fresh, today)
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise
            log.info("Reminders recorded by a parallel run: reading the chunk again")
            continue
        if commit:
            db.session.commit()
        break
    for item in fresh:
        if report is not None:
            report.add(item)
    return fresh


def _pages(query, key_column):
    """The rows of a query, CHUNK at a time, by keyset pages on `key_column` (its first column)."""
    after = 0
    while True:
        rows = db.session.execute(query.where(key_column > after).limit(CHUNK)).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


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
    link = path_for("certification.index")
    for rows in _pages(query, Certificate.id):
        due = []
        for certificate_id, user_id, code, expires_on in rows:
            days_left = (expires_on - today).days
            if days_left < 0:
                due.append(Due(user_id, "certificate_expired", 0, code,
                               {"certificate_id": certificate_id}, link))  # fmt: skip
            else:
                threshold = threshold_for(days_left, CERTIFICATE_DAYS)
                due.append(Due(user_id, "certificate_expiring", threshold, code,
                               {"certificate_id": certificate_id, "days": days_left}, link))  # fmt: skip
        give(due, today, report, dry_run)


# -- membership renewals --------------------------------------------------------------------------


def renewal_item(user_id: int, membership_id: int, renews_on: date, threshold: int,
                 today: date) -> Due:  # fmt: skip
    """The reminder that a membership is due for renewal (recorded with cycle = the date)."""
    return Due(user_id, "renewal_due", threshold, renews_on.isoformat(),
               {"membership_id": membership_id, "renews_on": renews_on.isoformat(),
                "days": (renews_on - today).days},
               path_for("membership.mine"), key=f"{membership_id}:{renews_on.isoformat()}:{threshold}")  # fmt: skip


def renewal_reminders(today: date, report: Report, dry_run: bool) -> None:
    """Memberships whose renewal date is one of the membership policy's days away (or nearer)."""
    from wired4ex.membership.models import Membership
    from wired4ex.membership.policy import MembershipPolicyMissing, load_membership_policy

    try:
        days = load_membership_policy().reminder_days
    except MembershipPolicyMissing:
        report.lines.append("no membership policy: renewal reminders skipped")
        return
    query = (
        sa.select(Membership.id, Membership.user_id, Membership.renews_on)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.renews_on.between(today, today + timedelta(days=max(days))),
            User.is_active_account.is_(True),
        )
        .order_by(Membership.id)
    )
    for rows in _pages(query, Membership.id):
        due = [
            renewal_item(user_id, membership_id, renews_on,
                         threshold_for((renews_on - today).days, days), today)
            for membership_id, user_id, renews_on in rows
        ]  # fmt: skip
        give(due, today, report, dry_run)


def send_due(today: date, dry_run: bool = False) -> Report:
    """Every reminder due today (certificates, membership renewals, CPD shortfall, behind pace);
    with dry_run, only what would be sent."""
    from wired4ex.cpd.policy import PolicyMissing, load_policy
    from wired4ex.notifications.cpd_reminders import cpd_reminders, pace_reminders

    report = Report()
    certificate_reminders(today, report, dry_run)
    renewal_reminders(today, report, dry_run)
    try:
        policy = load_policy()
    except PolicyMissing:
        report.lines.append("no CPD policy synced: CPD reminders skipped")
        return report
    cpd_reminders(policy, today, report, dry_run)
    pace_reminders(policy, today, report, dry_run)
    return report
