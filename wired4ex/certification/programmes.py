"""Certification programmes as the synced policy defines them, and the texts of their rules.

Rule texts are worked out once per language and reused (`_`): an evaluation of thousands of
members repeats the same labels, and a gettext call costs more than the rule it describes.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app, g
from flask_babel import get_locale
from flask_babel import gettext as _gettext

from wired4ex import contentversion
from wired4ex.catalog.structure import policy_data
from wired4ex.i18n import localised


def texts() -> dict:
    """This app context's rule texts in the current language: {(message, values): text}."""
    return g.setdefault("eligibility_texts", {}).setdefault(str(get_locale()), {})


def _(message: str, **values) -> str:
    """gettext, each text worked out once per app context and language."""
    return say(texts(), message, **values)


def say(known: dict, message: str, **values) -> str:
    """gettext through `known` (from texts()), for loops that keep the dictionary at hand."""
    key = (message, tuple(values.items()))
    text = known.get(key)
    if text is None:
        text = known[key] = _gettext(message, **values)
    return text


def months_before(day: date, months: int) -> date:
    """The same day N months earlier (the month's last day when that day does not exist)."""
    year, month_zero = divmod(day.year * 12 + (day.month - 1) - months, 12)
    last_day = calendar.monthrange(year, month_zero + 1)[1]
    return date(year, month_zero + 1, min(day.day, last_day))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


@dataclass(frozen=True)
class DomainRule:
    domain: str
    minimum: Decimal
    window_months: int


@dataclass(frozen=True)
class Programme:
    code: str
    texts: tuple[tuple[str, str], ...]  # name, description and their _sw forms, as given
    level: int
    validity_months: int | None
    membership_categories: tuple[str, ...] | None
    required_courses: tuple[str, ...]
    cpd_minimum: Decimal | None
    cpd_window_months: int | None
    domain_rules: tuple[DomainRule, ...]
    prerequisites: tuple[str, ...]
    good_standing: bool = False  # rule member_in_good_standing: an approved, current membership

    @classmethod
    def from_data(cls, data: dict) -> "Programme":
        rules = data.get("rules") or {}
        points = rules.get("cpd_points") or {}
        categories = rules.get("membership_categories")
        return cls(
            code=str(data["code"]),
            texts=tuple(
                (key, " ".join(str(value).split()))
                for key, value in data.items()
                if key.startswith(("name", "description"))
            ),
            level=int(data.get("level", 1)),
            validity_months=data.get("validity_months"),
            membership_categories=tuple(categories) if categories else None,
            required_courses=tuple(rules.get("required_courses") or ()),
            cpd_minimum=Decimal(str(points["minimum"])) if points else None,
            cpd_window_months=int(points["window_months"]) if points else None,
            domain_rules=tuple(
                DomainRule(str(r["domain"]), Decimal(str(r["minimum"])), int(r["window_months"]))
                for r in rules.get("domain_points") or ()
            ),
            prerequisites=tuple(rules.get("prerequisites") or ()),
            good_standing=rules.get("member_in_good_standing") is True,
        )

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return localised(dict(self.texts))

    @property
    def description(self) -> str:
        return localised(dict(self.texts), "description")

    @property
    def longest_window(self) -> int:
        windows = [r.window_months for r in self.domain_rules]
        if self.cpd_window_months:
            windows.append(self.cpd_window_months)
        return max(windows, default=0)

    def criteria_text(self, course_titles: dict[str, str], domain_names: dict[str, str]) -> str:
        """The rules in one paragraph, for the certificate and its Open Badge."""
        parts = []
        if self.good_standing:
            parts.append(_("being a member in good standing"))
        if self.membership_categories:
            parts.append(_("open to these membership categories: %(categories)s",
                           categories=_membership_names(self.membership_categories)))  # fmt: skip
        if self.prerequisites:
            parts.append(_("holding a valid %(names)s certification",
                           names=", ".join(self.prerequisites)))  # fmt: skip
        for key in self.required_courses:
            parts.append(_("completing %(title)s", title=course_titles.get(key, key)))
        if self.cpd_minimum is not None:
            parts.append(_cpd_rule(self.cpd_minimum, self.cpd_window_months))
        for rule in self.domain_rules:
            parts.append(_domain_rule(rule.minimum, domain_names.get(rule.domain, rule.domain),
                                      rule.window_months))  # fmt: skip
        return _("Awarded for %(criteria)s.", criteria="; ".join(parts)) if parts else ""


def _membership_names(codes) -> str:
    from wired4ex.auth.forms import MEMBERSHIP_LABELS

    return ", ".join(str(MEMBERSHIP_LABELS.get(code, code)) for code in codes)


