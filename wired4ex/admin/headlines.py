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


def points_awarded(year: int) -> Decimal:
    """CPD points entered in members' ledgers for activities in the calendar year (adjustments
    included, so a correction lowers the figure)."""
    total = db.session.scalar(
        sa.select(sa.func.sum(LedgerEntry.points)).where(
            LedgerEntry.activity_date.between(date(year, 1, 1), date(year, 12, 31))
        )
    )
    return Decimal(total or 0)


def on_track(policy: CpdPolicy, cycle: Cycle, today: date) -> tuple[int, int]:
    """(members on track, members with a target) in the cycle: on track means the counted points
    (and each minimum) are at least the target's share for the part of the cycle gone by; at
    the end of the cycle that is the target itself. One query."""
    targets = {name: value for name, value in policy.targets.items() if value is not None}
    if not targets:
        return 0, 0
    length = (cycle.end - cycle.start).days + 1
    gone = min(max((today - cycle.start).days + 1, 0), length)
    share = Decimal(gone) / Decimal(length)
    standing = reports.cpd_standing(policy, cycle)
    zero = reports._number(Decimal(0))  # noqa: SLF001  (the report's literal numbers)
    needed = sa.case(
        {name: reports._number((value * share).quantize(Decimal("0.1")))  # noqa: SLF001
         for name, value in targets.items()},
        value=User.membership_category,
    )  # fmt: skip
    conditions = [sa.func.coalesce(standing.c.counted, zero) >= needed]
    for index, minimum in enumerate(policy.minimums.values()):
        column = standing.c[f"minimum_{index}"]
        part = reports._number((minimum * share).quantize(Decimal("0.1")))  # noqa: SLF001
        conditions.append(sa.func.coalesce(column, zero) >= part)
    with_target = sa.and_(
        User.is_active_account.is_(True),
        reports.is_member(),
        User.membership_category.in_(list(targets)),
    )
    tracked = sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0))
    found, total = db.session.execute(
        sa.select(tracked, sa.func.count())
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
            format_decimal(points_awarded(board.year), format="#,##0.#"),
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
