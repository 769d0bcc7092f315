"""Preferences per kind, mail that cannot be turned off, and the one-click unsubscribe (RFC 8058)
that works without signing in; forged and expired links get a clear page."""

import re
import time

import sqlalchemy as sa
from itsdangerous import TimestampSigner

from tests.conftest import submit
from wired4ex.extensions import db
from wired4ex.notifications.models import MailMessage, Notification, NotificationPreference
from wired4ex.notifications.outbox import notify
from wired4ex.notifications.tokens import unsubscribe_token


def mails():
    return list(db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id)))


def test_in_app_only_sends_no_mail_but_keeps_the_notification(app, client, auth, make_user):
    member = make_user(email="amina@example.org")
    auth.login("amina@example.org")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "CPD cycle ending with points missing" in page
    assert "Password reset" in page  # listed under "always sent", without a choice
    assert 'name="password_reset"' not in page
    response = submit(client, "/notifications/preferences",
                      {"cpd_shortfall": "app", "behind_pace": "email"})  # fmt: skip
    assert response.status_code == 302
    notify(member, "cpd_shortfall", "2026:30", {"days": 30, "still_needed": "12"}, "/cpd/")
    notify(member, "behind_pace", "2026-11", {}, "/cpd/")
    db.session.commit()
    assert [m.kind for m in mails()] == ["behind_pace"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2


def test_required_mail_cannot_be_turned_off_and_unknown_settings_are_refused(
    app, client, auth, make_user
):
    make_user(email="amina@example.org")
    auth.login("amina@example.org")
    refused = submit(client, "/notifications/preferences", {"claim_decided": "app"})
    assert refused.status_code == 400 and "Unknown setting" in refused.get_data(as_text=True)
    wrong = submit(client, "/notifications/preferences", {"cpd_shortfall": "carrier-pigeon"})
    assert wrong.status_code == 400 and "Choose one of the options" in wrong.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


def test_one_click_unsubscribe_from_the_mail_without_signing_in(
    app, client, make_user, outbox, policy
):
    faculty = make_user(email="lecturer@example.org", roles=("member", "faculty"))
    notify(faculty, "draft_returned", "1", {"title": "Budgets"}, None)
    db.session.commit()
    assert [m.status for m in mails()] == ["skipped"]  # the draft does not exist: nothing to say
    notify(faculty, "cpd_shortfall", "2026:30", {"cycle": "2026", "cycle_end": "2026-12-31",
           "days": 30, "target": "40", "counted": "28", "still_needed": "12",
           "room": [{"code": "conference", "room": "5"}], "minimums": []}, "/cpd/")  # fmt: skip
    db.session.commit()
    (mail,) = outbox.messages()
    text = mail.get_content()
    assert "12 points to go" in text
    assert "At most 5 more in Conferences, workshops and seminars still count." in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<http://localhost(/notifications/unsubscribe/\S+)>",
                        mail["List-Unsubscribe"]).group(1)  # fmt: skip
    assert link in text
    page = client.get(link)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(NotificationPreference)) is None
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})  # the mail program, no session
    assert done.status_code == 200
    assert "no longer get e-mails" in done.get_data(as_text=True)
    (choice,) = db.session.scalars(sa.select(NotificationPreference))
    assert (choice.user_id, choice.kind, choice.channel) == (faculty.id, "cpd_shortfall", "app")
    notify(faculty, "cpd_shortfall", "2026:7", {"days": 7}, "/cpd/")
    db.session.commit()
    assert len(outbox.messages()) == 1  # nothing new mailed


def test_forged_and_expired_unsubscribe_links_get_a_clear_page(app, client, make_user, monkeypatch):
    member = make_user(email="amina@example.org")
    good = unsubscribe_token(member.id, "cpd_shortfall")
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    response = client.post(f"/notifications/unsubscribe/{forged}")
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 400 * 86400
    )
    old = unsubscribe_token(member.id, "cpd_shortfall")
    monkeypatch.undo()
    expired = client.get(f"/notifications/unsubscribe/{old}")
    assert expired.status_code == 400
    assert "This unsubscribe link has expired" in expired.get_data(as_text=True)
    required = client.post(
        f"/notifications/unsubscribe/{unsubscribe_token(member.id, 'claim_decided')}"
    )
    assert required.status_code == 400
    assert db.session.scalar(sa.select(NotificationPreference)) is None


def test_swahili_unsubscribe_page(app, client, make_user):
    member = make_user(email="juma@example.org", language="sw")
    token = unsubscribe_token(member.id, "behind_pace")
    page = client.get(f"/notifications/unsubscribe/{token}").get_data(as_text=True)
    assert "Jiondoe" in page  # the recipient's language, though nobody is signed in
