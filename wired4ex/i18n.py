"""Language and time-zone selection, and the date helpers templates use."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
)

# Each language by its own name, as the switch in the page header shows it.
LANGUAGE_NAMES = {"en": "English", "sw": "Kiswahili"}
# Where a visitor's choice from the header switch is kept (members keep theirs in the profile).
SESSION_KEY = "language"


def select_locale() -> str:
    """The member's profile language; for visitors, the language they chose in the header,
    else the browser's best match among the supported ones, else English."""
    from flask_login import current_user

    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # the CLI and batch jobs use the default language
        return default
    supported = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    chosen = session.get(SESSION_KEY)
    if chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or default


def select_timezone() -> str:
    """Dates are shown in the association's time zone."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def warn_about_missing_catalogues(app: Flask) -> None:
    """Say so in the log when a language's compiled catalogue is missing: pages would silently
    fall back to English. `make translations` (or `pybabel compile -d wired4ex/translations`)
    builds it."""
    folder = Path(app.root_path) / "translations"
    for language in app.config["LANGUAGES"]:
        if language == app.config["BABEL_DEFAULT_LOCALE"]:
            continue
        if not (folder / language / "LC_MESSAGES" / "messages.mo").is_file():
            app.logger.warning(
                "No compiled %s catalogue in %s: pages will be in English. Run "
                "`pybabel compile -d wired4ex/translations` (make translations).",
                language,
                folder,
            )


def register_template_helpers(app: Flask) -> None:
    """Filters that show UTC timestamps in the association's time zone, and the page language."""
    warn_about_missing_catalogues(app)

    @app.context_processor
    def _locale() -> dict:
        current = str(get_locale() or "en")
        others = {code: LANGUAGE_NAMES[code] for code in app.config["LANGUAGES"] if code != current}
        return {"current_locale": current, "other_languages": others}

    app.add_template_filter(show_date, "date")
    app.add_template_filter(policy_text, "policy_text")
    app.add_template_filter(show_datetime, "datetime")

    @app.template_filter("cpd_points")
    def _cpd_points(value) -> str:
        """Points with a half shown as .5 and whole numbers without decimals."""
        return format_decimal(value or 0, format="#,##0.#")

    @app.template_filter("plural_count")
    def _plural_count(value) -> int:
        """The count ngettext chooses a form by, for points that may be fractional: a whole
        number as itself, a fraction (1.5) as "many" (English and Swahili say "1.5 points")."""
        number = Decimal(str(value or 0))
        return int(number) if number == number.to_integral_value() else 2

    @app.template_filter("isodate")
    def _isodate(value: str) -> str:
        """A stored ISO date ("2026-03-12") shown like other dates."""
        return show_date(date.fromisoformat(value)) if value else ""


def show_date(value: date | datetime | None, fmt: str = "long") -> str:
    """A date with the month written out in the page's language: "22 Novemba 2026",
    "November 22, 2026". Timestamps are shown in the association's time zone."""
    return format_date(value, fmt) if value else ""


def show_datetime(value: datetime | None, fmt: str = "long") -> str:
    """A timestamp as its date (see show_date) and the time of day: "22 Novemba 2026 14:05"."""
    if not value:
        return ""
    if fmt != "long":
        return format_datetime(value, fmt)
    return f"{format_date(value, 'long')} {format_time(value, 'short')}"


def reading_language() -> str:
    """The language pages are being written in; the default one outside an app."""
    try:
        return str(get_locale() or "en")
    except RuntimeError:  # no application context: a script
        return "en"


def localised(entry: dict, key: str = "name") -> str:
    """A policy text in the reader's language: `name_sw` for Swahili readers where the policy
    file gives one, else the English `name`."""
    return str(entry.get(f"{key}_{reading_language()}") or entry.get(key) or "")


def policy_text(text: str) -> str:
    """A name stored in English from a policy file (a CPD category on a statement, a programme on
    a certificate), in the reader's language when the policy gives one (`name_sw`)."""
    language = reading_language()
    if not text or language == current_app.config["BABEL_DEFAULT_LOCALE"]:
        return text
    cache = g.setdefault("policy_texts", {})
    if language not in cache:
        from wired4ex.catalog.structure import structure

        texts: dict[str, str] = {}

        def collect(entry: dict) -> None:
            for key in ("name", "description"):
                if entry.get(key) and entry.get(f"{key}_{language}"):
                    texts[" ".join(str(entry[key]).split())] = str(entry[f"{key}_{language}"])
            for nested in ("domains", "competencies", "categories", "programmes"):
                for item in entry.get(nested) or []:
                    if isinstance(item, dict):
                        collect(item)

        for data in structure().policies.values():
            collect(data)
        cache[language] = texts
    return cache[language].get(" ".join(text.split()), text)


def canonical():
    """Write stored texts (statement snapshots, certificate names) in the default language, so
    they read the same whoever issued them; pages translate them when they show them."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])
