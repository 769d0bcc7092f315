"""Membership through the notification kinds: the applicant told of a request for information
and of the decision (required mail, in their language, in the centre), the secretariat told of a
waiting application (and the digest counts them), renewal reminders at the membership policy's
days, once each however often the job runs (huey's immediate mode: about content)."""

from datetime import date, timedelta

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.extensions import db
from wired4ex.membership.applications import (
    Approval,
    answer_request,
    approve_application,
    reject_application,
    request_information,
)
from wired4ex.membership.models import Membership
from wired4ex.notifications import hooks
from wired4ex.notifications.models import MailMessage, Notification, ReminderSent
from wired4ex.notifications.texts import notification_text


def kinds_of(user_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(Notification.kind).where(Notification.user_id == user_id)
        .order_by(Notification.id)))  # fmt: skip


def mails_of(address: str) -> list[MailMessage]:
    return list(db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == address).order_by(MailMessage.id)))  # fmt: skip


def test_the_applicant_is_told_in_swahili_and_the_secretariat_is_told_of_the_wait(
    app, make_user, applicant, apply, outbox
):
    admin = make_user(email="secretariat@example.org", roles=("member", "admin"), membership=None)
    person = applicant(email="neema@example.org", full_name="Neema Otieno", language="sw")
    application = apply(person, "professional")
    assert kinds_of(admin.id) == ["admin_waiting"]
    assert kinds_of(person.id) == []
    request_information(application, admin, "Tuma barua ya mwajiri wako.")
    asked = outbox.messages()[-1]
    assert asked["To"] == "neema@example.org"
    assert asked["Subject"] == "Ombi lako la uanachama: taarifa zaidi zinahitajika"
    text = asked.get_content()
    assert "Mpendwa Neema Otieno," in text and "Tuma barua ya mwajiri wako." in text
    assert "http://localhost/membership/" in text
    assert asked["List-Unsubscribe"] is None  # required mail: no unsubscribe link
    html = asked.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="sw"' in html and 'style="' in html  # the CSS inlined
    answer_request(application, person, "Nimeambatisha barua.")
    assert kinds_of(admin.id) == ["admin_waiting", "admin_waiting"]  # back in the queue
    membership = approve_application(application.id, admin.id, Approval())
    approved = outbox.messages()[-1]
    assert approved["Subject"] == "Ombi lako la uanachama limeidhinishwa"
    assert membership.number in approved.get_content()
    assert "Ombi lako la uanachama limeidhinishwa. Wewe ni mwanachama" in approved.get_content()
    assert kinds_of(person.id) == ["membership_info_requested", "membership_decided"]
    assert len(mails_of("neema@example.org")) == 2
    with app.test_request_context(headers={"Accept-Language": "en"}):
        latest = db.session.scalar(sa.select(Notification).where(
            Notification.user_id == person.id).order_by(Notification.id.desc()))  # fmt: skip
        assert notification_text(latest) == (
            f"Your membership application has been approved. Your membership number is "
            f"{membership.number}.")  # fmt: skip
    assert db.session.get(User, person.id).unread_notifications == 2


def test_a_rejection_gives_the_reason_once(app, make_user, applicant, apply, outbox):
    admin = make_user(email="secretariat@example.org", roles=("member", "admin"), membership=None)
    person = applicant(email="pro@example.org")
    application = apply(person, "professional")
    reject_application(application, admin, "Not a health manager.")
    (mail,) = [m for m in outbox.messages() if m["To"] == "pro@example.org"]
    assert mail["Subject"] == "Your membership application was not approved"
    assert "Reason: Not a health manager." in mail.get_content()
    assert [m.kind for m in mails_of("pro@example.org")] == ["membership_decided"]


def test_the_digest_counts_waiting_membership_applications(
    app, make_user, applicant, apply, runner, outbox
):
    make_user(email="secretariat@example.org", roles=("member", "admin"), membership=None)
    apply(applicant(email="one@example.org"), "professional")
    apply(applicant(email="two@example.org"), "professional")
    result = runner.invoke(args=["notifications", "send-due", "--today", "2026-06-01"])
    assert "; 1 digest(s)" in result.output, result.output
    (digest,) = [m for m in outbox.messages() if m["To"] == "secretariat@example.org"]
    assert "Membership applications: 2" in digest.get_content()
    assert "http://localhost/admin/memberships/" in digest.get_content()


def _due_on(user, day: date) -> Membership:
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
    membership.renews_on = day
    db.session.commit()
    return membership


def send_due(runner, day: str, *extra) -> str:
    result = runner.invoke(args=["notifications", "send-due", "--today", day, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_renewal_due_at_the_policys_days_once_each_from_two_runs(app, runner, make_user, outbox):
    member = make_user(email="renew@example.org", full_name="Baraka Renew")
    membership = _due_on(member, date(2027, 1, 10))
    make_user(email="later@example.org")  # renews a year from today: nothing yet
    make_user(email="life@example.org", category="honorary")  # never lapses
    assert send_due(runner, "2026-12-01").count("renewal_due") == 0  # 40 days before: not yet
    dry = send_due(runner, "2026-12-20", "--dry-run")
    assert f"would send renewal_due to member {member.id} (2027-01-10, 30 days)" in dry
    assert mails_of("renew@example.org") == []
    for _run in range(2):
        send_due(runner, "2026-12-20")
    (mail,) = [m for m in outbox.messages() if m["To"] == "renew@example.org"]
    assert mail["Subject"] == "Your membership is due for renewal"
    text = mail.get_content()
    assert "Your membership is due for renewal on January 10, 2027; it lapses if it is not " \
        "renewed by April 10, 2027." in text  # fmt: skip
    assert "http://localhost/membership/" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # optional mail
    for day in ("2027-01-04", "2027-01-05"):  # 6 days before: the 7-day threshold, once
        send_due(runner, day)
    records = db.session.scalars(sa.select(ReminderSent).where(ReminderSent.kind == "renewal_due"))
    assert sorted((r.threshold, r.cycle) for r in records) == [(7, "2027-01-10"),
                                                                (30, "2027-01-10")]  # fmt: skip
    assert len(mails_of("renew@example.org")) == 2
    assert kinds_of(member.id) == ["renewal_due", "renewal_due"]
    # Renewed: the next renewal date is a new cycle; the hook says a given reminder is not again.
    assert hooks.renewal_due(member, membership.id, date(2027, 1, 10), 7) is False
    later = date.today() + timedelta(days=20)
    _due_on(member, later)
    assert hooks.renewal_due(member, membership.id, later, 30) is True
    db.session.commit()
    assert len(mails_of("renew@example.org")) == 3


def test_a_renewal_reminder_for_a_membership_renewed_meanwhile_is_skipped(
    app, make_user, outbox, caplog
):
    member = make_user(email="paid@example.org")
    membership = _due_on(member, date.today() + timedelta(days=10))
    from wired4ex.notifications.reminders import renewal_item

    item = renewal_item(member.id, membership.id, membership.renews_on, 30, date.today())
    membership.renews_on = membership.renews_on + timedelta(days=365)  # renewed in the same day
    from wired4ex.notifications.reminders import give

    give([item], date.today())
    (message,) = mails_of("paid@example.org")
    assert message.status == "skipped" and "renewed" in message.last_error
    assert outbox.messages() == []
