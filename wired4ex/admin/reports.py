"""Figures for the secretariat: the M&E dashboard, course reports; CPD status in bulk (cpd_status).

Every figure here is computed with a fixed number of queries whatever the number of members:
grouped in the database, or streamed in chunks and folded in Python.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from wired4ex.admin.cpd_status import (  # noqa: F401  (the CPD status part of the reports)
    ComplianceRow,
    category_sums,
    compliance,
    compliance_and_track,
    cpd_standing,
    cpd_status_column,
    cpd_statuses,
    is_member,
    on_track_columns,
    sums_current,
    totals_current,
)
from wired4ex.auth.models import User
from wired4ex.catalog.models import Course, Institution
from wired4ex.certification.models import Certificate
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.extensions import db
from wired4ex.learning.models import (
    CourseCompletion,
    Enrolment,
)
from wired4ex.timeutil import association_zone

CPD_STATUSES = ("met", "not_met", "exempt")
EXPIRY_WINDOW_DAYS = 90
CHUNK = 1000


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


def month_in_year(column, year: int) -> sa.ColumnElement:
    """'YYYY-MM' of a UTC timestamp column within the local calendar year, in the association's
    time zone: compared with the UTC start of each local month, so the database converts
    nothing (cheaper than local_month() on every row; rows outside the year get its last month,
    so filter on year_bounds())."""
    zone = association_zone()
    starts = [
        datetime.combine(date(year, month, 1), time(), zone).astimezone(UTC)
        for month in range(2, 13)
    ]
    labels = month_labels(year)
    return sa.case(
        *[(column < start, label) for start, label in zip(starts, labels, strict=False)],
        else_=labels[-1],
    )


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
    on_track: tuple[int, int] | None = None  # (on track, with a target); see headlines


@dataclass(frozen=True)
class Activity:
    """Counts of enrolments and course completions in a year per (month, course, institution,
    country): one grouped query per kind, every breakdown of the dashboard summed from it."""

    rows: list[tuple[str, str, int, int, str | None, int]]  # kind, month, course, inst., country, n

    def grouped(self, index: int) -> dict:
        out: dict = {}
        for row in self.rows:
            counts = out.setdefault(row[index], {"enrolments": 0, "completions": 0})
            counts[row[0]] += row[5]
        return out


def activity(year: int) -> Activity:
    start, end = year_bounds(year)
    rows = []
    for kind, model, moment in (
        ("enrolments", Enrolment, Enrolment.enrolled_at),
        ("completions", CourseCompletion, CourseCompletion.completed_at),
    ):
        keys = (month_in_year(moment, year), model.course_id, Course.institution_id, User.country)
        query = (
            sa.select(*keys, sa.func.count())
            .select_from(model)
            .join(Course, Course.id == model.course_id)
            .join(User, User.id == model.user_id)
            .where(moment >= start, moment < end)
            .group_by(*keys)
        )
        rows.extend((kind, *row) for row in db.session.execute(query))
    return Activity(rows)


def per_month(year: int, counts: Activity | None = None) -> list[CountRow]:
    found = (counts or activity(year)).grouped(1)
    return [CountRow(month, **found.get(month, {})) for month in month_labels(year)]


def per_course(year: int, counts: Activity | None = None) -> list[CountRow]:
    found = (counts or activity(year)).grouped(2)
    courses = db.session.execute(
        sa.select(Course.id, Course.title, Institution.slug, Course.slug)
        .join(Institution)
        .order_by(Course.title)
    ).all()
    return [CountRow(title, **found.get(cid, {}), key=f"{inst}/{slug}")
            for cid, title, inst, slug in courses]  # fmt: skip


def per_institution(year: int, counts: Activity | None = None) -> list[CountRow]:
    found = (counts or activity(year)).grouped(3)
    institutions = db.session.execute(
        sa.select(Institution.id, Institution.name, Institution.slug).order_by(Institution.name)
    ).all()
    return [CountRow(name, **found.get(iid, {}), key=slug) for iid, name, slug in institutions]


def per_country(year: int, names: dict[str, str], counts: Activity | None = None) -> list[CountRow]:
    found = (counts or activity(year)).grouped(4)
    rows = [CountRow(names.get(code, code), **each, key=code) for code, each in found.items()]
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


def without_jit() -> None:
    """PostgreSQL: no JIT compilation for the rest of this transaction (SET LOCAL, so only this
    request's report queries). Compiling the grouped queries cost more than it saved: the
    dashboard took 2.1 s with the server's default jit = on and 1.0 s without."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL jit = off"))


def dashboard(policy: CpdPolicy, year: int, today: date, country_names: dict) -> Dashboard:
    """Every figure of the M&E dashboard for a calendar year (and the CPD cycle starting in it)."""
    without_jit()
    cycle = policy.cycle_starting(year)
    counts = activity(year)
    months = per_month(year, counts)
    found, on_track = compliance_and_track(policy, cycle, today)
    board = Dashboard(
        year=year,
        cycle=cycle,
        months=months,
        courses=per_course(year, counts),
        institutions=per_institution(year, counts),
        countries=per_country(year, country_names, counts),
        compliance=found,
        certificates=certificate_rows(year, today),
        on_track=on_track,
    )
    board.totals = {
        "enrolments": sum(row.enrolments for row in months),
        "completions": sum(row.completions for row in months),
    }
    return board
