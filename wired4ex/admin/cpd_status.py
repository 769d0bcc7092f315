"""CPD status of many members at once: the CPD arithmetic in SQL, for lists, exports, the
compliance table and reminders.

The counted points per member come from cpd_totals (wired4ex/admin/cpd_totals.py), else are
grouped from cpd_sums (wired4ex/admin/cpd_sums.py), else from the ledger, each used only when it
was built with the policy in use; caps, minimums and targets are applied by the database, so a
list can filter and page on the status.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import g

from wired4ex.admin import cpd_sums, cpd_totals
from wired4ex.admin.cpd_sums import CpdSum, parameters
from wired4ex.admin.cpd_totals import CpdTotal
from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.membership.policy import load_membership_policy


def _number(value: Decimal) -> sa.ColumnElement:
    # Policy numbers are Decimals we parsed ourselves; inlined so SQLite binds no Decimal.
    return sa.literal_column(str(Decimal(value)), sa.Numeric(8, 1))


def _counted(total, cap: Decimal | None) -> sa.ColumnElement:
    """SQL for summarise()'s rule: a category counts between zero and its cap."""
    zero = _number(Decimal(0))
    if cap is None:
        return sa.case((total < zero, zero), else_=total)
    return sa.case((total < zero, zero), (total > _number(cap), _number(cap)), else_=total)


def _allowed(policy: CpdPolicy) -> sa.ColumnElement:
    """SQL for activity_points(): an entry's points, at most its category's per-activity maximum."""
    limits = [
        (
            sa.and_(
                LedgerEntry.category == code,
                LedgerEntry.source != "adjustment",
                LedgerEntry.points > _number(c.max_per_activity),
            ),
            _number(c.max_per_activity),
        )
        for code, c in policy.categories.items()
        if c.max_per_activity is not None
    ]
    return sa.case(*limits, else_=LedgerEntry.points) if limits else LedgerEntry.points


def category_sums(policy: CpdPolicy, cycle: Cycle, user_ids=None) -> sa.Subquery:
    """Per member and category in the cycle: points claimed and allowed, as category_sums().

    Read from cpd_sums when they were built with this policy (see wired4ex.admin.cpd_sums), else
    grouped from the ledger; the same figures either way. user_ids: a list or a select of ids.
    """
    if sums_current(policy) and cycle == policy.cycle_for(cycle.start):
        sums = sa.select(
            CpdSum.user_id,
            CpdSum.category,
            CpdSum.claimed.label("total"),
            CpdSum.allowed.label("allowed"),
        ).where(CpdSum.cycle_start == cycle.start)
        if user_ids is not None:
            sums = sums.where(CpdSum.user_id.in_(user_ids))
        return sums.subquery()
    sums = sa.select(
        LedgerEntry.user_id,
        LedgerEntry.category,
        sa.func.sum(LedgerEntry.points).label("total"),
        sa.func.sum(_allowed(policy)).label("allowed"),
    ).where(LedgerEntry.activity_date.between(cycle.start, cycle.end))
    if user_ids is not None:
        sums = sums.where(LedgerEntry.user_id.in_(user_ids))
    return sums.group_by(LedgerEntry.user_id, LedgerEntry.category).subquery()


def sums_current(policy: CpdPolicy) -> bool:
    """Whether cpd_sums may be read for this policy; asked once per request."""
    key = ("cpd_sums_current", parameters(policy)[0], tuple(parameters(policy)[1].items()))
    cache = g.setdefault("cpd_sums_current", {})
    if key not in cache:
        cache[key] = cpd_sums.current(policy)
    return cache[key]


def totals_current(policy: CpdPolicy) -> bool:
    """Whether cpd_totals may be read for this policy; asked once per request."""
    key = ("cpd_totals_current", repr(cpd_totals.parameters(policy)), repr(parameters(policy)))
    cache = g.setdefault("cpd_totals_current", {})
    if key not in cache:
        cache[key] = cpd_totals.current(policy)
    return cache[key]


