"""Session lifetimes, checked on the server: an idle timeout and an absolute lifetime, longer
when the member ticked "Keep me logged in" on a device of their own.

The session cookie is signed, so the times it carries (when the session started, when it was
last used) cannot be changed by the browser; a session older than its limits is ended on the
next request whatever the cookie's own expiry says."""

import time
from datetime import timedelta

from flask import Flask, current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from wired4ex.i18n import SESSION_KEY as LANGUAGE_KEY

STARTED = "_started"
SEEN = "_seen"
REMEMBER = "_keep_logged_in"  # not "_remember": Flask-Login owns that key
# The last-use time is rewritten at most this often, so most answers carry no new cookie.
SEEN_RESOLUTION = 60


def limits(remember: bool) -> tuple[int, int]:
    """(idle seconds, absolute seconds) for a session."""
    config = current_app.config
    if remember:
        days = config["REMEMBER_ME_DAYS"] * 24 * 3600
        return days, days
    return config["SESSION_IDLE_MINUTES"] * 60, config["SESSION_MAX_DAYS"] * 24 * 3600


def start(user, remember: bool = False, now: float | None = None) -> None:
    """A fresh session for a fresh login: nothing from before carries over."""
    now = time.time() if now is None else now
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language
    login_user(user)
    session[STARTED] = session[SEEN] = int(now)
    session[REMEMBER] = bool(remember)
    # A remembered session outlives the browser (PERMANENT_SESSION_LIFETIME, REMEMBER_ME_DAYS);
    # any other ends when the browser closes, or earlier by the limits above.
    session.permanent = bool(remember)


def end(keep_language: str | None = None) -> None:
    """Log out and forget everything but the reading language."""
    language = keep_language or session.get(LANGUAGE_KEY)
    logout_user()
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def check(now: float | None = None) -> None:
    """End a signed-in session that was idle too long or is older than its lifetime."""
    if "_user_id" not in session:
        return
    now = time.time() if now is None else now
    started, seen = session.get(STARTED), session.get(SEEN)
    idle, absolute = limits(bool(session.get(REMEMBER)))
    if (
        not isinstance(started, int)
        or not isinstance(seen, int)
        or now - seen > idle
        or now - started > absolute
    ):
        end()
        flash(_("Your session has ended. Please log in again."), "info")
        return
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN] = int(now)


def register(app: Flask) -> None:
    """Check every request's session before anything reads the signed-in user."""
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(days=30))
    app.before_request(check)
