"""Nothing lost: mail written with its event, delivered by the real consumer to a real SMTP
server, retried while the server is down, each mail once (SqliteHuey and Redis)."""

import time

import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.extensions import db
from wired4ex.notifications.models import MailMessage


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # read what the workers committed
        if condition():
            return True
        time.sleep(0.2)
    return False


def statuses():
    db.session.rollback()
    return sorted(db.session.scalars(sa.select(MailMessage.status)))


def test_mail_waits_for_the_smtp_server_and_arrives_once(
    delivery_app,
    consumer,
    smtp,
    make_user,
    make_claim,
):
    make_user(email="secretariat@example.org", roles=("member", "admin"), full_name="Asha Admin")
    admin = delivery_app.test_client()
    submit(admin, "/login", {"email": "secretariat@example.org", "password": PASSWORD})
    claims = [make_claim(make_user(email=f"member{n}@example.org")) for n in range(5)]
    smtp.stop()
    for claim in claims:
        response = submit(admin, f"/cpd/review/{claim.id}",
                          {"decision": "approve", "points_approved": "8", "reason": ""})  # fmt: skip
        assert response.status_code == 302  # answered without waiting for the server
    assert wait_until(lambda: statuses().count("retrying") == 5), statuses()
    smtp.start()
    mails = smtp.wait_for(5)
    time.sleep(3)  # a duplicate would arrive within the next retry
    mails = smtp.mails
    assert sorted(rcpt for rcpt, _mail in mails) == [(f"member{n}@example.org",) for n in range(5)]
    assert all("approved" in mail["Subject"] for _rcpt, mail in mails)
    assert wait_until(lambda: statuses() == ["sent"] * 5), statuses()


def test_a_mail_is_retried_then_failed_and_an_admin_resends_it(
    delivery_app,
    consumer,
    smtp,
    make_user,
    policy,
):
    from wired4ex.notifications.outbox import queue_mail

    member = make_user(email="amina@example.org")
    smtp.stop()
    queue_mail(member, "password_reset", "once")
    db.session.commit()
    assert wait_until(lambda: statuses() == ["failed"], timeout=90), statuses()
    message = db.session.scalar(sa.select(MailMessage))
    assert message.attempts == 6 and "Connection refused" in (message.last_error or "")
    make_user(email="secretariat@example.org", roles=("member", "admin"))
    admin = delivery_app.test_client()
    submit(admin, "/login", {"email": "secretariat@example.org", "password": PASSWORD})
    page = admin.get("/admin/messages?status=failed").get_data(as_text=True)
    assert "amina@example.org" in page and "Resend" in page
    assert "Mails not delivered" in admin.get("/admin/dashboard").get_data(as_text=True)
    smtp.start()
    response = submit(admin, f"/admin/messages/{message.id}/resend", {})
    assert response.status_code == 302
    (mail,) = [mail for _rcpt, mail in smtp.wait_for(1)]
    assert "/password/reset/" in mail.get_content()
    assert wait_until(lambda: statuses() == ["sent"]), statuses()


def test_the_same_event_queued_twice_is_one_mail(delivery_app, consumer, smtp, make_user):
    from wired4ex.notifications.outbox import queue_mail

    member = make_user(email="amina@example.org")
    assert queue_mail(member, "password_reset", "event-1") is not None
    assert queue_mail(member, "password_reset", "event-1") is None
    db.session.commit()
    from wired4ex.notifications.tasks import deliver_mail

    message_id = db.session.scalar(sa.select(MailMessage.id))
    for _ in range(3):  # handed over again, as the relay would after a lost timer
        deliver_mail(message_id)
    assert wait_until(lambda: statuses() == ["sent"]), statuses()
    time.sleep(1)
    assert len(smtp.mails) == 1


def test_the_relay_hands_over_what_was_never_queued_and_flags_interrupted_sends(
    delivery_app, consumer, smtp, make_user
):
    from datetime import timedelta

    from wired4ex.dbtypes import utcnow
    from wired4ex.notifications.models import MailMessage as Mail
    from wired4ex.notifications.outbox import PENDING, queue_mail
    from wired4ex.notifications.tasks import relay_mail

    member = make_user(email="amina@example.org")
    queue_mail(member, "password_reset", "lost")
    db.session.info.pop(PENDING)  # as if the process died between the commit and the hand-over
    stuck = queue_mail(member, "registration_attempt", "stuck")
    db.session.info.pop(PENDING)
    stuck.status, stuck.next_attempt_at = "sending", utcnow() - timedelta(hours=1)
    db.session.commit()
    relay_mail()  # the minute's periodic job
    assert wait_until(lambda: statuses() == ["failed", "sent"]), statuses()
    assert len(smtp.wait_for(1)) == 1
    flagged = db.session.scalar(sa.select(Mail).where(Mail.status == "failed"))
    assert flagged.kind == "registration_attempt" and "may have gone out" in flagged.last_error


def test_a_days_reminders_reach_the_server_through_the_queue_once(
    delivery_app, consumer, smtp, make_user, policy
):
    """The daily reminders hand their mails over as one batch job; the worker gives each mail a
    job of its own; a second run the same day adds nothing."""
    from datetime import date

    from wired4ex.notifications.reminders import send_due

    for n in range(3):
        make_user(email=f"short{n}@example.org")  # nothing earned: 40 points to go
    smtp.stop()
    first = send_due(date(2026, 12, 1))
    assert first.counts == {"cpd_shortfall": 3}
    assert wait_until(lambda: statuses().count("retrying") == 3), statuses()
    smtp.start()
    smtp.wait_for(3)
    assert send_due(date(2026, 12, 1)).counts == {}
    time.sleep(3)  # a duplicate would arrive within the next retry
    assert sorted(rcpt for rcpt, _mail in smtp.mails) == [
        (f"short{n}@example.org",) for n in range(3)
    ]
    assert all("40 points to go" in mail["Subject"] for _rcpt, mail in smtp.mails)
    assert wait_until(lambda: statuses() == ["sent"] * 3), statuses()