def cpd_standing(policy: CpdPolicy, cycle: Cycle, user_ids=None) -> sa.Subquery:
    """Per member with entries in the cycle: counted points and counted points per minimum.

    The same arithmetic as wired4ex.cpd.standing.summarise (per-activity maximums, caps, no
    category below zero, minimums), done by the database so a list can filter and page on it;
    tests/cpd/test_one_arithmetic.py holds the two to the same figures. Read from cpd_totals
    when they were built with this policy, else grouped from category_sums().
    """
    if cycle == policy.cycle_for(cycle.start) and totals_current(policy):
        columns = [CpdTotal.user_id, CpdTotal.counted]
        for index in range(len(policy.minimums)):
            columns.append(getattr(CpdTotal, f"minimum_{index}").label(f"minimum_{index}"))
        totals = sa.select(*columns).where(CpdTotal.cycle_start == cycle.start)
        if user_ids is not None:
            totals = totals.where(CpdTotal.user_id.in_(user_ids))
        return totals.subquery("cpd_standing")
    sums = category_sums(policy, cycle, user_ids)
    capped = [(sums.c.category == code, _counted(sums.c.allowed, c.cap))
              for code, c in policy.categories.items()]  # fmt: skip
    counted = sa.case(*capped, else_=_counted(sums.c.allowed, None)) if capped else sums.c.allowed
    columns = [sums.c.user_id, sa.func.sum(counted).label("counted")]
    for index, code in enumerate(policy.minimums):
        category = policy.categories.get(code)
        in_code = sa.case(
            (sums.c.category == code, _counted(sums.c.allowed, category.cap if category else None)),
            else_=_number(Decimal(0)),
        )
        columns.append(sa.func.sum(in_code).label(f"minimum_{index}"))
    return sa.select(*columns).group_by(sums.c.user_id).subquery("cpd_standing")


def cpd_status_column(policy: CpdPolicy, standing: sa.Subquery) -> sa.ColumnElement:
    """'met', 'not_met' or 'exempt' for User rows outer-joined to cpd_standing()."""
    targets = {name: value for name, value in policy.targets.items() if value is not None}
    if not targets:
        return sa.literal("exempt")
    zero = _number(Decimal(0))
    target = sa.case(
        {name: _number(value) for name, value in targets.items()},
        value=User.membership_category,
    )
    conditions = [sa.func.coalesce(standing.c.counted, zero) >= target]
    for index, minimum in enumerate(policy.minimums.values()):
        column = standing.c[f"minimum_{index}"]
        conditions.append(sa.func.coalesce(column, zero) >= _number(minimum))
    return sa.case(
        (User.membership_category.not_in(list(targets)), "exempt"),
        (sa.and_(*conditions), "met"),
        else_="not_met",
    ).label("cpd_status")


def cpd_statuses(policy: CpdPolicy, cycle: Cycle, user_ids: list[int]) -> dict[int, str]:
    """The CPD status of a page of members, in one query."""
    if not user_ids:
        return {}
    standing = cpd_standing(policy, cycle, user_ids)
    query = (
        sa.select(User.id, cpd_status_column(policy, standing))
        .outerjoin(standing, standing.c.user_id == User.id)
        .where(User.id.in_(user_ids))
    )
    return dict(db.session.execute(query).all())


def is_member():
    """Accounts holding the member role (faculty and staff accounts without it are left out)."""
    return sa.exists().where(UserRole.user_id == User.id, UserRole.name == RoleName.MEMBER.value)


@dataclass
class ComplianceRow:
    category: str
    members: int = 0
    met: int = 0
    exempt: bool = False

    @property
    def share(self) -> int | None:
        """Percent of members meeting the target, rounded down; None when exempt or empty."""
        if self.exempt or not self.members:
            return None
        return 100 * self.met // self.members


def _current_membership(today: date) -> sa.ColumnElement:
    """SQL: the Membership is current on the day (it never lapses, or is within its grace)."""
    categories = load_membership_policy().categories
    last_renewal = sa.case(
        {code: today - timedelta(days=item.grace_days) for code, item in categories.items()},
        value=Membership.category,
    )
    return sa.or_(Membership.renews_on.is_(None), Membership.renews_on >= last_renewal)


