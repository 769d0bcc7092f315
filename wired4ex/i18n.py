"""Language and time-zone selection, and the date helpers templates use."""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import numbers
from flask import Flask, current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import (
    Domain,
    force_locale,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
)
from jinja2 import pass_context
from markupsafe import Markup

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

    install_request_domain(app)
    install_template_gettext(app)
    app.add_template_filter(show_date, "date")
    app.add_template_filter(policy_text, "policy_text")
    app.add_template_filter(show_datetime, "datetime")

    @app.template_filter("cpd_points")
    def _cpd_points(value) -> str:
        """Points with a half shown as .5 and whole numbers without decimals."""
        value = value or 0
        return _points(page_locale(), type(value), value)

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


class RequestDomain(Domain):
    """Flask-Babel's message domain, its translations looked up once per request (and again
    inside `force_locale`, which sets another locale object): Flask-Babel's own lookup goes
    through several context proxies for each of a page's hundred strings."""

    def get_translations(self):
        app_context = _cv_app.get(None)
        if app_context is None:
            return super().get_translations()
        names = app_context.g.__dict__
        locale = getattr(names.get("_flask_babel"), "babel_locale", None)
        cached = names.get(TRANSLATIONS_KEY)
        if locale is not None and cached is not None and cached[0] is locale:
            return cached[1]
        translations = super().get_translations()
        babel_context = names.get("_flask_babel")
        if babel_context is not None and getattr(babel_context, "babel_locale", None):
            names[TRANSLATIONS_KEY] = (babel_context.babel_locale, translations)
        return translations


TRANSLATIONS_KEY = "_wired4ex_translations"


def install_request_domain(app: Flask) -> None:
    """Python code's gettext (flask_babel.gettext, lazy strings) through `RequestDomain`."""
    configuration = app.extensions["babel"]
    current = configuration.instance.__dict__.get("domain_instance")  # a cached_property
    if not isinstance(current, RequestDomain):
        configuration.instance.domain_instance = RequestDomain(domain=configuration.default_domain)


def current_translations():
    """The translations of the locale in force (see RequestDomain)."""
    app_context = _cv_app.get(None)
    if app_context is not None:
        names = app_context.g.__dict__
        locale = getattr(names.get("_flask_babel"), "babel_locale", None)
        cached = names.get(TRANSLATIONS_KEY)
        if locale is not None and cached is not None and cached[0] is locale:
            return cached[1]
    return get_translations()


@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    text = current_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables  # as Jinja's newstyle gettext: always a format string


@pass_context
def _template_ngettext(context, singular: str, plural: str, count, **variables) -> str:
    variables.setdefault("num", count)
    text = current_translations().ungettext(singular, plural, count)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _template_pgettext(context, string_context: str, string: str, **variables) -> str:
    variables.setdefault("context", string_context)
    text = current_translations().upgettext(string_context, string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _template_npgettext(context, string_context, singular, plural, count, **variables) -> str:
    variables.setdefault("context", string_context)
    variables.setdefault("num", count)
    text = current_translations().unpgettext(string_context, singular, plural, count)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def install_template_gettext(app: Flask) -> None:
    """Templates' `_`, `gettext`, `ngettext` and `{% trans %}`: Jinja's newstyle gettext (the
    same escaping and formatting) over `current_translations`, in place of the callables
    Flask-Babel installs, which resolve the translations anew for every string."""
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )


@lru_cache(maxsize=4096)
def _points(locale, kind: type, value) -> str:
    """Babel's decimal formatting (slow: pattern parsing, locale data) once per locale and value
    (`kind` keeps 1.5 and Decimal("1.5") apart, as they hash alike)."""
    return numbers.format_decimal(value, format="#,##0.#", locale=locale)


@lru_cache(maxsize=4096)
def _formatted(locale, zone: str, kind: type, value, fmt: str) -> str:
    """A date or timestamp as shown to readers of `locale` in time zone `zone`, once per value
    (the arguments are the cache key; the formatting reads the same locale and zone)."""
    if kind is datetime and fmt == "long-with-time":
        return f"{format_date(value, 'long')} {format_time(value, 'short')}"
    if kind is datetime and fmt.startswith("datetime:"):
        return format_datetime(value, fmt.removeprefix("datetime:"))
    return format_date(value, fmt)


def show_date(value: date | datetime | None, fmt: str = "long") -> str:
    """A date with the month written out in the page's language: "22 Novemba 2026",
    "November 22, 2026". Timestamps are shown in the association's time zone."""
    if not value:
        return ""
    return _formatted(page_locale(), page_zone_name(), type(value), value, fmt)


def show_datetime(value: datetime | None, fmt: str = "long") -> str:
    """A timestamp as its date (see show_date) and the time of day: "22 Novemba 2026 14:05"."""
    if not value:
        return ""
    key = "long-with-time" if fmt == "long" else f"datetime:{fmt}"
    return _formatted(page_locale(), page_zone_name(), datetime, value, key)


@lru_cache(maxsize=64)
def _language_code(locale) -> str:
    return str(locale)


def _chosen(name: str):
    """Flask-Babel's locale ("babel_locale") or time zone ("babel_tzinfo") of this request once
    chosen, read where Flask-Babel keeps it; None before. Templates ask for them many times per
    page (every date, every point figure, every policy text), and Flask-Babel's own lookup goes
    through several context proxies each time (as RequestDomain avoids for the translations)."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    return getattr(app_context.g.__dict__.get("_flask_babel"), name, None)


def page_locale():
    """get_locale(), without the proxies once chosen."""
    return _chosen("babel_locale") or get_locale()


@lru_cache(maxsize=64)
def _zone_name(zone) -> str:
    return str(zone)


def page_zone_name() -> str:
    """str(get_timezone()), without the proxies once chosen."""
    return _zone_name(_chosen("babel_tzinfo") or get_timezone())


def reading_language() -> str:
    """The language pages are being written in; the default one outside an app."""
    chosen = _chosen("babel_locale")
    if chosen is not None:
        return _language_code(chosen)
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
