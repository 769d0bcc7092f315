"""The policy files: CPD policy, competency framework, certification programmes.

Each validator takes a parsed YAML mapping and reports problems with line numbers; the loader
stores the parsed data as it is, and the features read it through these helpers.
"""

import re
from collections.abc import Callable
from decimal import Decimal

from wired4ex.auth.models import MembershipCategory
from wired4ex.catalog.sources import YamlMapping

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")
POLICY_FILES = ("competencies", "cpd", "certifications", "membership")
# Names and descriptions may be given in Swahili as well, as name_sw and description_sw; the
# pages show the one in the reader's language, and the English one when there is none.
TRANSLATIONS = ("sw",)


def translated(*keys: str) -> set[str]:
    """The keys with their per-language variants: name -> name, name_sw."""
    return set(keys) | {f"{key}_{language}" for key in keys for language in TRANSLATIONS}


def _check_texts(item: dict, keys: tuple[str, ...], where: str, line: int, report) -> None:
    for key in sorted(translated(*keys) & item.keys()):
        value = item[key]
        if not isinstance(value, str) or not value.strip():
            report(line, f"{key!r} in {where} must be a piece of text")


Report = Callable[[int, str], None]


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_keys(
    item: dict, allowed: set[str], required: set[str], where: str, line: int, report, key_line=None
):
    """Report unknown and missing keys; key_line(key) gives an unknown key's own line."""
    for key in item:
        if key not in allowed:
            report(key_line(key) if key_line else line,
                   f"unknown key {key!r} in {where} (allowed: {', '.join(sorted(allowed))})")  # fmt: skip
    for key in sorted(required - item.keys()):
        report(line, f"missing key {key!r} in {where}")


def _list_of_mappings(meta: YamlMapping, key: str, report: Report) -> list[dict]:
    value = meta.data.get(key)
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        report(meta.line_of(key), f"{key!r} must be a list of entries")
        return []
    return value


def validate_competencies(meta: YamlMapping, report: Report) -> set[str]:
    """Check the competency framework; returns the competency codes it defines."""
    _check_keys(meta.data, {"domains"}, {"domains"}, "competencies.yml", 1, report, meta.line_of)
    codes: set[str] = set()
    for index, domain in enumerate(_list_of_mappings(meta, "domains", report)):
        line = meta.line_at("domains", index)
        _check_keys(
            domain,
            translated("name") | {"code", "competencies"},
            {"code", "name"},
            "a domain",
            line,
            report,
        )
        _check_texts(domain, ("name",), "a domain", line, report)
        if not CODE.match(str(domain.get("code", ""))):
            report(line, f"domain code {domain.get('code')!r} must be a short code like LG")
        if str(domain.get("code")) in codes:
            report(line, f"duplicate code {domain.get('code')!r}")
        codes.add(str(domain.get("code")))
        for competency in domain.get("competencies") or []:
            if not isinstance(competency, dict):
                report(line, "each competency needs a code and a name")
                continue
            _check_keys(
                competency,
                translated("name") | {"code"},
                {"code", "name"},
                "a competency",
                line,
                report,
            )
            _check_texts(competency, ("name",), "a competency", line, report)
            code = str(competency.get("code", ""))
            if not CODE.match(code):
                report(line, f"competency code {code!r} must be a short code like LG1")
            if code in codes:
                report(line, f"duplicate code {code!r}")
            codes.add(code)
    domain_codes = {
        str(d.get("code")) for d in meta.data.get("domains") or [] if isinstance(d, dict)
    }
    return codes - domain_codes


def domain_codes(data: dict) -> set[str]:
    return {str(domain["code"]) for domain in data.get("domains", [])}


