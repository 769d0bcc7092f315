"""Friendly error pages, without stack traces."""

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

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

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise error  # tests see the real traceback, unless they test this page
        log.exception("Unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
