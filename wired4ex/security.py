"""Security headers on every response, and the check for safe redirect targets."""

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
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


def register_security_headers(app: Flask) -> None:
    """Add the security headers to every response: pages, errors, static files, downloads."""

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
