"""Session limits checked on the server, "Keep me logged in", and what a password change ends:
other sessions, and API tokens until the member keeps them."""

import io
import time

import sqlalchemy as sa
from PIL import Image

from tests.api.conftest import API, bearer
from tests.conftest import PASSWORD, submit
from wired4ex.auth import tokens
from wired4ex.auth.models import PersonalAccessToken
from wired4ex.extensions import db

NEW = "a-brand-new-passphrase"


def age_session(client, idle_seconds=0, started_seconds=0) -> None:
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - idle_seconds
        session["_started"] = int(time.time()) - started_seconds


def test_an_idle_session_ends_after_the_idle_timeout(client, auth, make_user):
    make_user(email="amina@example.org")
    auth.login("amina@example.org")
    age_session(client, idle_seconds=119 * 60, started_seconds=119 * 60)
    assert client.get("/profile").status_code == 200
    age_session(client, idle_seconds=121 * 60, started_seconds=121 * 60)
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_idle_timeout_is_configurable(app, client, auth, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 5
    make_user(email="amina@example.org")
    auth.login("amina@example.org")
    age_session(client, idle_seconds=6 * 60, started_seconds=6 * 60)
    assert client.get("/profile").status_code == 302


def test_a_used_session_still_ends_after_its_lifetime(client, auth, make_user):
    make_user(email="amina@example.org")
    auth.login("amina@example.org")
    age_session(client, idle_seconds=60, started_seconds=7 * 24 * 3600 + 60)
    assert client.get("/profile").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "Your session has ended. Please log in again." in page


def test_keep_me_logged_in_lasts_30_days(client, auth, make_user):
    make_user(email="amina@example.org")
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="remember">Keep me logged in for 30 days' in page
    response = submit(
        client, "/login", {"email": "amina@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert "Expires=" in response.headers["Set-Cookie"]  # outlives the browser
    age_session(client, idle_seconds=3 * 24 * 3600, started_seconds=20 * 24 * 3600)
    assert client.get("/profile").status_code == 200
    age_session(client, idle_seconds=60, started_seconds=31 * 24 * 3600)
    assert client.get("/profile").status_code == 302


def test_without_remember_me_the_cookie_ends_with_the_browser(client, auth, make_user):
    make_user(email="amina@example.org")
    response = auth.login("amina@example.org")
    assert "Expires=" not in response.headers["Set-Cookie"]


def test_a_password_change_ends_every_other_session(app, client, auth, make_user):
    make_user(email="amina@example.org")
    other = app.test_client()
    assert (
        submit(other, "/login", {"email": "amina@example.org", "password": PASSWORD}).status_code
        == 302
    )
    auth.login("amina@example.org")
    change = {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    assert submit(client, "/profile/password", change).status_code == 302
    assert client.get("/profile").status_code == 200  # this one goes on
    assert other.get("/profile").status_code == 302  # the other one has ended


def test_api_tokens_stop_after_a_password_change_until_kept(client, auth, make_user):
    user = make_user(email="amina@example.org")
    _kept, kept_secret = tokens.create_token(user, "HR system")
    _dropped, dropped_secret = tokens.create_token(user, "Unknown")
    assert client.get(API + "/me", headers=bearer(kept_secret)).status_code == 200
    auth.login("amina@example.org")
    change = {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    response = submit(client, "/profile/password", change)
    assert response.headers["Location"] == "/profile/tokens/keep"
    assert client.get(API + "/me", headers=bearer(kept_secret)).status_code == 401
    assert client.get(API + "/me", headers=bearer(dropped_secret)).status_code == 401
    page = client.get("/profile/tokens/keep").get_data(as_text=True)
    assert "HR system" in page and "Unknown" in page
    kept_id = db.session.scalar(
        sa.select(PersonalAccessToken.id).where(PersonalAccessToken.name == "HR system")
    )
    submit(client, "/profile/tokens/keep", {"keep": str(kept_id)})
    assert client.get(API + "/me", headers=bearer(kept_secret)).status_code == 200
    assert client.get(API + "/me", headers=bearer(dropped_secret)).status_code == 401
    states = dict(
        db.session.execute(
            sa.select(PersonalAccessToken.name, PersonalAccessToken.revoked_at)
        ).all()
    )
    assert states["HR system"] is None and states["Unknown"] is not None


def test_token_scopes_are_enforced(client, make_user):
    member = make_user(email="m@example.org")
    admin = make_user(email="a@example.org", roles=("member", "admin"))
    _t, catalogue_only = tokens.create_token(member, "Catalogue", scopes=["catalogue"])
    _t, me_only = tokens.create_token(member, "Me", scopes=["me"])
    _t, admin_me = tokens.create_token(admin, "Admin but me", scopes=["me"])
    _t, admin_read = tokens.create_token(admin, "Admin", scopes=["admin:read"])
    refused = client.get(API + "/me", headers=bearer(catalogue_only))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"
    assert client.get(API + "/catalog/courses", headers=bearer(catalogue_only)).status_code == 200
    assert client.get(API + "/catalog/courses", headers=bearer(me_only)).status_code == 403
    assert client.get(API + "/me", headers=bearer(me_only)).status_code == 200
    assert client.get(API + "/members", headers=bearer(admin_me)).status_code == 403
    assert client.get(API + "/members", headers=bearer(admin_read)).status_code == 200
    assert (
        client.get(API + f"/members/{member.id}/cpd", headers=bearer(admin_me)).status_code == 403
    )


def test_only_admins_give_the_admin_scope(make_user):
    member = make_user()
    try:
        tokens.create_token(member, "Sneaky", scopes=["admin:read"])
    except tokens.TokenError as error:
        assert "Only administrators" in str(error)
    else:
        raise AssertionError("a member's token got admin:read")


def test_openapi_names_the_scopes(client):
    document = client.get(API + "/openapi.json").get_json()
    members = document["paths"]["/members"]["get"]["security"]
    assert {"bearerAuth": ["admin:read"]} in members
    assert {"bearerAuth": ["me"]} in document["paths"]["/me"]["get"]["security"]
    courses = document["paths"]["/catalog/courses"]["get"]["security"]
    assert {"bearerAuth": ["catalogue"]} in courses


def _png(width, height) -> bytes:
    output = io.BytesIO()
    Image.new("1", (width, height)).save(output, format="PNG", optimize=True)
    return output.getvalue()


def test_an_image_over_25_megapixels_is_refused_before_decoding(app):
    from wired4ex.images import pixel_problem

    big = _png(6000, 4300)  # 25.8 megapixels, a few kilobytes
    assert len(big) < 2 * 1024 * 1024
    assert "6000 x 4300 pixels" in pixel_problem(big)
    assert pixel_problem(_png(6000, 4000)) is None
    bomb = _png(10000, 10000)  # over twice the limit: Pillow itself refuses to open it
    assert "at most 25 megapixels" in pixel_problem(bomb)


def test_evidence_image_over_25_megapixels_gets_a_message(app):
    from werkzeug.datastructures import FileStorage

    from wired4ex.cpd import evidence

    upload = FileStorage(io.BytesIO(_png(6000, 4300)), filename="scan.png")
    try:
        evidence.read_upload(upload)
    except evidence.EvidenceError as error:
        assert "at most 25 megapixels" in str(error)
    else:
        raise AssertionError("a 25.8 megapixel image was accepted")
