"""Who may read what, and the JSON errors: 400, 401, 403, 404, 405, 429."""

import logging
from datetime import timedelta

import pytest

from tests.api.conftest import API, bearer
from wired4ex.auth import tokens
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

MEMBER_PATHS = ["/me", "/me/enrolments", "/me/cpd", "/me/certifications", "/me/statements"]
ADMIN_PATHS = ["/members", "/reports/cpd-compliance"]


def error_of(response) -> dict:
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


@pytest.mark.parametrize("path", [*MEMBER_PATHS, *ADMIN_PATHS, "/members/1/cpd"])
def test_anonymous_callers_get_401(api_get, path):
    response = api_get(path)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_member_tokens_get_403_on_admin_endpoints(api_get, path):
    response = api_get(path, as_="alice")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_a_member_cannot_read_another_member(api_get, world):
    response = api_get(f"/members/{world.bob.id}/cpd", as_="alice")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    # ... the same answer as for an id that does not exist, so ids cannot be probed
    assert api_get("/members/999999/cpd", as_="alice").get_json() == response.get_json()
    own = api_get(f"/members/{world.alice.id}/cpd?cycle=2025", as_="alice")
    assert own.status_code == 200 and own.get_json()["counted"] == 49.0


def test_the_browser_session_works_for_gets(app, world):
    from tests.conftest import PASSWORD, submit

    client = app.test_client()
    submit(client, "/login", {"email": "alice@example.org", "password": PASSWORD})
    assert client.get(API + "/me").get_json()["email"] == "alice@example.org"
    assert client.get(API + "/members").status_code == 403


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token w4x_abc", "Bearer w4x_not-a-real-token",
     "Bearer not-even-the-prefix"],
)  # fmt: skip
def test_bad_authorization_headers_get_401(client, world, header):
    response = client.get(API + "/catalog/courses", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_revoked_and_expired_tokens_get_401(app, client, world):
    secret = world.tokens["alice"]
    assert client.get(API + "/me", headers=bearer(secret)).status_code == 200
    [token] = tokens.list_tokens(world.alice.id)
    tokens.revoke_token(token)
    assert client.get(API + "/me", headers=bearer(secret)).status_code == 401

    token, secret = tokens.create_token(world.alice, "Short-lived")
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(API + "/me", headers=bearer(secret))
    assert response.status_code == 401
    assert "expired" in error_of(response)["message"]


def test_tokens_of_deactivated_accounts_stop_working(client, world):
    world.alice.is_active_account = False
    db.session.commit()
    assert client.get(API + "/me", headers=bearer(world.tokens["alice"])).status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/catalog/courses?page=0", "/catalog/courses?per_page=101", "/catalog/courses?per_page=x",
     "/catalog/courses?page=-1", "/catalog/courses?language=fr", "/me/cpd?cycle=1800",
     "/me/cpd?cycle=twenty", "/members?role=king", "/members?active=maybe",
     "/members?q=" + "x" * 201, "/reports/cpd-compliance?status=late",
     "/catalog/courses?institution=%00"],
)  # fmt: skip
def test_bad_query_parameters_get_400(api_get, path):
    response = api_get(path, as_="ada")
    assert response.status_code == 400, path
    assert error_of(response)["code"] == "bad_request"


def test_unknown_paths_and_methods_are_json(client, world):
    missing = client.get(API + "/nowhere")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    posted = client.post(API + "/me", headers=bearer(world.tokens["alice"]))
    assert posted.status_code == 405
    assert error_of(posted)["code"] == "method_not_allowed"
    assert "GET" in posted.headers["Allow"]
    # Pages outside the API keep their HTML error pages.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_rate_limit_per_token_is_json_429(app, client, world):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    alice, bob = bearer(world.tokens["alice"]), bearer(world.tokens["bob"])
    for _ in range(3):
        assert client.get(API + "/me", headers=alice).status_code == 200
    limited = client.get(API + "/me/cpd", headers=alice)
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    # Another token (from the same address) has its own allowance.
    assert client.get(API + "/me", headers=bob).status_code == 200


def test_tokens_never_reach_the_logs(app, client, world, caplog):
    caplog.set_level(logging.DEBUG)
    secret = world.tokens["alice"]
    client.get(API + "/me", headers=bearer(secret))
    client.get(API + "/me", headers=bearer(secret + "x"))
    client.get(API + "/members", headers=bearer(secret))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged and secret[4:20] not in logged


def test_openapi_document_is_public(client):
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"
