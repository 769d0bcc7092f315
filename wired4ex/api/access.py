"""Who is calling the API, what they may read, and the JSON errors every failure becomes.

A request carries either `Authorization: Bearer <token>` (a personal access token) or the browser
session cookie. Token requests are exempt from CSRF; session requests that change something would
still need the CSRF token (the API only reads, so none does today). The token itself never reaches
a log: it is read from the header here and only its hash is looked up.
"""

import logging
from functools import wraps

from flask import current_app, g, jsonify, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from wired4ex.api import bp
from wired4ex.auth.tokens import authenticate_token
from wired4ex.cpd.policy import PolicyMissing
from wired4ex.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, forget_database_state
from wired4ex.extensions import csrf, limiter

log = logging.getLogger(__name__)

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("Authentication is required: send a valid personal access token as a Bearer token."),
    403: _l("Your account is not allowed to read this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here; the API only reads (GET)."),
    413: _l("The request is too large."),
    429: _l("Too many requests: slow down and try again in a minute."),
    500: _l("An unexpected error happened. It has been logged."),
    503: _l("The service is not ready: the CPD policy has not been loaded."),
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiError(Exception):
    """A refusal with its HTTP status, a stable machine code and a message for people."""

    def __init__(self, status: int, message: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.message = str(message or MESSAGES.get(status) or _l("Error."))


def error_response(status: int, message: str | None = None, code: str | None = None):
    """The JSON body and status of an error."""
    error = ApiError(status, message, code)
    response = jsonify({"error": {"code": error.code, "message": error.message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wired4ex"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- authentication -------------------------------------------------------------------------------

csrf.exempt(bp)  # the CSRF check is made below, for session requests only


@bp.before_request
def _authenticate():
    g.api_user = None
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, gettext("Send the token as `Authorization: Bearer <token>`."))
        token = authenticate_token(secret.strip())
        if token is None:
            raise ApiError(
                401, gettext("The token is not valid: it may be mistyped, expired or revoked.")
            )
        g.api_token = token
        g.api_user = token.user
    elif current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        g.api_user = current_user._get_current_object()


@bp.before_app_request
def _json_routing_errors():
    """Unknown addresses and methods under /api/ get JSON too (routing failed, so the blueprint's
    own handlers never see them)."""
    failure = request.routing_exception
    if (
        isinstance(failure, HTTPException)
        and (failure.code or 0) >= 400
        and request.path.startswith(bp.url_prefix + "/")
    ):
        response = error_response(failure.code)
        if failure.code == 405 and getattr(failure, "valid_methods", None):
            response.headers["Allow"] = ", ".join(failure.valid_methods)
        return response
    return None


def require_scope(scope: str) -> None:
    """A token must carry the scope of what it reads (a browser session reads as its user)."""
    token = g.get("api_token")
    if token is not None and scope not in token.scope_list:
        raise ApiError(
            403,
            gettext("This token does not have the %(scope)s scope.", scope=scope),
            code="insufficient_scope",
        )


def scope_required(scope: str):
    """Decorate a view readable by anyone: a token sent along must still carry the scope."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require_scope(scope)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def member_required(view):
    """A signed-in caller (session or token with the `me` scope); 401 otherwise."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("api_user") is None:
            raise ApiError(401)
        require_scope("me")
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """An admin (session or an admin's token); 401 for nobody, 403 for anyone else."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = g.get("api_user")
        if user is None:
            raise ApiError(401)
        if not user.is_admin:
            raise ApiError(403, gettext("Only the secretariat (admins) can read this."))
        require_scope("admin:read")
        return view(*args, **kwargs)

    return wrapper


# -- rate limits ------------------------------------------------------------------------------------


def _limit_value() -> str:
    return current_app.config["API_RATE_LIMIT"]


def rate_limit_key() -> str:
    """Per token; per account for the browser session; per address for anonymous callers."""
    if g.get("api_token") is not None:
        return f"api-token:{g.api_token.id}"
    if g.get("api_user") is not None:
        return f"api-user:{g.api_user.id}"
    return f"api-ip:{request.remote_addr}"


api_limit = limiter.shared_limit(_limit_value, scope="api", key_func=rate_limit_key)


# -- errors ---------------------------------------------------------------------------------------


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.message, error.code)


@bp.errorhandler(PolicyMissing)
def _policy_missing(error: PolicyMissing):
    return error_response(503)


def _database_unavailable(error: Exception):
    """The database cannot be reached: a JSON 503 with Retry-After, as for the pages."""
    if current_app.testing and current_app.config.get("PROPAGATE_EXCEPTIONS") is not False:
        raise error
    log.error("Database unavailable, API answering 503: %s", error, exc_info=error)
    forget_database_state()
    message = gettext("The database is briefly unavailable. Try again in a minute.")
    response = error_response(503, message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


for _kind in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_kind, _database_unavailable)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    message = None
    if error.code == 429:
        message = gettext(
            "Too many requests (limit: %(limit)s). Try again in a minute.", limit=error.description
        )
    response = error_response(error.code, message)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    if current_app.testing and current_app.config.get("PROPAGATE_EXCEPTIONS") is not False:
        raise error
    log.exception("Unhandled API error", exc_info=error)
    return error_response(500)
