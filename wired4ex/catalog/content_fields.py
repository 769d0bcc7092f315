"""Checks of front-matter fields, shared by courses and modules."""

import re
from decimal import Decimal
from pathlib import Path

from wired4ex.catalog import policy
from wired4ex.catalog.content_tree import CourseSource
from wired4ex.catalog.sources import YamlMapping

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")  # folder names, course and module ids


class FieldChecks:
    """Mixed into the content loader: needs self.report, self.root and self.competencies."""

    def _check_keys(self, path: Path, meta: YamlMapping, allowed: set, required: set) -> None:
        for key in meta.data:
            if key not in allowed:
                self.report(path, meta.line_of(key),
                            f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")  # fmt: skip
        for key in sorted(required):
            value = meta.data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.report(path, meta.line_of(key), f"missing required key {key!r}")

    def _check_strings(self, path: Path, meta: YamlMapping, keys: set[str]) -> None:
        for key in keys:
            value = meta.data.get(key)
            if value is not None and not isinstance(value, str):
                self.report(path, meta.line_of(key), f"{key} must be text")

    def _string_list(self, path: Path, meta: YamlMapping, key: str) -> list[str]:
        value = meta.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.report(path, meta.line_of(key), f"{key} must be a list of text items")
            return []
        return [str(v) for v in value]

    def _competency_list(self, path: Path, meta: YamlMapping) -> list[str]:
        codes = self._string_list(path, meta, "competencies")
        for index, code in enumerate(codes):
            if self.competencies and code not in self.competencies:
                self.report(
                    path, meta.line_at("competencies", index), f"unknown competency {code!r}"
                )
        return [code for code in codes if not self.competencies or code in self.competencies]

    def _points(self, path: Path, meta: YamlMapping, maximum: Decimal | None) -> Decimal:
        value = meta.data.get("cpd_points", 0)
        line = meta.line_of("cpd_points")
        if not policy.is_number(value):
            self.report(path, line, f"cpd_points must be a number, not {value!r}")
            return Decimal("0")
        points = Decimal(str(value))
        if points < 0 or points * 2 != int(points * 2):
            self.report(path, line, "cpd_points must be zero or more, in whole or half points")
            return Decimal("0")
        if maximum is not None and points > maximum:
            self.report(path, line, f"cpd_points above the category's maximum of {maximum}")
        return points

    def _check_duplicate_ids(self, course: CourseSource) -> None:
        seen: dict[str, str] = {}
        for module in course.modules:
            if module.key in seen:
                self.report(self.root / module.path, module.key_line,
                            f"duplicate module id {module.key!r} (also in {seen[module.key]})")  # fmt: skip
            seen[module.key] = module.path