def on_track_columns(policy: CpdPolicy, cycle: Cycle, today: date, standing: sa.Subquery):
    """SQL (on track, has a target) for User rows outer-joined to cpd_standing(); None without
    targets. On track: the counted points (and each minimum) are at least the target's share for
    the part of the cycle gone by; at the end of the cycle that is the target itself."""
    targets = {name: value for name, value in policy.targets.items() if value is not None}
    if not targets:
        return None
    length = (cycle.end - cycle.start).days + 1
    gone = min(max((today - cycle.start).days + 1, 0), length)
    share = Decimal(gone) / Decimal(length)
    zero = _number(Decimal(0))
    needed = sa.case(
        {
            name: _number((value * share).quantize(Decimal("0.1")))
            for name, value in targets.items()
        },
        value=User.membership_category,
    )
    conditions = [sa.func.coalesce(standing.c.counted, zero) >= needed]
    for index, minimum in enumerate(policy.minimums.values()):
        column = standing.c[f"minimum_{index}"]
        part = _number((minimum * share).quantize(Decimal("0.1")))
        conditions.append(sa.func.coalesce(column, zero) >= part)
    with_target = sa.and_(
        User.is_active_account.is_(True),
        is_member(),
        User.membership_category.in_(list(targets)),
    )
    return sa.and_(*conditions), with_target


def compliance(policy: CpdPolicy, cycle: Cycle, today: date) -> list[ComplianceRow]:
    return compliance_and_track(policy, cycle, today)[0]


def compliance_and_track(
    policy: CpdPolicy, cycle: Cycle, today: date
) -> tuple[list[ComplianceRow], tuple[int, int]]:
    """Share of active members meeting the target per membership category, via the CPD rules.

    One grouped query: active members with their membership's category, whether it is current,
    and whether their counted points (cpd_standing(): caps, maximums, minimums, the arithmetic of
    standing_from_sums(), held to it by tests/cpd/test_one_arithmetic.py) meet its target. A lapsed
    member meets no target and is exempt from none, as on their own page.
    """
    standing = cpd_standing(policy, cycle)
    targets = {name: value for name, value in policy.targets.items() if value is not None}
    if targets:
        zero = _number(Decimal(0))
        target = sa.case({n: _number(v) for n, v in targets.items()}, value=Membership.category)
        conditions = [sa.func.coalesce(standing.c.counted, zero) >= target]
        for index, minimum in enumerate(policy.minimums.values()):
            column = sa.func.coalesce(standing.c[f"minimum_{index}"], zero)
            conditions.append(column >= _number(minimum))
        met = sa.case((sa.and_(*conditions), 1), else_=0)
    else:
        met = sa.literal(0)
    current = sa.case((_current_membership(today), 1), else_=0).label("current")
    met = met.label("met")
    # headlines.on_track() in the same pass: its members are the accounts, membership or not.
    # The WHERE below already asks for an active account with the member role, so "has a
    # target" is the category alone (on_track_columns() checks all three for its own callers).
    track = on_track_columns(policy, cycle, today, standing)
    in_targets = User.membership_category.in_(list(targets)) if targets else sa.false()
    tracked = sa.and_(in_targets, track[0]) if track else sa.false()
    tracked = sa.case((tracked, 1), else_=0).label("tracked")
    with_target = sa.case((in_targets, 1), else_=0).label("with_target")
    # One row of flags per member, computed once, then counted per combination (grouping on the
    # expressions themselves made SQLite evaluate each, and the role check, several times).
    flags = (
        sa.select(Membership.category.label("category"), current, met, tracked, with_target)
        .select_from(User)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(standing, standing.c.user_id == User.id)
        .where(User.is_active_account.is_(True), is_member())
        .cte("member_flags")
    )
    keys = (flags.c.category, flags.c.current, flags.c.met, flags.c.tracked, flags.c.with_target)
    query = sa.select(*keys, sa.func.count()).group_by(*keys)
    rows: dict[str, ComplianceRow] = {}
    on_track = [0, 0]
    for category, is_current, is_met, is_tracked, has_target, count in db.session.execute(query):
        on_track[0] += count if is_tracked else 0
        on_track[1] += count if has_target else 0
        if category is None:
            continue  # only people the secretariat admitted count in the compliance
        row = rows.setdefault(category, ComplianceRow(category))
        exempt = bool(is_current) and policy.target_for(category) is None
        row.members += count
        row.exempt = row.exempt or exempt
        row.met += count if is_current and is_met and not exempt else 0
    order = list(policy.targets) + sorted(set(rows) - set(policy.targets))
    found = [rows.get(name) or ComplianceRow(name, exempt=policy.target_for(name) is None)
             for name in order]  # fmt: skip
    return found, (on_track[0], on_track[1])
