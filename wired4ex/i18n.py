"""Language and time-zone selection, and the date helpers templates use."""

from datetime import datetime

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale


def select_locale() -> str:
    """The member's language, else the browser's best match among the supported ones."""
    from flask_login import current_user

    if not has_request_context():  # the CLI and batch jobs use the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    supported = current_app.config["LANGUAGES"]
    preferred = getattr(current_user, "language", None)
    if preferred in supported:
        return preferred
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    """Dates are shown in the association's time zone."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def register_template_helpers(app: Flask) -> None:
    """Filters that show UTC timestamps in the association's time zone, and the page language."""

    @app.context_processor
    def _locale() -> dict:
        return {"current_locale": str(get_locale() or "en")}

    @app.template_filter("date")
    def _date(value: datetime | None, fmt: str = "medium") -> str:
        return format_date(value, fmt) if value else ""

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "medium") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("cpd_points")
    def _cpd_points(value) -> str:
        """Points with a half shown as .5 and whole numbers without decimals."""
        return format_decimal(value or 0, format="#,##0.#")

    @app.template_filter("isodate")
    def _isodate(value: str) -> str:
        """A stored ISO date ("2026-03-12") shown like other dates."""
        from datetime import date

        return format_date(date.fromisoformat(value), "medium") if value else ""
