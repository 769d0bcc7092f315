"""Registration tells nobody whether an address has an account, and nothing counts until the
e-mail address is confirmed by the mailed single-use link."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.auth.test_accounts import REGISTRATION, register
from tests.conftest import PASSWORD, submit
from wired4ex.auth.models import AccountToken, User
from wired4ex.extensions import db


def confirmation_link(outbox) -> str:
    (message,) = outbox.messages()
    assert message["Subject"] == "Confirm your e-mail address for Wired4EX"
    link = re.search(r"http://localhost(/confirm/\S+)", message.get_content()).group(1)
    outbox.clear()
    return link


def user(email="wanjiru@example.org") -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_new_and_existing_addresses_get_the_same_answer(client, make_user, outbox):
    make_user(email="amina@example.org", full_name="Amina Odhiambo")
    new = register(client, email="wanjiru@example.org")
    existing = register(client, email="Amina@example.org", full_name="Someone Else")
    assert new.status_code == existing.status_code == 302
    assert new.headers["Location"] == existing.headers["Location"] == "/register/check-email"
    page = client.get("/register/check-email").get_data(as_text=True)
    assert "Check your e-mail" in page
    # Two mails: a confirmation link to the new member, a warning to the existing owner.
    confirm, warning = outbox.messages()
    assert confirm["To"] == "wanjiru@example.org"
    assert "/confirm/" in confirm.get_content()
    assert warning["To"] == "amina@example.org"
    assert warning["Subject"] == "Someone tried to register with your e-mail address"
    assert "Amina Odhiambo" in warning.get_content()
    assert "/password/forgot" in warning.get_content()
    assert user("amina@example.org").full_name == "Amina Odhiambo"  # nothing changed


def test_the_existing_owner_is_warned_in_their_language(client, make_user, outbox):
    make_user(email="amina@example.org", language="sw")
    register(client, email="amina@example.org")
    (warning,) = outbox.messages()
    assert warning["Subject"] != "Someone tried to register with your e-mail address"
    assert "Mpendwa" in warning.get_content()


def test_registration_is_throttled_per_email(app, outbox):
    statuses = []
    for attempt in range(6):
        client = app.test_client()  # a new visitor each time; the address stays the same
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{attempt + 1}"
        statuses.append(register(client, email="target@example.org").status_code)
    assert statuses == [302] * 5 + [429]


def test_registration_is_throttled_per_address(client, outbox):
    statuses = [register(client, email=f"person{n}@example.org").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]


def test_confirmation_link_confirms_once(client, auth, outbox):
    register(client)
    link = confirmation_link(outbox)
    assert user().email_confirmed_at is None
    followed = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "your e-mail address is confirmed" in followed
    assert user().email_confirmed_at is not None
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in again


def test_only_a_hash_of_the_link_is_stored(client, outbox):
    register(client)
    secret = confirmation_link(outbox).rsplit("/", 1)[1]
    (token,) = db.session.scalars(sa.select(AccountToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.token_hash


def test_expired_confirmation_link_is_refused(client, outbox):
    register(client)
    link = confirmation_link(outbox)
    token = db.session.scalar(sa.select(AccountToken))
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in page
    assert user().email_confirmed_at is None


def test_a_new_link_replaces_the_old_one(client, auth, outbox):
    register(client)
    old = confirmation_link(outbox)
    auth.login("wanjiru@example.org", password=REGISTRATION["password"])
    response = submit(client, "/confirm", {})
    assert response.status_code == 302
    new = confirmation_link(outbox)
    assert client.get(old).headers["Location"] == "/login"
    assert user().email_confirmed_at is None
    client.get(new)
    assert user().email_confirmed_at is not None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/courses/lake-region-university/health-financing/enrol"),
        ("get", "/cpd/claims/new"),
        ("get", "/cpd/statement.pdf?cycle=2026"),
        ("get", "/certification/AHSM/apply"),
        ("get", "/profile/tokens"),
    ],
)
def test_unconfirmed_member_can_read_but_nothing_counts(client, auth, make_user, method, url):
    make_user(email="new@example.org", confirmed=False)
    auth.login("new@example.org")
    assert client.get("/").status_code == 200
    assert client.get("/profile").status_code == 200
    response = submit(client, url, {}, page="/profile") if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/confirm"
    page = client.get("/confirm").get_data(as_text=True)
    assert "Confirm your e-mail address first" in page
    assert "Send a new confirmation link" in page


def test_confirmed_member_gets_through(client, auth, make_user):
    make_user(email="done@example.org")
    auth.login("done@example.org")
    assert client.get("/profile/tokens").status_code == 200


def test_the_reset_link_confirms_the_address_too(client, make_user, outbox):
    make_user(email="new@example.org", confirmed=False)
    submit(client, "/password/forgot", {"email": "new@example.org"})
    (message,) = outbox.messages()
    link = re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)
    new = {"password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"}
    assert submit(client, link, new).status_code == 302
    assert user("new@example.org").email_confirmed_at is not None


def test_accounts_made_by_the_cli_are_confirmed(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "admin@example.org", "--name", "Admin",
              "--role", "admin", "--password", PASSWORD]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert user("admin@example.org").email_confirmed_at is not None


def test_reset_links_are_random_hashed_and_a_new_one_retires_the_old(client, make_user, outbox):
    member = make_user(email="amina@example.org")
    submit(client, "/password/forgot", {"email": "amina@example.org"})
    submit(client, "/password/forgot", {"email": "amina@example.org"})
    first, second = (
        re.search(r"/password/reset/(\S+)", message.get_content()).group(1)
        for message in outbox.messages()
    )
    stored = db.session.scalars(sa.select(AccountToken).where(AccountToken.purpose == "reset"))
    hashes = {token.token_hash for token in stored}
    assert hashes == {hashlib.sha256(s.encode()).hexdigest() for s in (first, second)}
    assert member.password_hash[-16:] not in first + second  # nothing of the password hash
    page = client.get(f"/password/reset/{first}", follow_redirects=True).get_data(as_text=True)
    assert "invalid, expired or already used" in page
    assert client.get(f"/password/reset/{second}").status_code == 200
