"""Friendly error pages, without stack traces."""

import logging

import sqlalchemy as sa
from flask import Flask, current_app, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

# The database cannot be reached (server down or restarting, connection lost, pool exhausted): a
# temporary condition, answered with 503 and a Retry-After instead of a 500.
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
RETRY_AFTER_SECONDS = 30

PLAIN_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>'
    "<h1>{title}</h1><p>{message}</p></html>"
)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved.")),
    405: (_l("Not allowed"), _l("That action is not available on this page.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than we accept. Please send a smaller file."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times. Please wait a minute and try again."),
    ),
    500: (_l("Something went wrong"), _l("An unexpected error happened. It has been logged.")),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is briefly unavailable. Please try again in a moment."),
    ),
}
DATABASE_DOWN_MESSAGE = _l(
    "Wired4EX cannot reach its database just now, so this page cannot be shown. Nothing you saved "
    "before is lost. Please try again in a minute."
)


def render_error(status: int, message: str | None = None):
    """The error page for an HTTP status."""
    title, default_message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    try:
        body = render_template(
            "errors/error.html", status=status, title=title, message=message or default_message
        )
    except Exception:  # the layout itself failed (e.g. the database is down): plain page
        log.exception("Error page could not be rendered")
        body = PLAIN_PAGE.format(title=escape(title), message=escape(message or default_message))
    return body, status


def forget_database_state() -> None:
    """After a lost database: drop the failed transaction, and render pages as for a visitor
    (the signed-in user cannot be loaded without the database)."""
    from wired4ex.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool replaces it later (dbping)
        log.debug("Rollback after a database failure failed", exc_info=True)
    g._login_user = current_app.login_manager.anonymous_user()


def database_unavailable_page():
    """The friendly 503 page shown while the database cannot be reached."""
    forget_database_state()
    body, status = render_error(503, DATABASE_DOWN_MESSAGE)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return body, status, headers


def register_error_handlers(app: Flask) -> None:
    """Every HTTP error gets the friendly page; unexpected exceptions are logged and become 500."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400, _l("The form expired or was not sent correctly. Please try again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    def _database_unavailable(error: Exception):
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise error  # tests see the real traceback, unless they test this page
        log.error("Database unavailable, answering 503: %s", error, exc_info=error)
        return database_unavailable_page()

    for kind in DATABASE_UNAVAILABLE:
        app.register_error_handler(kind, _database_unavailable)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise error  # tests see the real traceback, unless they test this page
        log.exception("Unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
