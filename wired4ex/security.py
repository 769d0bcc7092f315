"""Security headers on every response, and the check for safe redirect targets."""

from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, request, session

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def register_input_guard(app: Flask) -> None:
    """Refuse NUL characters in the path, query string and form fields with a 400.

    No text a person types contains one, and PostgreSQL cannot store one, so letting it through
    would only turn a probe into a server error.
    """

    @app.before_request
    def _refuse_nul() -> None:
        if "\x00" in request.path or _has_nul(request.args.values()):
            abort(400)
        if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form.values()):
            abort(400)


# Endpoints whose answers name a member to anyone who asks (a verifier has no account): their
# pages must not stay in a shared or browser cache either (a revocation shows at once).
PERSONAL_ENDPOINT_PREFIXES = ("verify.",)


def _is_static(endpoint: str | None) -> bool:
    return endpoint == "static" or (endpoint or "").endswith(".static")


def _is_personal() -> bool:
    """Whether a response may carry personal data, so that no cache may keep it.

    True when the request is authenticated (a session with a signed-in user, a user loaded from
    the remember cookie, or an Authorization header such as an API bearer token, whether or not
    it was accepted), when this response sets or clears the session (logging in or out, a new
    CSRF token in a form), and for the public verification pages.
    """
    if request.authorization is not None or g.get("api_user") is not None:
        return True
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    if session.modified or session.get("_user_id") is not None:
        return True
    return (request.endpoint or "").startswith(PERSONAL_ENDPOINT_PREFIXES)


def register_security_headers(app: Flask) -> None:
    """Add the security headers to every response: pages, redirects, error pages (HTML and API
    JSON), static files, downloads.

    Caching rule: a response that may carry personal data (see _is_personal) gets
    `Cache-Control: private, no-store`, replacing whatever the view set (a view's own `no-store`
    is kept as it is), so neither a shared proxy nor the browser keeps a member's pages,
    downloads or API answers (the back button on a shared phone after logout shows nothing). Two exceptions keep shared files cacheable: static
    files (the endpoint `static`, the same for everyone and never personal), and a response whose
    view declared it `public` (a published course's image is the same for every reader). Other
    anonymous responses keep the view's caching, or none.
    """

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        shared = _is_static(request.endpoint) or response.cache_control.public
        if not shared and not response.cache_control.no_store and _is_personal():
            headers["Cache-Control"] = "private, no-store"
            headers.pop("Expires", None)
        return response


def is_safe_redirect(target: str | None) -> bool:
    """True for a path on this site ("/courses"), false for other hosts or schemes.

    Browsers read "//evil.example" and "/\\evil.example" as other hosts, so both are refused.
    """
    if not target:
        return False
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)
