"""Security headers on every kind of response, anonymous and signed in; `no-store` on everything
that can carry personal data, while static files and published course images stay cacheable."""

from datetime import date

import pytest

from tests.conftest import PASSWORD, submit
from wired4ex.auth.tokens import create_token
from wired4ex.extensions import db

YEAR = date.today().year
PUBLISHED_IMAGE = "/courses/eaihm/quality-improvement/media/run-chart.png"


def assert_security_headers(response) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert headers.get("X-Frame-Options") == "DENY"


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def cacheable(response) -> bool:
    return not no_store(response) and "private" not in response.headers.get("Cache-Control", "")


@pytest.fixture
def member(make_user, synced_content):
    return make_user(email="wanjiru@example.org", full_name="Wanjiru Kamau")


@pytest.fixture
def admin_user(make_user, synced_content):
    return make_user(email="ada@hesma.example", roles=("member", "admin"))


def signed_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


# (method, path, expected status) requested by a visitor: cacheability is checked separately.
ANONYMOUS = [
    ("GET", "/", 200),
    ("GET", "/login", 200),
    ("GET", "/competencies", 200),
    ("GET", "/static/site.css", 200),
    ("GET", "/static/editor.js", 200),
    ("GET", PUBLISHED_IMAGE, 200),
    ("GET", "/no/such/page", 404),
    ("GET", "/logout", 405),
    ("GET", "/?q=%00", 400),
    ("GET", "/dashboard", 302),
    ("GET", "/cpd/", 302),
    ("GET", "/verify/ABCD-EFGH-JKLM", 404),
    ("GET", "/api/v1/catalog/courses", 200),
    ("GET", "/api/v1/openapi.json", 200),
    ("GET", "/api/v1/me", 401),
    ("GET", "/api/v1/no/such/thing", 404),
]


@pytest.mark.parametrize(("method", "path", "status"), ANONYMOUS)
def test_every_anonymous_response_has_the_security_headers(client, member, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_security_headers(response)


def test_anonymous_public_pages_and_files_stay_cacheable(client, synced_content):
    for path in ("/static/site.css", "/static/editor.js", PUBLISHED_IMAGE):
        response = client.get(path)
        assert response.status_code == 200 and cacheable(response), path
    assert client.get(PUBLISHED_IMAGE).headers["Cache-Control"] == "public, max-age=86400"


def test_pages_that_set_the_session_or_reveal_a_member_are_not_stored(client, synced_content):
    assert no_store(client.get("/login"))  # a CSRF token tied to this visitor's session
    assert no_store(client.get("/verify/ABCD-EFGH-JKLM"))
    assert no_store(client.get("/verify?code=ABCD-EFGH-JKLM"))


# Requested by a signed-in member: every one carries personal data, or is served on the
# member's session, so none may be stored.
MEMBER = [
    ("/", 200),
    ("/dashboard", 200),
    ("/cpd/", 200),
    ("/cpd/statements", 200),
    (f"/cpd/statement.pdf?cycle={YEAR}", 200),
    (f"/cpd/statement.csv?cycle={YEAR}", 200),
    ("/certification/", 200),
    ("/profile", 200),
    ("/login", 302),  # already signed in: a redirect
    ("/no/such/page", 404),
    ("/logout", 405),
    ("/?q=%00", 400),
    ("/admin/", 403),
    ("/api/v1/me", 200),  # the session cookie also authenticates the API
    ("/api/v1/no/such/thing", 404),
]


@pytest.mark.parametrize(("path", "status"), MEMBER)
def test_every_page_for_a_signed_in_member_is_no_store(app, member, path, status):
    response = signed_in(app, member.email).get(path)
    assert response.status_code == status, path
    assert_security_headers(response)
    assert no_store(response), (path, response.headers.get("Cache-Control"))


def test_static_files_and_published_images_stay_cacheable_when_signed_in(app, member):
    client = signed_in(app, member.email)
    for path in ("/static/site.css", PUBLISHED_IMAGE):
        response = client.get(path)
        assert response.status_code == 200
        assert_security_headers(response)
        assert cacheable(response), (path, response.headers.get("Cache-Control"))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/admin/", 302),  # to the admin dashboard
        ("/admin/members", 200),
        ("/admin/members.csv", 200),
        ("/cpd/review", 200),
        ("/authoring/", 200),
    ],
)
def test_admin_pages_and_exports_are_no_store(app, admin_user, path, status):
    response = signed_in(app, admin_user.email).get(path)
    assert response.status_code == status, path
    assert_security_headers(response)
    assert no_store(response)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/me", 200),
        ("/api/v1/me/cpd", 200),
        ("/api/v1/me/enrolments", 200),
        ("/api/v1/catalog/courses", 200),  # public data, but asked for with a token
        ("/api/v1/no/such/thing", 404),
    ],
)
def test_api_answers_to_a_bearer_token_are_no_store(app, member, path, status):
    _token, secret = create_token(member, "HR system")
    response = app.test_client().get(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert_security_headers(response)
    assert no_store(response)


def test_a_rejected_token_gets_a_json_401_with_the_headers(app, member):
    response = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.is_json
    assert_security_headers(response)
    assert no_store(response)


def test_login_redirect_and_logout_are_no_store(app, client, member):
    response = submit(client, "/login", {"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert_security_headers(response)
    assert no_store(response)
    response = submit(client, "/logout", {}, page="/profile")
    assert response.status_code == 302
    assert_security_headers(response)
    assert no_store(response)


def test_413_and_429_carry_the_headers(app, client, member):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 4096})
    assert response.status_code == 413
    assert_security_headers(response)
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    statuses = [
        submit(client, "/login", {"email": member.email, "password": "wrong"}).status_code
        for _ in range(8)
    ]
    assert 429 in statuses
    response = submit(client, "/login", {"email": member.email, "password": "wrong"})
    assert response.status_code == 429
    assert_security_headers(response)


def test_500_for_a_signed_in_member_carries_the_headers_and_no_store(app, member):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = signed_in(app, member.email).get("/broken")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert_security_headers(response)
    assert no_store(response)
    db.session.rollback()
