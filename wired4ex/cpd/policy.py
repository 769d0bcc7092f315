"""The CPD policy as synced from content/policy/cpd.yml: cycles, categories, caps, targets."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from wired4ex import contentversion
from wired4ex.catalog.structure import policy_data
from wired4ex.i18n import localised


class PolicyMissing(RuntimeError):
    """No CPD policy has been synced yet (run `flask content sync`)."""


@dataclass(frozen=True)
class Category:
    code: str
    texts: tuple[tuple[str, str], ...]  # name, name_sw, ... as the policy file gives them
    cap: Decimal | None
    max_per_activity: Decimal | None

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return localised(dict(self.texts))


@dataclass(frozen=True)
class Cycle:
    """One CPD cycle: a year starting on the first day of the policy's start month."""

    start: date
    end: date  # inclusive

    @property
    def key(self) -> int:
        """The year the cycle starts in; used in addresses (?cycle=2026)."""
        return self.start.year

    @property
    def label(self) -> str:
        if self.start.month == 1:
            return str(self.start.year)
        return f"{self.start.year}/{str(self.start.year + 1)[-2:]}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class CpdPolicy:
    start_month: int
    categories: dict[str, Category]
    targets: dict[str, Decimal | None]  # membership category -> points, None when exempt
    minimums: dict[str, Decimal]
    # Days before a cycle ends when members short of their target are reminded (reminders.days).
    reminder_days: tuple[int, ...] = (90, 30, 7)

    @classmethod
    def from_data(cls, data: dict) -> "CpdPolicy":
        categories = {
            str(item["code"]): Category(
                code=str(item["code"]),
                texts=tuple((k, str(v)) for k, v in item.items() if k.startswith("name")),
                cap=_decimal(item.get("cap")),
                max_per_activity=_decimal(item.get("max_per_activity")),
            )
            for item in data.get("categories", [])
        }
        targets = {
            str(name): None if value == "exempt" else Decimal(str(value))
            for name, value in (data.get("targets") or {}).items()
        }
        minimums = {str(k): Decimal(str(v)) for k, v in (data.get("minimums") or {}).items()}
        start_month = int((data.get("cycle") or {}).get("start_month", 1))
        days = (data.get("reminders") or {}).get("days") or (90, 30, 7)
        reminder_days = tuple(sorted({int(day) for day in days if int(day) > 0}, reverse=True))
        return cls(start_month, categories, targets, minimums, reminder_days or (90, 30, 7))

    def cycle_for(self, day: date) -> Cycle:
        """The cycle a day falls in."""
        year = day.year if day.month >= self.start_month else day.year - 1
        return self.cycle_starting(year)

    def cycle_starting(self, year: int) -> Cycle:
        """The cycle that starts in the given year."""
        start = date(year, self.start_month, 1)
        following = date(year + 1, self.start_month, 1)
        return Cycle(start, following - timedelta(days=1))

    def target_for(self, membership_category: str) -> Decimal | None:
        """The yearly target of a membership category; None when exempt."""
        return self.targets.get(membership_category)

    def category_name(self, code: str) -> str:
        category = self.categories.get(code)
        return category.name if category else code


def load_policy() -> CpdPolicy:
    """The synced CPD policy; PolicyMissing when content has not been synced."""
    policy = contentversion.cached("cpd_policy", _read_policy)
    if policy is None:
        raise PolicyMissing("The CPD policy has not been loaded: run `flask content sync`.")
    return policy


def _read_policy() -> CpdPolicy | None:
    data = policy_data("cpd")
    return None if data is None else CpdPolicy.from_data(data)
