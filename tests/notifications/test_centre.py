"""The notification centre: what a decision leaves in the app, the header's unread count, read
and unread, links, the API list, and mail content (huey's immediate mode: about content)."""

import re

import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.auth.models import User
from wired4ex.cpd import services
from wired4ex.extensions import db
from wired4ex.notifications.models import MailMessage, Notification


def approve(claim, admin, points="8", reason=""):
    return services.decide_claim(
        claim, admin, services.Decision(approve=True, points=__import__("decimal").Decimal(points),
                                        reason=reason))  # fmt: skip


def test_a_decision_is_a_notification_a_mail_and_the_unread_count(
    app,
    client,
    auth,
    make_user,
    make_claim,
    outbox,
):
    member = make_user(email="amina@example.org", full_name="Amina Odhiambo")
    admin = make_user(email="admin@example.org", roles=("member", "admin"))
    claim = make_claim(member)
    approve(claim, admin, points="5", reason="Day two was a site visit.")
    (note,) = db.session.scalars(sa.select(Notification).where(Notification.user_id == member.id))
    assert note.kind == "claim_decided" and note.link == f"/cpd/claims/{claim.id}"
    db.session.expire_all()
    assert db.session.get(User, member.id).unread_notifications == 1
    (mail,) = outbox.messages()
    assert mail["Subject"] == "Your CPD claim has been approved with fewer points"
    assert "You claimed 8 points." in mail.get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert 'style="' in html and "<style" not in html  # the layout's CSS is inlined
    assert f"http://localhost/cpd/claims/{claim.id}" in html
    assert "List-Unsubscribe" not in mail  # a decision cannot be turned off
    auth.login("amina@example.org")
    page = client.get("/cpd/").get_data(as_text=True)
    assert "Notifications (1)" in page
    centre = client.get("/notifications").get_data(as_text=True)
    assert "has been approved with fewer points" in centre and "Unread" in centre
    opened = submit(client, f"/notifications/{note.id}/open", {}, page="/notifications")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/cpd/claims/{claim.id}"
    db.session.expire_all()
    assert db.session.get(User, member.id).unread_notifications == 0
    assert "Notifications (" not in client.get("/cpd/").get_data(as_text=True)
    submit(client, f"/notifications/{note.id}/read", {"read": "0"}, page="/notifications")
    db.session.expire_all()
    assert db.session.get(User, member.id).unread_notifications == 1
    submit(client, "/notifications/read-all", {}, page="/notifications")
    db.session.expire_all()
    assert db.session.get(User, member.id).unread_notifications == 0


def test_the_header_count_adds_no_query(app, client, auth, make_user):
    member = make_user(email="amina@example.org")
    auth.login("amina@example.org")
    client.get("/dashboard")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/dashboard")
        before = len(statements)
        db.session.execute(sa.update(User).where(User.id == member.id)
                           .values(unread_notifications=3))  # fmt: skip
        db.session.commit()
        statements.clear()
        page = client.get("/dashboard").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert "Notifications (3)" in page
    assert len(statements) == before
    assert not any("FROM notifications" in s for s in statements)


def test_someone_elses_notification_is_404(app, client, auth, make_user):
    owner = make_user(email="owner@example.org")
    make_user(email="other@example.org")
    db.session.add(Notification(user_id=owner.id, kind="behind_pace", params={}, link="/cpd/"))
    db.session.commit()
    note_id = db.session.scalar(sa.select(Notification.id))
    auth.login("other@example.org")
    response = submit(client, f"/notifications/{note_id}/read", {}, page="/notifications")
    assert response.status_code == 404


def test_the_api_lists_the_callers_notifications(app, client, auth, make_user):
    member = make_user(email="amina@example.org")
    db.session.add_all([
        Notification(user_id=member.id, kind="behind_pace", params={}, link="/cpd/"),
        Notification(user_id=member.id, kind="draft_published", params={"title": "Budgets"}),
    ])  # fmt: skip
    db.session.execute(sa.update(User).values(unread_notifications=2))
    db.session.commit()
    auth.login("amina@example.org")
    body = client.get("/api/v1/me/notifications").get_json()
    assert body["unread_count"] == 2 and len(body["data"]) == 2
    assert {item["kind"] for item in body["data"]} == {"behind_pace", "draft_published"}
    assert any("Budgets" in item["text"] for item in body["data"])
    assert client.get("/api/v1/me/notifications?unread=maybe").status_code == 400
    assert client.get("/api/v1/me/notifications?unread=false").get_json()["data"] == []


def test_swahili_member_gets_swahili_mail(app, make_user, make_claim, outbox):
    member = make_user(email="juma@example.org", full_name="Juma Mwangi", language="sw")
    admin = make_user(email="admin@example.org", roles=("member", "admin"))
    claim = make_claim(member)
    services.decide_claim(
        claim, admin, services.Decision(approve=False, points=None, reason="Hakuna ushahidi.")
    )
    (mail,) = outbox.messages()
    assert "Mpendwa" in mail.get_content() or "Habari" in mail.get_content()
    assert mail["Subject"] != "Your CPD claim has been rejected"
    assert '<html lang="sw"' in mail.get_body(preferencelist=("html",)).get_content()


def test_erased_account_gets_no_mail_and_a_logged_skip(app, make_user, caplog):
    caplog.set_level("INFO", logger="wired4ex.notifications.outbox")
    from wired4ex.admin.erasure import erased_email
    from wired4ex.notifications.outbox import queue_mail

    member = make_user(email="gone@example.org")
    member.email = erased_email(member.id)
    db.session.commit()
    assert queue_mail(member, "password_reset", "x") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0
    assert "no deliverable address" in caplog.text


def test_password_reset_is_queued_and_its_link_works(app, client, make_user, outbox):
    make_user(email="amina@example.org")
    submit(client, "/password/forgot", {"email": "amina@example.org"})
    (message,) = db.session.scalars(sa.select(MailMessage))
    assert (message.kind, message.status) == ("password_reset", "sent")
    link = re.search(r"http://localhost(/password/reset/\S+)", outbox.messages()[0].get_content())
    new = "a-brand-new-passphrase-2026"
    response = submit(client, link.group(1), {"password": new, "confirm": new})
    assert response.status_code == 302
    assert submit(client, "/login", {"email": "amina@example.org", "password": PASSWORD})
