"""A member's CPD standing: ledger arithmetic per cycle (caps, minimums, target, pace)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.cpd.models import Claim
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.extensions import db
from wired4ex.fields import EARLIEST_DATE, one_year_after
from wired4ex.learning.models import LedgerEntry

ZERO = Decimal("0")


@dataclass
class CategoryTotal:
    code: str
    name: str
    claimed: Decimal
    counted: Decimal
    cap: Decimal | None
    minimum: Decimal | None = None

    @property
    def over_cap(self) -> Decimal:
        return self.claimed - self.counted if self.claimed > self.counted else ZERO

    @property
    def minimum_met(self) -> bool:
        return self.minimum is None or self.counted >= self.minimum


@dataclass
class CpdSummary:
    """A member's standing in one cycle, computed from the ledger alone."""

    cycle: Cycle
    entries: list[LedgerEntry]
    categories: list[CategoryTotal]
    target: Decimal | None  # None: exempt, or no verified membership
    expected_by_today: Decimal | None
    counted: Decimal = ZERO
    claimed: Decimal = ZERO
    unmet_minimums: list[CategoryTotal] = field(default_factory=list)
    # False without an approved, current membership: no target applies and none is ever met.
    membership_verified: bool = True

    @property
    def exempt(self) -> bool:
        return self.membership_verified and self.target is None

    @property
    def target_met(self) -> bool:
        if not self.membership_verified:
            return False
        return self.exempt or (self.counted >= self.target and not self.unmet_minimums)

    @property
    def still_needed(self) -> Decimal:
        if self.target is None:
            return ZERO
        return max(self.target - self.counted, ZERO)

    @property
    def behind_pace(self) -> bool:
        return self.expected_by_today is not None and self.counted < self.expected_by_today


def _points_text(points: Decimal | None) -> str | None:
    """Points as text with one decimal ("5.0"), for audit records."""
    return None if points is None else str(Decimal(points).quantize(Decimal("0.1")))


def _round_half(value: Decimal) -> Decimal:
    """Round to the nearest half point (pace figures)."""
    return (value * 2).to_integral_value() / 2


def activity_points(policy: CpdPolicy, entry) -> Decimal:
    """The points one ledger entry may count: at most its category's per-activity maximum.

    An admin adjustment is a correction, not an activity, so no maximum applies to it.
    """
    points = Decimal(entry.points)
    category = policy.categories.get(entry.category)
    maximum = category.max_per_activity if category else None
    if maximum is None or getattr(entry, "source", None) == "adjustment" or points <= maximum:
        return points
    return maximum


