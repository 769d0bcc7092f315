"""Registration, login, logout, sessions, password reset, profile: through the real pages."""

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.auth.models import User
from wired4ex.extensions import db
from wired4ex.membership.services import membership_status

REGISTRATION = {
    "full_name": "Wanjirũ Ng'ang'a",
    "email": "wanjiru@example.org",
    "password": "maziwa-lala-kesho-2026",
    "confirm": "maziwa-lala-kesho-2026",
    "country": "KE",
}


def users() -> list[User]:
    return list(db.session.scalars(sa.select(User)))


def register(client, **changes):
    return submit(client, "/register", {**REGISTRATION, **changes})


def test_a_stranger_cannot_register_as_honorary_or_with_a_number(client, make_user):
    """The category and number are the secretariat's to give: posted anyway, they are ignored;
    the new account holds no membership and its statements say so."""
    holder = make_user(email="holder@example.org", number="HSM-MEM-0001")
    response = register(client, membership_category="honorary", membership_number="HSM-MEM-0001")
    assert response.status_code == 302
    stranger = next(user for user in users() if user.id != holder.id)
    assert stranger.membership_number is None
    assert membership_status(stranger).state == "not_verified"
    assert membership_status(stranger).target_category is None


def test_register_creates_an_unconfirmed_member_who_can_log_in(client, auth):
    response = register(client, email="Wanjiru@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/check-email"
    (user,) = users()
    assert user.email == "wanjiru@example.org"
    assert user.full_name == "Wanjirũ Ng'ang'a"
    assert user.role_names == {"member"}
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_confirmed_at is None
    auth.login("wanjiru@example.org", password=REGISTRATION["password"])
    assert "Wanjirũ" in client.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"full_name": "x" * 10_000}, "Field cannot be longer than 120 characters."),
        ({"full_name": "  "}, "This field is required."),
        ({"password": "password123", "confirm": "password123"}, "too easy to guess"),
        ({"password": "wanjiru@example.org", "confirm": "wanjiru@example.org"}, "too easy"),
        ({"password": "short", "confirm": "short"}, "Use between 10 and 128 characters."),
        ({"confirm": "something-else-entirely"}, "The passwords differ."),
        ({"country": "XX"}, "Not a valid choice."),
    ],
)
def test_registration_refuses_bad_input_and_keeps_what_was_typed(client, changes, message):
    response = register(client, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.replace("&#39;", "'")
    assert users() == []
    kept = changes.get("email", REGISTRATION["email"])
    assert f'value="{kept}"' in page


def test_email_is_unique_whatever_its_case(client, make_user):
    make_user(email="wanjiru@example.org")
    response = register(client, email="WANJIRU@example.ORG")
    assert response.headers["Location"] == "/register/check-email"
    assert len(users()) == 1


def test_long_passwords_are_accepted(client):
    long_password = "a long passphrase with many words " * 2  # 68 characters
    response = register(client, password=long_password, confirm=long_password)
    assert response.status_code == 302


def test_form_without_csrf_token_is_refused_and_saves_nothing(client):
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert users() == []


def test_login_and_logout(client, auth, make_user):
    make_user(email="amina@example.org")
    response = auth.login("Amina@example.org")
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/profile").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, make_user):
    make_user(email="amina@example.org")
    wrong = auth.login("amina@example.org", password="not-the-password").get_data(as_text=True)
    unknown = auth.login("nobody@example.org").get_data(as_text=True)
    message = "The e-mail address or password is not correct."
    assert message in wrong and message in unknown


def test_login_starts_a_new_session(client, auth, make_user):
    make_user(email="amina@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("amina@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_a_copied_session_cookie_stops_working_after_logout(app, client, auth, make_user):
    make_user(email="amina@example.org")
    auth.login("amina@example.org")
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/profile").status_code == 302


def test_deactivated_account_cannot_log_in(client, auth, make_user):
    user = make_user(email="amina@example.org")
    user.is_active_account = False
    db.session.commit()
    response = auth.login("amina@example.org")
    assert response.status_code == 200
    assert client.get("/profile").status_code == 302


def test_login_is_throttled_after_repeated_failures(client, auth, make_user):
    make_user(email="amina@example.org")
    for _ in range(5):
        assert auth.login("amina@example.org", password="wrong-password").status_code == 200
    throttled = auth.login("amina@example.org")  # even the right password waits now
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.get_data(as_text=True)


def test_unknown_emails_are_throttled_the_same_way(client, auth):
    statuses = [auth.login("ghost@example.org").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "http:/x"],
)
def test_login_refuses_unsafe_next(client, auth, make_user, target):
    make_user(email="amina@example.org")
    response = auth.login("amina@example.org", next_url=quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_login_follows_a_safe_next(client, auth, make_user):
    make_user(email="amina@example.org")
    response = auth.login("amina@example.org", next_url=quote("/profile", safe=""))
    assert response.headers["Location"] == "/profile"


def reset_link(outbox) -> str:
    (message,) = outbox.messages()
    assert message["Subject"] == "Reset your Wired4EX password"
    link = re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)
    outbox.clear()
    return link


def test_password_reset_by_emailed_single_use_link(client, auth, make_user, outbox):
    make_user(email="amina@example.org")
    response = submit(client, "/password/forgot", {"email": "AMINA@example.org"})
    assert response.status_code == 302
    link = reset_link(outbox)
    new = {"password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"}
    assert submit(client, link, new).status_code == 302
    assert auth.login("amina@example.org", password="a-brand-new-passphrase").status_code == 302
    auth.logout()
    # The same link again: refused, and the password stays.
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in again
    assert auth.login("amina@example.org", password=PASSWORD).status_code == 200


def test_expired_reset_link_is_refused(app, client, make_user, outbox):
    make_user(email="amina@example.org")
    submit(client, "/password/forgot", {"email": "amina@example.org"})
    link = reset_link(outbox)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in page


def test_forgot_password_answers_the_same_for_unknown_addresses(client, outbox):
    response = submit(
        client, "/password/forgot", {"email": "ghost@example.org"}, follow_redirects=True
    )
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox.messages() == []


def test_tampered_reset_token_is_refused(client):
    page = client.get("/password/reset/not-a-token", follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in page


def test_profile_edit_keeps_and_saves(client, auth, make_user):
    user = make_user(email="amina@example.org")
    auth.login("amina@example.org")
    number = user.membership_number
    data = {"full_name": "Amina Juma", "country": "TZ", "language": "en"}
    # A number typed into the request is not the member's to set: it is ignored.
    assert submit(client, "/profile", {**data, "membership_number": "HSM-77"}).status_code == 302
    db.session.refresh(user)
    assert (user.full_name, user.membership_number, user.country) == ("Amina Juma", number, "TZ")
    bad = submit(client, "/profile", {**data, "full_name": "y" * 500})
    assert "cannot be longer" in bad.get_data(as_text=True)
    db.session.refresh(user)
    assert user.full_name == "Amina Juma"


def test_change_password_ends_other_sessions(app, client, auth, make_user):
    make_user(email="amina@example.org")
    auth.login("amina@example.org")
    other_device = app.test_client()
    submit(other_device, "/login", {"email": "amina@example.org", "password": PASSWORD})
    assert other_device.get("/profile").status_code == 200
    data = {
        "current_password": PASSWORD,
        "password": "another-good-passphrase",
        "confirm": "another-good-passphrase",
    }
    assert submit(client, "/profile/password", data).status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302
