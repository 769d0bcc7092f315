"""Audit what matters: logins, logouts, passwords, tokens, content syncs and exports leave events,
and the audit log names them in both languages and filters by person, action and date."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token, submit
from tests.learning.test_dashboard_queries import build_courses
from wired4ex import audit
from wired4ex.audit import AuditEvent
from wired4ex.auth import services
from wired4ex.auth.tokens import create_token, held_tokens, keep_tokens, revoke_token
from wired4ex.extensions import db

NEW_PASSWORD = "a fresh and long passphrase 42"


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def login(app, email, password=PASSWORD):
    client = app.test_client()
    response = submit(client, "/login", {"email": email, "password": password})
    return client, response


def test_login_success_and_failure_are_audited_with_the_address(app, make_user):
    member = make_user(email="amina@example.org")
    _client, response = login(app, "amina@example.org")
    assert response.status_code == 302
    (success,) = events("auth.login")
    assert (success.actor_id, success.member_id) == (member.id, member.id)
    assert success.after == {"email": "amina@example.org", "address": "127.0.0.1"}

    _client, response = login(app, "amina@example.org", "not the password")
    assert response.status_code == 200
    _client, response = login(app, "nobody@example.org", "not the password")
    wrong, unknown = events("auth.login_failed")
    assert (wrong.actor_id, wrong.member_id) == (None, member.id)
    assert wrong.after == {"email": "amina@example.org", "address": "127.0.0.1"}
    assert (unknown.actor_id, unknown.member_id, unknown.subject_id) == (None, None, "-")
    assert unknown.after["email"] == "nobody@example.org"
    assert len(events("auth.login")) == 1  # a failure is never recorded as a login


def test_logout_is_audited(app, make_user):
    member = make_user(email="amina@example.org")
    client, _ = login(app, "amina@example.org")
    token = csrf_token(client, "/profile")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    (logout,) = events("auth.logout")
    assert (logout.actor_id, logout.member_id, logout.after) == (
        member.id,
        member.id,
        {"address": "127.0.0.1"},
    )


def test_password_change_and_reset_are_audited(app, make_user):
    member = make_user(email="amina@example.org")
    client, _ = login(app, "amina@example.org")
    form = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert submit(client, "/profile/password", form).status_code == 302
    (changed,) = events("auth.password_changed")
    assert (changed.actor_id, changed.member_id) == (member.id, member.id)
    assert events("auth.password_reset") == []

    secret = services.make_password_reset_token(member)
    page = f"/password/reset/{secret}"
    form = {"password": PASSWORD + " again", "confirm": PASSWORD + " again"}
    assert submit(app.test_client(), page, form).status_code == 302
    (reset,) = events("auth.password_reset")
    assert (reset.actor_id, reset.member_id) == (member.id, member.id)
    assert len(events("auth.password_changed")) == 1


def test_token_creation_and_revocation_are_audited(app, make_user):
    member = make_user(email="amina@example.org")
    first, _ = create_token(member, "HR system")
    second, _ = create_token(member, "Phone")
    created = events("token.created")
    assert [(e.subject_id, e.actor_id, e.after["name"]) for e in created] == [
        (str(first.id), member.id, "HR system"),
        (str(second.id), member.id, "Phone"),
    ]
    revoke_token(first)
    revoke_token(first)  # twice: still one event
    (revoked,) = events("token.revoked")
    assert (revoked.subject_id, revoked.member_id) == (str(first.id), member.id)

    services.set_password(member, NEW_PASSWORD)  # holds the remaining token
    assert [t.id for t in held_tokens(member.id)] == [second.id]
    keep_tokens(member.id, set())  # not kept: revoked, and audited as such
    assert [e.subject_id for e in events("token.revoked")] == [str(first.id), str(second.id)]


def test_token_pages_audit_creation_and_revocation(app, make_user):
    make_user(email="amina@example.org")
    client, _ = login(app, "amina@example.org")
    response = submit(client, "/profile/tokens", {"name": "Laptop", "scope_me": "y"})
    assert response.status_code == 200
    (created,) = events("token.created")
    token = csrf_token(client, "/profile/tokens")
    revoke = client.post(f"/profile/tokens/{created.subject_id}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 302
    assert [e.subject_id for e in events("token.revoked")] == [created.subject_id]


def test_content_sync_from_the_command_line_is_audited(app, runner, make_user, tmp_path):
    content = tmp_path / "content"
    build_courses(content, 1)  # the policies and one course of three modules
    result = runner.invoke(args=["content", "sync", str(content)])
    assert result.exit_code == 0, result.output
    (first,) = events("content.synced")
    assert first.actor_id is None and first.after["via"] == "the command line"
    assert first.after["added"] and first.after["updated"] == []
    policy = content / "policy" / "cpd.yml"
    policy.write_text(policy.read_text().replace("start_month: 1", "start_month: 7"))
    assert runner.invoke(args=["content", "sync", str(content)]).exit_code == 0
    second = events("content.synced")[1]
    assert second.after["added"] == [] and second.after["updated"] == ["policy/cpd.yml"]
    assert runner.invoke(args=["content", "sync", str(content)]).exit_code == 0
    assert len(events("content.synced")) == 2  # an unchanged sync writes nothing

    admin = make_user(email="ada@example.org", roles=("admin",))
    admin.language = "sw"
    db.session.commit()
    client, _ = login(app, "ada@example.org")
    page = client.get("/admin/audit?action=content.synced").get_data(as_text=True)
    assert page.count("Mtu kwenye mstari wa amri alisawazisha maudhui ya kozi") == 2
    assert "Maudhui yamesawazishwa</span>" in page


def test_export_downloads_are_audited_with_who_and_which(app, make_user, synced_content):
    admin = make_user(email="ada@example.org", roles=("admin",))
    client, _ = login(app, "ada@example.org")
    response = client.get("/admin/members.csv?q=amina")
    assert response.status_code == 200
    response.get_data()
    assert client.get("/admin/audit.csv").status_code == 200
    members, audit_log = events("export.downloaded")
    assert members.actor_id == admin.id
    assert members.after["file"].startswith("members-") and members.after["filters"] == {
        "q": "amina"
    }
    assert audit_log.after["file"] == "audit-log.csv"


def test_audit_log_names_the_new_actions_and_filters_them(app, make_user):
    admin = make_user(email="ada@example.org", roles=("admin",))
    make_user(email="amina@example.org", full_name="Amina Otieno")
    login(app, "amina@example.org")
    login(app, "amina@example.org", "wrong password")
    client, _ = login(app, "ada@example.org")
    page = client.get("/admin/audit?action=auth.login_failed").get_data(as_text=True)
    assert "Failed login" in page and "Logged in</span>" not in page
    assert '<option value="auth.login">Logged in</option>' in page
    assert "127.0.0.1" in page
    by_person = client.get("/admin/audit?member=Amina").get_data(as_text=True)
    assert "Logged in</span>" in by_person and "Failed login</span>" in by_person
    assert "2 entries" in by_person
    none_yet = client.get("/admin/audit?start=2000-01-01&end=2000-01-02").get_data(as_text=True)
    assert "No entries match these filters." in none_yet

    # Role changes (recorded by the admin member page, tests/admin/test_members.py) are named too.
    audit.record("member.roles_changed", "user", admin.id, admin.id, admin.id,
                 before={"roles": ["member"]}, after={"roles": ["admin"]})  # fmt: skip
    admin.language = "sw"
    db.session.commit()
    swahili, _ = login(app, "ada@example.org")
    page = swahili.get("/admin/audit?action=auth.login").get_data(as_text=True)
    assert "Aliingia</span>" in page and "Kuingia kumeshindwa" in page  # row, and filter choice
    roles = swahili.get("/admin/audit?action=member.roles_changed").get_data(as_text=True)
    assert "Majukumu yamebadilishwa</span>" in roles
