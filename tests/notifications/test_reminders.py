"""Reminders: found by the daily job or `flask notifications send-due`, one per (member, kind,
threshold, cycle) however often it runs; the CPD shortfall figures come from the one CPD
arithmetic."""

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from wired4ex.certification.models import Certificate
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.notifications.models import MailMessage, NotificationPreference, ReminderSent
from wired4ex.notifications.reminders import threshold_for
from wired4ex.notifications.tasks import at_reminder_time


def earn(user, category, *points, day=date(2026, 5, 1)):
    for value in points:
        db.session.add(LedgerEntry(user_id=user.id, source="module", category=category,
                                   points=Decimal(str(value)), activity_date=day, title="Activity",
                                   provider="Provider"))  # fmt: skip
    db.session.commit()


def sent(kind=None):
    query = sa.select(MailMessage).order_by(MailMessage.id)
    if kind:
        query = query.where(MailMessage.kind == kind)
    return list(db.session.scalars(query))


def test_twelve_points_short_thirty_days_before_the_end_gets_one_reminder_from_two_runs(
    app, runner, make_user, outbox, policy
):
    short = make_user(email="short@example.org", full_name="Amina Short")
    earn(short, "conference", 10, 5)
    earn(short, "structured", 10, 1)
    earn(short, "association", 2)
    done = make_user(email="done@example.org")
    earn(done, "structured", 10, 10, 10, 10)
    earn(done, "association", 2)
    make_user(email="honorary@example.org", category="honorary")
    dry = runner.invoke(args=["notifications", "send-due", "--today", "2026-12-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would send cpd_shortfall to member {short.id} (2026, 30 days)" in dry.output
    assert "would send 1 reminder(s)" in dry.output
    assert sent() == [] and db.session.scalar(sa.select(ReminderSent)) is None
    for _run in range(2):
        result = runner.invoke(args=["notifications", "send-due", "--today", "2026-12-01"])
        assert result.exit_code == 0, result.output
    assert "queued 0 reminder(s)" in result.output
    (mail,) = outbox.messages()
    assert mail["To"] == "short@example.org"
    assert mail["Subject"] == "Your CPD cycle ends in 30 days: 12 points to go"
    text = mail.get_content()
    assert "You have 28 counted points of 40: 12 points to go." in text
    assert "At most 5 more in Conferences, workshops and seminars still count." in text
    (record,) = db.session.scalars(sa.select(ReminderSent))
    assert (record.user_id, record.kind, record.threshold, record.cycle) == (
        short.id, "cpd_shortfall", 30, "2026")  # fmt: skip
    # A week later the 7-day threshold is new: one more.
    runner.invoke(args=["notifications", "send-due", "--today", "2026-12-25"])
    assert [m.idempotency_key.split(":")[2] for m in sent("cpd_shortfall")] == ["30", "7"]


def test_nothing_before_the_first_threshold(app, runner, make_user, policy):
    make_user(email="short@example.org")
    result = runner.invoke(args=["notifications", "send-due", "--today", "2026-09-01"])
    assert "queued 0 reminder(s)" in result.output and sent() == []


def test_certificate_expiry_at_ninety_and_thirty_days_then_expired(app, runner, make_user):
    holder = make_user(email="holder@example.org")
    db.session.add(Certificate(code="ABCDEFGHJKLM", user_id=holder.id, programme_code="CHM1",
                               programme_name="Certified Health Manager", level=1,
                               holder_name="Holder", criteria="", issued_on=date(2024, 3, 31),
                               expires_on=date(2026, 3, 31)))  # fmt: skip
    db.session.commit()
    for day in ("2025-12-20", "2026-01-15", "2026-03-05", "2026-03-20", "2026-04-02", "2026-04-03"):
        runner.invoke(args=["notifications", "send-due", "--today", day])
    kinds = [(m.kind, m.params.get("days")) for m in sent()]
    assert kinds == [("certificate_expiring", 75), ("certificate_expiring", 26),
                     ("certificate_expired", None)]  # fmt: skip


def test_behind_pace_is_monthly_and_only_for_those_who_asked(app, runner, make_user, policy):
    asked = make_user(email="asked@example.org")
    make_user(email="silent@example.org")
    db.session.add(NotificationPreference(user_id=asked.id, kind="behind_pace", channel="email"))
    db.session.commit()
    for day in ("2026-07-01", "2026-07-15", "2026-08-01"):
        runner.invoke(args=["notifications", "send-due", "--today", day])
    assert [(m.to_address, m.kind) for m in sent()] == [
        ("asked@example.org", "behind_pace"), ("asked@example.org", "behind_pace")]  # fmt: skip


def test_thresholds_and_the_configured_local_time(app):
    assert threshold_for(100, (90, 30, 7)) is None
    assert threshold_for(90, (90, 30, 7)) == 90
    assert threshold_for(20, (90, 30, 7)) == 30
    assert threshold_for(0, (90, 30, 7)) == 7
    # 07:00 in Nairobi is 04:00 UTC (huey's clock is UTC).
    assert at_reminder_time(datetime(2026, 12, 1, 4, 0, tzinfo=UTC).replace(tzinfo=None))
    assert not at_reminder_time(datetime(2026, 12, 1, 7, 0))


def test_a_revoked_certificate_is_mailed_to_its_holder_in_their_language(app, make_user, outbox):
    from wired4ex.certification.services import revoke_certificate

    holder = make_user(email="juma@example.org", language="sw")
    admin = make_user(email="admin@example.org", roles=("member", "admin"))
    certificate = Certificate(code="ABCDEFGHJKLN", user_id=holder.id, programme_code="CHM1",
                              programme_name="Certified Health Manager", level=1,
                              holder_name="Juma", criteria="", issued_on=date(2025, 3, 31),
                              expires_on=date(2027, 3, 31))  # fmt: skip
    db.session.add(certificate)
    db.session.commit()
    revoke_certificate(certificate, admin, "Issued in error.")
    (mail,) = outbox.messages()
    assert mail["Subject"] == "Cheti chako cha Certified Health Manager kimebatilishwa"
    assert "Issued in error." in mail.get_content() and "ABCD-EFGH-JKLN" in mail.get_content()


def test_the_daily_task_gives_the_reminders_and_the_digest(app, make_user, policy):
    from wired4ex.notifications.tasks import daily_reminders

    make_user(email="member@example.org")
    summary = daily_reminders.call_local()
    assert summary["digests"] == 0 and summary["scanned"] >= 0
