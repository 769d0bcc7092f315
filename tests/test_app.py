"""The application shell: configuration, security headers, error pages, time zone, migrations."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import render_template_string

from config import ProductionConfig
from wired4ex import create_app
from wired4ex.extensions import db

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_security_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/login", 200), ("/static/site.css", 200), ("/no/such/page", 404)],
)
def test_security_headers_on_every_kind_of_response(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)


def test_session_cookie_is_httponly_and_lax(client, make_user, auth):
    make_user(email="amina@example.org")
    response = auth.login("amina@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_friendly_404_page(client):
    response = client.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "Traceback" not in page


def test_wrong_method_gets_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert_security_headers(response)


def test_request_too_large_gets_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 4096})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_unexpected_error_gets_500_page_without_trace(app):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/broken")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "secret internals" not in page and "Traceback" not in page
    assert_security_headers(response)


def test_production_refuses_to_start_without_secret_key():
    class Unset(ProductionConfig):
        SECRET_KEY = None

    with pytest.raises(SystemExit, match="SECRET_KEY is not set"):
        create_app(Unset)


def test_production_cookies_are_secure(config_class):
    class Production(ProductionConfig):
        SECRET_KEY = "a-real-secret"
        PUBLIC_BASE_URL = "https://cpd.hesma.example"
        SQLALCHEMY_DATABASE_URI = config_class.SQLALCHEMY_DATABASE_URI

    app = create_app(Production)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_dates_are_shown_in_nairobi_time(app):
    late_on_new_years_eve_utc = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 01:30 in Nairobi
    with app.test_request_context():
        shown = render_template_string(
            "{{ value|date }} {{ value|datetime }}", value=late_on_new_years_eve_utc
        )
    assert shown.startswith("January 1, 2027")
    assert "1:30" in shown


def test_time_zone_is_configurable(app):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    value = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    with app.test_request_context():
        assert render_template_string("{{ value|date }}", value=value) == "December 31, 2026"


def test_migrations_match_the_models(app):
    """The schema built by `flask db upgrade` is exactly what the models declare."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_pages_have_labelled_fields_and_a_language(client):
    page = client.get("/register").get_data(as_text=True)
    assert '<html lang="en">' in page
    for field in ("full_name", "email", "password", "confirm", "country"):
        assert f'<label for="{field}">' in page
    assert 'name="viewport"' in page
    assert "http://" not in page.replace("http://localhost", "")  # nothing from other hosts