def category_sums(policy: CpdPolicy, entries) -> dict[str, tuple[Decimal, Decimal]]:
    """Per category: points claimed and points allowed (per-activity maximums applied)."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for entry in entries:
        claimed, allowed = sums.get(entry.category, (ZERO, ZERO))
        sums[entry.category] = (
            claimed + Decimal(entry.points),
            allowed + activity_points(policy, entry),
        )
    return sums


def summarise(
    policy: CpdPolicy,
    entries: list[LedgerEntry],
    membership_category: str | None,
    cycle: Cycle,
    today: date,
) -> CpdSummary:
    """Claimed and counted points per category (caps applied), target, minimums and pace.

    The one CPD arithmetic: every page, export and rule that shows or uses a member's points
    calls this (or standing_from_sums with the same sums). Points over a per-activity maximum or a
    category's cap stay in the ledger but do not count. Negative adjustments reduce their category;
    a category never counts below zero. Only entries within the cycle count.

    membership_category is the category of the member's approved, current membership (see
    target_category()); None when they have none: no target applies and none is met.
    """
    in_cycle = [entry for entry in entries if cycle.contains(entry.activity_date)]
    summary = standing_from_sums(
        policy, category_sums(policy, in_cycle), membership_category, cycle, today
    )
    summary.entries = sorted(in_cycle, key=lambda e: (e.activity_date, e.id or 0), reverse=True)
    return summary


def category_counted(policy: CpdPolicy, code: str, allowed: Decimal) -> Decimal:
    """The points a category counts: its allowed points within its cap, never below zero."""
    category = policy.categories.get(code)
    cap = category.cap if category else None
    return max(min(allowed, cap) if cap is not None else allowed, ZERO)


def standing_from_sums(
    policy: CpdPolicy,
    sums: dict[str, tuple[Decimal, Decimal]],
    membership_category: str | None,
    cycle: Cycle,
    today: date,
) -> CpdSummary:
    """summarise() from per-category (claimed, allowed) sums, as category_sums() or SQL gives them."""
    codes = list(policy.categories) + [code for code in sums if code not in policy.categories]
    totals = []
    for code in codes:
        claimed, allowed = sums.get(code, (ZERO, ZERO))
        category = policy.categories.get(code)
        cap = category.cap if category else None
        counted = category_counted(policy, code, allowed)
        totals.append(
            CategoryTotal(
                code=code,
                name=policy.category_name(code),
                claimed=claimed,
                counted=counted,
                cap=cap,
                minimum=policy.minimums.get(code),
            )
        )
    target = None if membership_category is None else policy.target_for(membership_category)
    if target is None:
        expected = None
    elif today > cycle.end:
        expected = target
    elif today < cycle.start:
        expected = ZERO
    else:
        elapsed = (today - cycle.start).days + 1
        expected = _round_half(target * elapsed / cycle.days)
    summary = CpdSummary(
        cycle=cycle,
        entries=[],
        categories=totals,
        target=target,
        expected_by_today=expected,
        counted=sum((t.counted for t in totals), ZERO),
        claimed=sum((t.claimed for t in totals), ZERO),
        membership_verified=membership_category is not None,
    )
    if target is not None:
        summary.unmet_minimums = [t for t in totals if not t.minimum_met]
    return summary


def counted_in_window(policy: CpdPolicy, entries, since: date, today: date) -> Decimal:
    """Counted points within [since, today]: each cycle's rules applied to its part of the window."""
    by_cycle: dict[int, list] = {}
    for entry in entries:
        if since <= entry.activity_date <= today:
            by_cycle.setdefault(policy.cycle_for(entry.activity_date).key, []).append(entry)
    total = ZERO
    for part in by_cycle.values():
        # standing_from_sums(...).counted, without the names and targets it also works out
        sums = category_sums(policy, part)
        total += sum((category_counted(policy, code, a) for code, (_c, a) in sums.items()), ZERO)
    return total


def ledger_entries(
    user_id: int, start: date | None = None, end: date | None = None
) -> list[LedgerEntry]:
    """A member's ledger entries, optionally within a date range, oldest first."""
    query = sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id)
    if start is not None:
        query = query.where(LedgerEntry.activity_date >= start)
    if end is not None:
        query = query.where(LedgerEntry.activity_date <= end)
    return list(db.session.scalars(query.order_by(LedgerEntry.activity_date, LedgerEntry.id)))


def member_summary(policy: CpdPolicy, user: User, cycle: Cycle, today: date) -> CpdSummary:
    """The summary for one member and cycle, reading only that cycle's ledger entries."""
    entries = ledger_entries(user.id, cycle.start, cycle.end)
    return summarise(policy, entries, target_category(user), cycle, today)


def target_category(user: User) -> str | None:
    """The category whose target applies: the approved, current membership's (None without one);
    the status is read once per request."""
    from wired4ex.membership.services import request_status

    return request_status(user).target_category


def cycles_with_activity(
    policy: CpdPolicy, user_id: int, today: date, claim_dates: set[date] | None = None
) -> list[Cycle]:
    """The current cycle and every earlier one the member has entries or claims in, newest first
    (`claim_dates`: the end dates of the member's claims, when the caller has them already)."""
    dates = set(
        db.session.scalars(
            sa.select(LedgerEntry.activity_date).where(LedgerEntry.user_id == user_id).distinct()
        )
    )
    if claim_dates is None:
        claim_dates = set(
            db.session.scalars(sa.select(Claim.end_date).where(Claim.user_id == user_id))
        )
    return cycles_from_dates(policy, today, dates | claim_dates)


def cycles_from_dates(policy: CpdPolicy, today: date, dates: set[date]) -> list[Cycle]:
    """The current cycle and every earlier one holding one of `dates`, newest first."""
    # A date outside 1990..next year (a row written before the bounds, or by hand) names no
    # cycle anyone can choose, and year 9999 has no following year to end its cycle.
    latest = one_year_after(today)
    dates = {day for day in dates if EARLIEST_DATE <= day <= latest}
    keys = {policy.cycle_for(day).key for day in dates} | {policy.cycle_for(today).key}
    return [policy.cycle_starting(year) for year in sorted(keys, reverse=True)]
