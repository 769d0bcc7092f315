"""The M&E dashboard's presentation: the headline figures it leads with, and month names.

The figures come from the dashboard's own report (wired4ex/admin/reports.py) where it already has
them; the two it lacks (points awarded, members on track) are one query each here.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from wired4ex.admin import bp, reports
from wired4ex.admin.cpd_sums import CpdSum
from wired4ex.admin.cpd_totals import CpdTotal
from wired4ex.auth.models import User
from wired4ex.cpd.models import Claim
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    hint: str = ""
    href: str | None = None


def month_name(key: str, with_year: bool = True) -> str:
    """'2026-01' as the reader's month name ("January 2026", "Januari 2026"); anything that is
    not a month is returned as it is."""
    try:
        year, month = (int(part) for part in str(key).split("-"))
        day = date(year, month, 1)
    except ValueError:
        return str(key)
    return format_date(day, "LLLL y" if with_year else "LLLL")


@bp.app_template_filter("month_name")
def _month_name_filter(key: str, with_year: bool = True) -> str:
    return month_name(key, with_year)


def points_awarded(year: int, policy: CpdPolicy | None = None) -> Decimal:
    """CPD points entered in members' ledgers for activities in the calendar year (adjustments
    included, so a correction lowers the figure); from cpd_totals (else cpd_sums) when cycles
    are calendar years."""
    cycle = policy.cycle_for(date(year, 1, 1)) if policy else None
    if cycle and cycle.start == date(year, 1, 1) and reports.totals_current(policy):
        query = sa.select(sa.func.sum(CpdTotal.claimed)).where(CpdTotal.cycle_start == cycle.start)
    elif cycle and cycle.start == date(year, 1, 1) and reports.sums_current(policy):
        query = sa.select(sa.func.sum(CpdSum.claimed)).where(CpdSum.cycle_start == cycle.start)
    else:
        query = sa.select(sa.func.sum(LedgerEntry.points)).where(
            LedgerEntry.activity_date.between(date(year, 1, 1), date(year, 12, 31))
        )
    return Decimal(db.session.scalar(query) or 0)


def on_track(policy: CpdPolicy, cycle: Cycle, today: date) -> tuple[int, int]:
    """(members on track, members with a target) in the cycle: on track means the counted points
    (and each minimum) are at least the target's share for the part of the cycle gone by; at
    the end of the cycle that is the target itself. One query."""
    standing = reports.cpd_standing(policy, cycle)
    columns = reports.on_track_columns(policy, cycle, today, standing)
    if columns is None:
        return 0, 0
    tracked, with_target = columns
    found, total = db.session.execute(
        sa.select(sa.func.sum(sa.case((tracked, 1), else_=0)), sa.func.count())
        .select_from(User)
        .outerjoin(standing, standing.c.user_id == User.id)
        .where(with_target)
    ).one()
    return int(found or 0), int(total or 0)


def headlines(
    board: reports.Dashboard, policy: CpdPolicy, today: date, urls: dict
) -> list[Headline]:
    """Active members, enrolments, completions, points awarded, claims waiting, members on
    track: the six figures the dashboard leads with."""
    active = sum(row.members for row in board.compliance)
    waiting = db.session.scalar(
        sa.select(sa.func.count()).select_from(Claim).where(Claim.status == "submitted")
    )
    if board.on_track is not None:  # worked out with the compliance, in the same query
        tracked, with_target = board.on_track
    else:
        tracked, with_target = on_track(policy, board.cycle, today)
    year = str(board.year)
    return [
        Headline(_("Active members"), str(active), _("with a member account"), urls.get("members")),
        Headline(_("Enrolments"), str(board.totals["enrolments"]), _("in %(year)s", year=year)),
        Headline(
            _("Course completions"), str(board.totals["completions"]), _("in %(year)s", year=year)
        ),  # fmt: skip
        Headline(
            _("CPD points awarded"),
            format_decimal(points_awarded(board.year, policy), format="#,##0.#"),
            _("for activities in %(year)s", year=year),
        ),  # fmt: skip
        Headline(_("Claims waiting"), str(waiting or 0), _("to verify"), urls.get("claims")),
        Headline(
            _("Members on track"),
            str(tracked),
            _(
                "of %(total)d with a CPD target, cycle %(cycle)s",
                total=with_target,
                cycle=board.cycle.label,
            ),
        ),  # fmt: skip
    ]