def _cpd_rule(points: Decimal, months: int) -> str:
    return _("%(points)s counted CPD points within %(months)d months",
             points=_fmt(points), months=months)  # fmt: skip


def _domain_rule(points: Decimal, domain: str, months: int) -> str:
    return _("%(points)s points in %(domain)s within %(months)d months",
             points=_fmt(points), domain=domain, months=months)  # fmt: skip


def _fmt(points: Decimal) -> str:
    text = f"{Decimal(points).quantize(Decimal('0.1'))}"
    return text[:-2] if text.endswith(".0") else text


def load_programmes() -> list[Programme]:
    """The programmes of the synced certifications policy, by level."""
    return list(contentversion.cached("programmes", _read_programmes))


def _read_programmes() -> list[Programme]:
    data = policy_data("certifications")
    if data is None:
        return []
    programmes = [Programme.from_data(item) for item in data.get("programmes", [])]
    return sorted(programmes, key=lambda p: (p.level, p.code))


@dataclass
class Prepared:
    """One programme's rules with their fixed texts in the reader's language."""

    programme: Programme
    name: str
    standing_label: str
    membership: tuple[frozenset[str], str, str, str] | None  # allowed, label, need, missing
    prerequisites: list[tuple[str, str, str]]  # code, label, missing
    courses: list[tuple[int | None, str, str]]  # course id, label, missing
    cpd: tuple[date, str, str] | None  # since, label, need
    domains: list[tuple[DomainRule, date, str, str, str]]  # rule, since, name, label, need


def prepare(programme: Programme, courses, domain_names, names_by_code, today: date,
             known: dict) -> Prepared:  # fmt: skip
    membership = None
    if programme.membership_categories:
        categories = _membership_names(programme.membership_categories)
        membership = (
            frozenset(programme.membership_categories),
            say(known, "Membership category"),
            ", ".join(programme.membership_categories),
            say(known, "only for these membership categories: %(categories)s",
                categories=categories),
        )  # fmt: skip
    prerequisites = []
    for code in programme.prerequisites:
        name = names_by_code.get(code, code)
        prerequisites.append((
            code, say(known, "Valid %(name)s certification", name=name),
            say(known, "requires a valid %(name)s certification", name=name),
        ))  # fmt: skip
    required = []
    for key in programme.required_courses:
        course = courses.get(key)
        title = course.title if course else key
        required.append((
            course.id if course else None, say(known, "Complete %(title)s", title=title),
            say(known, "complete %(title)s", title=title),
        ))  # fmt: skip
    cpd = None
    if programme.cpd_minimum is not None:
        cpd = (
            months_before(today, programme.cpd_window_months),
            _cpd_rule(programme.cpd_minimum, programme.cpd_window_months),
            _fmt(programme.cpd_minimum),
        )  # fmt: skip
    rules = []
    for rule in programme.domain_rules:
        name = domain_names.get(rule.domain, rule.domain)
        rules.append((
            rule, months_before(today, rule.window_months), name,
            _domain_rule(rule.minimum, name, rule.window_months), _fmt(rule.minimum),
        ))  # fmt: skip
    return Prepared(programme, programme.name, say(known, "Member in good standing"),
                     membership, prerequisites, required, cpd, rules)  # fmt: skip


def prepare_all(programmes: list[Programme], content, today: date, known: dict) -> list[Prepared]:
    courses, _domains, domain_names = content
    # Prerequisites may name programmes outside the ones being evaluated.
    names_by_code = {p.code: p.name for p in load_programmes()} | {
        p.code: p.name for p in programmes
    }
    return [prepare(p, courses, domain_names, names_by_code, today, known) for p in programmes]


PREPARED_KEPT = 16  # (content version, language, day, programmes) kept per process


def prepared_cache(programmes: list[Programme], today: date) -> list | None:
    """Where the programmes' content (eligibility's `_content`) and prepared rules
    (`prepare_all`) are kept per process, for this request's content version, the reader's
    language and `today`: a list holding both when worked out before, an empty one to fill
    otherwise; None without a content version (nothing is kept). The programmes (those of the
    content version, from `load_programmes`) are kept alive by the filled entry, so their ids
    name them."""
    version = contentversion.current()
    if version is None:
        return None
    store = current_app.extensions.setdefault("wired4ex.certification_prepared", {})
    key = (version, str(get_locale()), today, tuple(id(p) for p in programmes))
    entry = store.get(key)
    if entry is None:
        if len(store) >= PREPARED_KEPT:
            store.clear()
        entry = store[key] = []
    return entry
