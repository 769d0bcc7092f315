"""Figures for the secretariat: CPD status in bulk, the M&E dashboard, course reports.

Every figure here is computed with a fixed number of queries whatever the number of members:
grouped in the database, or streamed in chunks and folded in Python.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.catalog.models import Course, Institution
from wired4ex.certification.models import Certificate
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.cpd.standing import standing_from_sums
from wired4ex.extensions import db
from wired4ex.learning.models import (
    CourseCompletion,
    Enrolment,
    LedgerEntry,
)
from wired4ex.membership.models import Membership
from wired4ex.membership.policy import category_policy
from wired4ex.timeutil import association_zone

CPD_STATUSES = ("met", "not_met", "exempt")
EXPIRY_WINDOW_DAYS = 90
CHUNK = 1000


# -- CPD status of many members at once ---------------------------------------------------------


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
    """Per member and category in the cycle: points claimed and allowed, as category_sums()."""
    sums = sa.select(
        LedgerEntry.user_id,
        LedgerEntry.category,
        sa.func.sum(LedgerEntry.points).label("total"),
        sa.func.sum(_allowed(policy)).label("allowed"),
    ).where(LedgerEntry.activity_date.between(cycle.start, cycle.end))
    if user_ids is not None:
        sums = sums.where(LedgerEntry.user_id.in_(user_ids))
    return sums.group_by(LedgerEntry.user_id, LedgerEntry.category).subquery()


def cpd_standing(policy: CpdPolicy, cycle: Cycle, user_ids=None) -> sa.Subquery:
    """Per member with entries in the cycle: counted points and counted points per minimum.

    The same arithmetic as wired4ex.cpd.standing.summarise (per-activity maximums, caps, no
    category below zero, minimums), done by the database so a list can filter and page on it;
    tests/cpd/test_one_arithmetic.py holds the two to the same figures.
    """
    sums = category_sums(policy, cycle, user_ids)
    capped = [(sums.c.category == code, _counted(sums.c.allowed, c.cap))
              for code, c in policy.categories.items()]  # fmt: skip
    counted = sa.case(*capped, else_=_counted(sums.c.allowed, None)) if capped else sums.c.allowed
    columns = [sums.c.user_id, sa.func.sum(counted).label("counted")]
    for index, code in enumerate(policy.minimums):
        in_code = sa.case((sums.c.category == code, counted), else_=_number(Decimal(0)))
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


def compliance(policy: CpdPolicy, cycle: Cycle, today: date) -> list[ComplianceRow]:
    """Share of active members meeting the target per membership category, via the CPD rules.

    One streamed query: every active member with their per-category sums in the cycle (claimed,
    and allowed under per-activity maximums). Each member's sums go through the CPD package's
    standing_from_sums(), so caps and minimums follow the rules exactly as a member's own page.
    """
    sums = category_sums(policy, cycle)
    query = (
        sa.select(
            User.id,
            Membership.category,
            Membership.renews_on,
            sums.c.category,
            sums.c.total,
            sums.c.allowed,
        )  # fmt: skip
        # Only people the secretariat admitted; a lapsed one meets no target (see fold).
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(sums, sums.c.user_id == User.id)
        .where(User.is_active_account.is_(True), is_member())
        .order_by(User.id)
        .execution_options(yield_per=CHUNK)
    )
    rows: dict[str, ComplianceRow] = {}
    # standing_from_sums() is a pure function of these sums: members with the same sums share one call.
    verdicts: dict[tuple, tuple[bool, bool]] = {}

    def fold(category: str, renews_on, member_sums: dict) -> None:
        row = rows.setdefault(category, ComplianceRow(category))
        current_member = renews_on is None or today <= renews_on + timedelta(
            days=category_policy(category).grace_days
        )
        key = (category, current_member, *sorted(member_sums.items()))
        if key not in verdicts:
            summary = standing_from_sums(policy, member_sums,
                                         category if current_member else None, cycle, today)  # fmt: skip
            verdicts[key] = (summary.exempt, summary.target_met)
        exempt, met = verdicts[key]
        row.members += 1
        row.exempt = row.exempt or exempt
        row.met += met and not exempt

    current, category, renews, member_sums = None, None, None, {}
    for user_id, membership, renews_on, code, total, allowed in db.session.execute(query):
        if user_id != current:
            if current is not None:
                fold(category, renews, member_sums)
            current, category, renews, member_sums = user_id, membership, renews_on, {}
        if code is not None:
            member_sums[code] = (Decimal(total), Decimal(allowed))
    if current is not None:
        fold(category, renews, member_sums)
    order = list(policy.targets) + sorted(set(rows) - set(policy.targets))
    return [rows.get(name) or ComplianceRow(name, exempt=policy.target_for(name) is None)
            for name in order]  # fmt: skip


# -- time ------------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The start of a local calendar year and of the next one, in UTC."""
    zone = association_zone()
    start = datetime.combine(date(year, 1, 1), time(), zone).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(), zone).astimezone(UTC)
    return start, end