def validate_cpd(meta: YamlMapping, report: Report) -> dict[str, Decimal | None]:
    """Check the CPD policy; returns category code -> per-activity maximum (None for none)."""
    data = meta.data
    _check_keys(data, {"cycle", "categories", "targets", "minimums", "reminders"},
                {"categories", "targets"},
                "cpd.yml", 1, report, meta.line_of)  # fmt: skip
    cycle = data.get("cycle") or {}
    if not isinstance(cycle, dict) or set(cycle) - {"start_month"}:
        report(meta.line_of("cycle"), "'cycle' takes one key, start_month (1 to 12)")
    elif "start_month" in cycle and cycle["start_month"] not in range(1, 13):
        report(meta.line_of("cycle"), "cycle start_month must be a whole number from 1 to 12")
    categories: dict[str, Decimal | None] = {}
    for index, category in enumerate(_list_of_mappings(meta, "categories", report)):
        line = meta.line_at("categories", index)
        _check_keys(category, translated("name") | {"code", "cap", "max_per_activity"},
                    {"code", "name"}, "a category", line, report)  # fmt: skip
        _check_texts(category, ("name",), "a category", line, report)
        code = str(category.get("code", ""))
        if not CODE.match(code):
            report(line, f"category code {code!r} must be a short code like structured")
        if code in categories:
            report(line, f"duplicate category {code!r}")
        for key in ("cap", "max_per_activity"):
            value = category.get(key)
            if value is not None and (not is_number(value) or value < 0):
                report(line, f"{key} of {code!r} must be a number of points, or left out")
        maximum = category.get("max_per_activity")
        categories[code] = Decimal(str(maximum)) if is_number(maximum) else None
    targets = data.get("targets")
    line = meta.line_of("targets")
    if not isinstance(targets, dict):
        report(line, "'targets' must give a yearly target for each membership category")
    else:
        for name in targets:
            if name not in {c.value for c in MembershipCategory}:
                report(
                    meta.line_at("targets", name),
                    f"unknown membership category {name!r} in targets",
                )
        for member_category in MembershipCategory:
            value = targets.get(member_category.value)
            if value is None:
                report(line, f"targets: missing membership category {member_category.value!r}")
            elif value != "exempt" and (not is_number(value) or value < 0):
                report(
                    meta.line_at("targets", member_category.value),
                    f"target of {member_category.value!r} must be points or 'exempt'",
                )
    minimums = data.get("minimums") or {}
    if not isinstance(minimums, dict):
        report(meta.line_of("minimums"), "'minimums' maps a category code to points")
    else:
        for code, value in minimums.items():
            if code not in categories:
                report(meta.line_of("minimums"), f"minimums: unknown CPD category {code!r}")
            if not is_number(value) or value < 0:
                report(meta.line_of("minimums"), f"minimum for {code!r} must be a number")
    reminders = data.get("reminders") or {}
    days = reminders.get("days", []) if isinstance(reminders, dict) else None
    if (
        days is None
        or set(reminders) - {"days"}
        or not isinstance(days, list)
        or not all(isinstance(day, int) and 0 < day <= 366 for day in days)
    ):
        report(meta.line_of("reminders"),
               "'reminders' takes one key, days: a list of whole days from 1 to 366")  # fmt: skip
    return categories


PROGRAMME_KEYS = translated("name", "description") | {"code", "level", "validity_months", "rules"}
RULE_KEYS = {
    "membership_categories",
    "required_courses",
    "cpd_points",
    "domain_points",
    "prerequisites",
    "member_in_good_standing",
}


def validate_certifications(
    meta: YamlMapping, report: Report, course_keys: set[str], domains: set[str]
) -> None:
    """Check the certification programmes against known courses and competency domains."""
    _check_keys(
        meta.data, {"programmes"}, {"programmes"}, "certifications.yml", 1, report, meta.line_of
    )
    programmes = _list_of_mappings(meta, "programmes", report)
    codes = [str(p.get("code", "")) for p in programmes]
    for index, programme in enumerate(programmes):
        line = meta.line_at("programmes", index)
        code = str(programme.get("code", ""))
        _check_keys(programme, PROGRAMME_KEYS, {"code", "name", "level", "rules"},
                    f"programme {code!r}", line, report)  # fmt: skip
        _check_texts(programme, ("name", "description"), f"programme {code!r}", line, report)
        if not CODE.match(code):
            report(line, f"programme code {code!r} must be a short code like AHSM")
        if codes.count(code) > 1:
            report(line, f"duplicate programme {code!r}")
        if not isinstance(programme.get("level"), int) or isinstance(programme.get("level"), bool):
            report(line, f"level of {code!r} must be a whole number")
        validity = programme.get("validity_months")
        if validity is not None and (not isinstance(validity, int) or validity <= 0):
            report(line, f"validity_months of {code!r} must be a positive whole number")
        rules = programme.get("rules")
        if not isinstance(rules, dict):
            report(line, f"rules of {code!r} must be a mapping")
            continue
        _check_keys(rules, RULE_KEYS, set(), f"rules of {code!r}", line, report)
        if "member_in_good_standing" in rules and not isinstance(
            rules["member_in_good_standing"], bool
        ):
            report(line, f"{code}: member_in_good_standing must be true or false")
        for category in rules.get("membership_categories") or []:
            if category not in {c.value for c in MembershipCategory}:
                report(line, f"{code}: unknown membership category {category!r}")
        for number, course in enumerate(rules.get("required_courses") or []):
            if course not in course_keys:
                report(meta.line_at("programmes", index, "rules", "required_courses", number),
                       f"{code}: unknown course {course!r} (use <institution>/<course>)")  # fmt: skip
        for number, needed in enumerate(rules.get("prerequisites") or []):
            if needed not in codes:
                report(meta.line_at("programmes", index, "rules", "prerequisites", number),
                       f"{code}: unknown prerequisite programme {needed!r}")  # fmt: skip
        points = rules.get("cpd_points")
        if points is not None and not _valid_window(points):
            report(line, f"{code}: cpd_points needs minimum (points) and window_months")
        for rule in rules.get("domain_points") or []:
            if not _valid_window(rule, extra={"domain"}):
                report(
                    line, f"{code}: each domain_points rule needs domain, minimum, window_months"
                )
            elif rule["domain"] not in domains:
                report(line, f"{code}: unknown competency domain {rule['domain']!r}")


def _valid_window(rule, extra: set[str] = frozenset()) -> bool:
    return (
        isinstance(rule, dict)
        and set(rule) == {"minimum", "window_months", *extra}
        and is_number(rule["minimum"])
        and rule["minimum"] >= 0
        and isinstance(rule["window_months"], int)
        and rule["window_months"] > 0
    )
