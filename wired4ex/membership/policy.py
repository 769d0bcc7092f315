"""The membership policy, content/policy/membership.yml: per category, who may apply, the renewal
period, the grace period, whether a renewal needs the last CPD target met, and the application's
fields.

Read from the content folder (CONTENT_DIR) and cached until the file changes, so a page asking
for a membership's status costs no query for the policy. `flask content check` validates it with
`validate_membership`, and `flask content sync` stores a copy with the other policy files.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from wired4ex.auth.models import MembershipCategory
from wired4ex.i18n import localised

FIELD_TYPES = ("text", "long_text", "date", "number", "file")
APPLY_VALUES = ("members", "granted")
CATEGORY_KEYS = {"name", "name_sw", "apply", "renewal_months", "grace_days",
                 "requires_cpd_target", "fields"}  # fmt: skip
FIELD_KEYS = {"code", "label", "label_sw", "type", "required", "help", "help_sw"}
REMINDER_DAYS = (30, 7)


class MembershipPolicyMissing(RuntimeError):
    """content/policy/membership.yml is missing or invalid."""


@dataclass(frozen=True)
class Field:
    code: str
    type: str
    required: bool
    texts: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return localised(dict(self.texts), "label")

    @property
    def help(self) -> str:
        return localised(dict(self.texts), "help")


@dataclass(frozen=True)
class CategoryPolicy:
    code: str
    texts: tuple[tuple[str, str], ...]
    apply: str  # "members" or "granted"
    renewal_months: int | None  # None: never lapses
    grace_days: int
    requires_cpd_target: bool
    fields: tuple[Field, ...]

    @property
    def name(self) -> str:
        return localised(dict(self.texts))

    @property
    def may_apply(self) -> bool:
        return self.apply == "members"

    @property
    def lapses(self) -> bool:
        return self.renewal_months is not None

    @property
    def file_field(self) -> Field | None:
        return next((field for field in self.fields if field.type == "file"), None)


@dataclass(frozen=True)
class MembershipPolicy:
    categories: dict[str, CategoryPolicy]
    # Days before the renewal date when a member is reminded by mail (reminders.days).
    reminder_days: tuple[int, ...] = REMINDER_DAYS

    @classmethod
    def from_data(cls, data: dict) -> "MembershipPolicy":
        categories = {}
        for code, item in (data.get("categories") or {}).items():
            fields = tuple(
                Field(
                    code=str(field["code"]),
                    type=str(field.get("type", "text")),
                    required=bool(field.get("required", False)),
                    texts=tuple(
                        (key, str(value))
                        for key, value in field.items()
                        if key.startswith(("label", "help"))
                    ),
                )
                for field in item.get("fields") or []
            )
            months = item.get("renewal_months")
            categories[str(code)] = CategoryPolicy(
                code=str(code),
                texts=tuple((k, str(v)) for k, v in item.items() if k.startswith("name")),
                apply=str(item.get("apply", "granted")),
                renewal_months=int(months) if months else None,
                grace_days=int(item.get("grace_days") or 0),
                requires_cpd_target=bool(item.get("requires_cpd_target", False)),
                fields=fields,
            )
        days = (data.get("reminders") or {}).get("days") or REMINDER_DAYS
        reminder_days = tuple(sorted({int(day) for day in days if int(day) > 0}, reverse=True))
        return cls(categories, reminder_days or REMINDER_DAYS)

    def category(self, code: str) -> CategoryPolicy:
        try:
            return self.categories[code]
        except KeyError as error:
            raise MembershipPolicyMissing(f"membership.yml has no category {code!r}") from error

    def open_categories(self) -> list[CategoryPolicy]:
        """The categories a person may apply for, in the policy's order."""
        return [item for item in self.categories.values() if item.may_apply]


_cache: dict[str, tuple[float, MembershipPolicy]] = {}
_lock = threading.Lock()


def policy_path() -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / "policy" / "membership.yml"


def load_membership_policy() -> MembershipPolicy:
    """The policy in the content folder, parsed once per change of the file."""
    from wired4ex.catalog.sources import SourceError, load_yaml_mapping

    path = policy_path()
    try:
        stamp = path.stat().st_mtime
    except OSError as error:
        raise MembershipPolicyMissing(f"{path} is missing") from error
    key = str(path)
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        try:
            meta = load_yaml_mapping(path.read_text(encoding="utf-8"))
        except SourceError as error:
            raise MembershipPolicyMissing(f"{path}: {error.message}") from error
        problems: list[str] = []
        validate_membership(meta, lambda line, message: problems.append(f"{line}: {message}"))
        if problems:
            raise MembershipPolicyMissing(f"{path}: " + "; ".join(problems))
        policy = MembershipPolicy.from_data(meta.data)
        _cache[key] = (stamp, policy)
        return policy