def local_month(column) -> sa.ColumnElement:
    """'YYYY-MM' of a UTC timestamp column, in the association's time zone."""
    if db.session.get_bind().dialect.name == "postgresql":
        zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
        return sa.func.to_char(sa.func.timezone(zone, column), "YYYY-MM")
    # SQLite has no time zones: shift by the zone's current offset (East Africa keeps no DST).
    offset = association_zone().utcoffset(datetime.now(UTC).replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return sa.func.strftime("%Y-%m", column, f"{minutes:+d} minutes")


def month_labels(year: int) -> list[str]:
    return [f"{year}-{month:02d}" for month in range(1, 13)]


# -- the dashboard ---------------------------------------------------------------------------------


@dataclass
class CountRow:
    label: str
    enrolments: int = 0
    completions: int = 0
    key: str = ""


@dataclass
class CertificateRow:
    programme: str
    issued: int = 0
    expiring: int = 0


@dataclass
class Dashboard:
    year: int
    cycle: Cycle
    months: list[CountRow]
    courses: list[CountRow]
    institutions: list[CountRow]
    countries: list[CountRow]
    compliance: list[ComplianceRow]
    certificates: list[CertificateRow]
    totals: dict = field(default_factory=dict)


def _grouped(year: int, *, by) -> dict:
    """Counts of enrolments and of course completions in a year, grouped by an expression."""
    start, end = year_bounds(year)
    out: dict = {}
    for kind, model, moment in (
        ("enrolments", Enrolment, Enrolment.enrolled_at),
        ("completions", CourseCompletion, CourseCompletion.completed_at),
    ):
        key = by(model, moment)
        query = (
            sa.select(key, sa.func.count())
            .select_from(model)
            .join(Course, Course.id == model.course_id)
            .join(User, User.id == model.user_id)
            .where(moment >= start, moment < end)
            .group_by(key)
        )
        for value, count in db.session.execute(query):
            out.setdefault(value, {"enrolments": 0, "completions": 0})[kind] = count
    return out


def per_month(year: int) -> list[CountRow]:
    found = _grouped(year, by=lambda model, moment: local_month(moment))
    return [CountRow(month, **found.get(month, {})) for month in month_labels(year)]


def per_course(year: int) -> list[CountRow]:
    found = _grouped(year, by=lambda model, moment: model.course_id)
    courses = db.session.execute(
        sa.select(Course.id, Course.title, Institution.slug, Course.slug)
        .join(Institution)
        .order_by(Course.title)
    ).all()
    return [CountRow(title, **found.get(cid, {}), key=f"{inst}/{slug}")
            for cid, title, inst, slug in courses]  # fmt: skip


def per_institution(year: int) -> list[CountRow]:
    found = _grouped(year, by=lambda model, moment: Course.institution_id)
    institutions = db.session.execute(
        sa.select(Institution.id, Institution.name, Institution.slug).order_by(Institution.name)
    ).all()
    return [CountRow(name, **found.get(iid, {}), key=slug) for iid, name, slug in institutions]


def per_country(year: int, names: dict[str, str]) -> list[CountRow]:
    found = _grouped(year, by=lambda model, moment: User.country)
    rows = [CountRow(names.get(code, code), **counts, key=code) for code, counts in found.items()]
    return sorted(rows, key=lambda row: (-row.enrolments, row.label))


def certificate_rows(year: int, today: date) -> list[CertificateRow]:
    """Certificates issued in the year, and valid ones expiring in the next 90 days, per programme."""
    limit = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    issued = sa.func.sum(sa.case((Certificate.issued_on.between(date(year, 1, 1),
                                                                date(year, 12, 31)), 1), else_=0))  # fmt: skip
    expiring = sa.func.sum(
        sa.case(
            (
                sa.and_(
                    Certificate.status == "valid", Certificate.expires_on.between(today, limit)
                ),
                1,
            ),
            else_=0,
        )
    )
    query = (
        sa.select(Certificate.programme_name, issued, expiring)
        .group_by(Certificate.programme_name)
        .order_by(Certificate.programme_name)
    )
    return [
        CertificateRow(name, int(i or 0), int(e or 0)) for name, i, e in db.session.execute(query)
    ]


def dashboard(policy: CpdPolicy, year: int, today: date, country_names: dict) -> Dashboard:
    """Every figure of the M&E dashboard for a calendar year (and the CPD cycle starting in it)."""
    cycle = policy.cycle_starting(year)
    months = per_month(year)
    board = Dashboard(
        year=year,
        cycle=cycle,
        months=months,
        courses=per_course(year),
        institutions=per_institution(year),
        countries=per_country(year, country_names),
        compliance=compliance(policy, cycle, today),
        certificates=certificate_rows(year, today),
    )
    board.totals = {
        "enrolments": sum(row.enrolments for row in months),
        "completions": sum(row.completions for row in months),
    }
    return board
