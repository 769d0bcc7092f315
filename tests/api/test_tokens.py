"""Personal access tokens: created on the profile pages, shown once, stored hashed, last use,
expiry, revocation."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.api.conftest import API, bearer
from tests.conftest import PASSWORD, csrf_token, submit
from wired4ex.auth import tokens
from wired4ex.auth.models import PersonalAccessToken
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

SECRET = re.compile(r'value="(w4x_[A-Za-z0-9_-]{43})"')


def logged_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_profile_links_to_the_token_page(app, make_user):
    make_user(email="m@example.org")
    client = logged_in(app, "m@example.org")
    assert 'href="/profile/tokens"' in client.get("/profile").get_data(as_text=True)


def test_create_shows_the_secret_once_and_stores_only_its_hash(app, make_user):
    user = make_user(email="m@example.org")
    client = logged_in(app, "m@example.org")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert '<label for="name">Token name</label>' in page
    assert '<label for="expires_in">Expires after</label>' in page
    assert '<option selected value="90">90 days</option>' in page
    form = {"name": "HR system", "expires_in": "90", "scope_me": "y", "scope_catalogue": "y"}
    response = submit(client, "/profile/tokens", form)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "will not be shown again" in html

    token = db.session.scalar(sa.select(PersonalAccessToken))
    assert token.user_id == user.id and token.name == "HR system"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert tokens.expires_on(token) == local_today() + timedelta(days=90)
    assert token.scope_list == ["me", "catalogue"]
    stored = db.session.execute(sa.select(PersonalAccessToken.__table__)).one()
    assert secret not in [str(value) for value in stored]

    later = client.get("/profile/tokens").get_data(as_text=True)
    assert secret not in later and token.prefix in later and "HR system" in later
    assert client.get(API + "/me", headers=bearer(secret)).get_json()["id"] == user.id


def test_create_needs_a_name_a_listed_lifetime_and_a_scope(app, make_user):
    make_user(email="m@example.org")
    client = logged_in(app, "m@example.org")
    empty = submit(client, "/profile/tokens", {"name": "", "expires_in": "90", "scope_me": "y"})
    assert "This field is required." in empty.get_data(as_text=True)
    forever = submit(client, "/profile/tokens", {"name": "Old", "expires_in": "36500"})
    assert "Not a valid choice." in forever.get_data(as_text=True)
    assert 'value="Old"' in forever.get_data(as_text=True)  # what was typed is kept
    none = submit(client, "/profile/tokens", {"name": "Nothing", "expires_in": "30"})
    assert "Choose at least one scope." in none.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PersonalAccessToken.id))) == 0


def test_create_without_csrf_is_refused(app, make_user):
    make_user(email="m@example.org")
    client = logged_in(app, "m@example.org")
    assert client.post("/profile/tokens", data={"name": "x"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(PersonalAccessToken.id))) == 0


def test_expiry_date_runs_to_the_end_of_that_day(app, make_user):
    user = make_user()
    day = local_today() + timedelta(days=3)
    token, secret = tokens.create_token(user, "Three days", day)
    assert tokens.expires_on(token) == day
    end = token.expires_at
    assert tokens.authenticate_token(secret, at=end - timedelta(seconds=1)) is not None
    assert tokens.authenticate_token(secret, at=end) is None
    # Nairobi is UTC+3: the token ends at 21:00 UTC the evening before the next day
    assert end == datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC)


def test_last_used_is_recorded(app, client, make_user):
    user = make_user()
    token, secret = tokens.create_token(user, "Script")
    assert token.last_used_at is None
    assert client.get(API + "/me", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    first = db.session.get(PersonalAccessToken, token.id).last_used_at
    assert first is not None
    at = first + timedelta(minutes=5)
    tokens.authenticate_token(secret, at=at)
    db.session.expire_all()
    assert db.session.get(PersonalAccessToken, token.id).last_used_at == at


def test_revoke_from_the_page(app, make_user):
    user = make_user(email="m@example.org")
    token, secret = tokens.create_token(user, "Phone")
    client = logged_in(app, "m@example.org")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert f'href="/profile/tokens/{token.id}/revoke"' in page
    confirm = client.get(f"/profile/tokens/{token.id}/revoke").get_data(as_text=True)
    assert (
        "Revoke the token Phone?" in confirm
        and f'action="/profile/tokens/{token.id}/revoke"' in confirm
    )
    response = client.post(
        f"/profile/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_token(client, "/profile/tokens")},
        follow_redirects=True,
    )
    assert "The token Phone has been revoked." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PersonalAccessToken, token.id).revoked_at is not None
    assert client.get(API + "/me", headers=bearer(secret)).status_code == 401


def test_nobody_revokes_another_members_token(app, make_user):
    owner = make_user(email="owner@example.org")
    make_user(email="other@example.org")
    token, secret = tokens.create_token(owner, "Mine")
    client = logged_in(app, "other@example.org")
    response = client.post(
        f"/profile/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_token(client, "/profile/tokens")},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(PersonalAccessToken, token.id).revoked_at is None


def test_token_page_needs_login(client):
    response = client.get("/profile/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "name, expires_on, message",
    [("  ", None, "Give the token a name."), ("x", "today", "Choose an expiry date after today.")],
)
def test_token_service_refusals(app, make_user, name, expires_on, message):
    user = make_user()
    day = local_today() if expires_on == "today" else None
    with pytest.raises(tokens.TokenError, match=message):
        tokens.create_token(user, name, day)


def test_active_tokens_are_limited(app, make_user):
    user = make_user()
    for number in range(tokens.MAX_TOKENS):
        tokens.create_token(user, f"t{number}")
    with pytest.raises(tokens.TokenError, match="Revoke one"):
        tokens.create_token(user, "one too many")