def category_policy(category: str) -> CategoryPolicy:
    """The policy of one membership category."""
    return load_membership_policy().category(category)


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_membership(meta, report) -> None:
    """Check membership.yml (a catalog.sources.YamlMapping); report(line, message) per problem."""
    data = meta.data
    for key in data:
        if key not in ("categories", "reminders"):
            report(meta.line_of(key),
                   f"unknown key {key!r} in membership.yml (allowed: categories, reminders)")  # fmt: skip
    _validate_reminders(meta, data.get("reminders"), report)
    categories = data.get("categories")
    if not isinstance(categories, dict):
        report(meta.line_of("categories"), "'categories' must map each membership category")
        return
    known = {c.value for c in MembershipCategory}
    for code in categories:
        if code not in known:
            report(meta.line_at("categories", code), f"unknown membership category {code!r}")
    for code in sorted(known - set(categories)):
        report(meta.line_of("categories"), f"missing membership category {code!r}")
    for code, item in categories.items():
        line = meta.line_at("categories", code)
        if not isinstance(item, dict):
            report(line, f"category {code!r} must be a mapping")
            continue
        for key in sorted(set(item) - CATEGORY_KEYS):
            report(meta.line_at("categories", code, key),
                   f"unknown key {key!r} in category {code!r} "
                   f"(allowed: {', '.join(sorted(CATEGORY_KEYS))})")  # fmt: skip
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            report(line, f"category {code!r} needs a name")
        if item.get("apply") not in APPLY_VALUES:
            report(line, f"apply of {code!r} must be one of: {', '.join(APPLY_VALUES)}")
        if code == "honorary" and item.get("apply") == "members":
            report(line, "honorary membership is granted, never applied for (apply: granted)")
        months = item.get("renewal_months")
        if months is not None and (not _is_whole(months) or not 1 <= months <= 120):
            report(line, f"renewal_months of {code!r} must be a whole number from 1 to 120")
        grace = item.get("grace_days", 0)
        if not _is_whole(grace) or not 0 <= grace <= 365:
            report(line, f"grace_days of {code!r} must be a whole number from 0 to 365")
        if months is None and "grace_days" in item:
            report(line, f"grace_days of {code!r} needs renewal_months (it never lapses)")
        if not isinstance(item.get("requires_cpd_target", False), bool):
            report(line, f"requires_cpd_target of {code!r} must be true or false")
        _validate_fields(meta, code, item.get("fields"), report)


def _validate_reminders(meta, reminders, report) -> None:
    if reminders is None:
        return
    days = reminders.get("days") if isinstance(reminders, dict) else None
    if (
        not isinstance(days, list)
        or not days
        or not all(_is_whole(day) and 1 <= day <= 365 for day in days)
    ):
        report(meta.line_of("reminders"),
               "reminders must be {days: [...]}, whole numbers of days from 1 to 365")  # fmt: skip


def _validate_fields(meta, code: str, fields, report) -> None:
    line = meta.line_at("categories", code, "fields")
    if fields is None:
        return
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        report(line, f"fields of {code!r} must be a list of entries")
        return
    seen: set[str] = set()
    for index, field in enumerate(fields):
        where = meta.line_at("categories", code, "fields", index)
        for key in sorted(set(field) - FIELD_KEYS):
            report(where, f"unknown key {key!r} in a field of {code!r}")
        name = field.get("code")
        if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
            report(where, f"a field of {code!r} needs a code like employer")
        elif name in seen:
            report(where, f"duplicate field {name!r} in {code!r}")
        else:
            seen.add(name)
        if not isinstance(field.get("label"), str) or not field["label"].strip():
            report(where, f"field {name!r} of {code!r} needs a label")
        if field.get("type", "text") not in FIELD_TYPES:
            report(where, f"type of field {name!r} must be one of: {', '.join(FIELD_TYPES)}")
        if not isinstance(field.get("required", False), bool):
            report(where, f"required of field {name!r} must be true or false")
    if sum(1 for f in fields if f.get("type") == "file") > 1:
        report(line, f"{code!r} may ask for one file at most")


def policy_or_503() -> MembershipPolicy:
    """The policy for a page; 503 (the service is not set up) when the file is missing or wrong."""
    from flask import abort

    try:
        return load_membership_policy()
    except MembershipPolicyMissing:
        abort(503)
