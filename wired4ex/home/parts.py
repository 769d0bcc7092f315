"""The dashboard's parts, rendered once per process for what they show (wired4ex.pagecache) from
home/_dashboard_parts.html and shared by every member whose part reads the same.

Each macro receives only what its key holds: the shown values below (their frozen form, see
`pagecache.frozen`) or courses and modules by id (content, fixed for a content version, which
pagecache keys by, as it does the language, time zone and URL root of `url_for`). Never
who the member is: a new ledger entry, a finished module or a membership change gives another
key on the next request, and two members share a part only when it reads the same.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask import current_app
from markupsafe import Markup

from wired4ex import pagecache
from wired4ex.cpd.standing import CpdSummary
from wired4ex.home.services import Home
from wired4ex.membership.services import MembershipStatus


class Renewal(NamedTuple):
    """A certificate due for renewal, as its banner shows it."""

    programme_name: str
    expires_on: date


class Notice(NamedTuple):
    """What the membership banner (and the standing card) shows of the member's status: the
    dates only where a banner shows them."""

    state: str
    renewal_due_soon: bool
    lapsed_since: date | None
    valid_until: date | None
    lapses_on: date | None


class Minimum(NamedTuple):
    name: str
    minimum: Decimal
    counted: Decimal


class Figures(NamedTuple):
    """What `cpd/_standing.html`'s standing_figures reads of a CpdSummary."""

    membership_verified: bool
    exempt: bool
    counted: Decimal
    target: Decimal | None
    target_met: bool
    still_needed: Decimal
    unmet_minimums: tuple[Minimum, ...]


class Standing(NamedTuple):
    cycle_label: str
    figures: Figures
    days_left: int


@dataclass(frozen=True)
class Parts:
    """The dashboard's content, ready to insert (Markup; shared: read, never change)."""

    top: Markup  # the banners and the CPD standing card
    resume: Markup  # "Continue where you left off", or empty
    in_progress: list[Markup]  # a card per course in progress
    completed: list[Markup]  # a card per completed course

    def no_course(self) -> Markup:
        return _part("no-course", (), lambda macros: macros.no_course())


def dashboard_parts(home: Home) -> Parts:
    board = home.learning
    membership = notice(home.membership)
    standing = _standing(home.standing) if home.standing is not None else None
    renewals = tuple(Renewal(c.programme_name, c.expires_on) for c in home.renewals)
    has_resume = board.resume is not None
    # frozen() keys decimals by their text: the progress bar writes the counted points and the
    # target as they are (Decimal("20") and Decimal("20.0") print differently).
    top = _part(
        "top",
        pagecache.frozen((renewals, membership, standing, has_resume)),
        lambda macros: macros.top(renewals, membership, standing, has_resume),
    )
    resume = Markup()
    if board.resume is not None:
        progress, module = board.resume
        course = progress.course
        resume = _part(
            "resume", (course.id, module.id), lambda macros: macros.resume(course, module)
        )
    return Parts(
        top=top,
        resume=resume,
        in_progress=[_course_card(progress) for progress in board.in_progress],
        completed=[_completed_card(progress) for progress in board.completed],
    )


def notice(status: MembershipStatus) -> Notice:
    lapsed = status.state == "lapsed"
    due = status.renewal_due_soon
    return Notice(
        state=status.state,
        renewal_due_soon=due,
        lapsed_since=status.lapsed_since if lapsed else None,
        valid_until=status.valid_until if due else None,
        lapses_on=status.lapses_on if due else None,
    )


def _standing(glance) -> Standing:
    summary: CpdSummary = glance.summary
    figures = Figures(
        membership_verified=summary.membership_verified,
        exempt=summary.exempt,
        counted=summary.counted,
        target=summary.target,
        target_met=summary.target_met,
        still_needed=summary.still_needed,
        unmet_minimums=tuple(
            Minimum(str(m.name), m.minimum, m.counted) for m in summary.unmet_minimums
        ),
    )
    return Standing(glance.cycle.label, figures, glance.days_left)


def _course_card(progress) -> Markup:
    course, next_module = progress.course, progress.next_module
    done, total = progress.done, progress.total
    percent = progress.percent
    return _part(
        "course",
        (course.id, done, total, next_module.id if next_module else None),
        lambda macros: macros.course_card(course, done, total, percent, next_module),
    )


def _completed_card(progress) -> Markup:
    course = progress.course
    completed_at: datetime = progress.completed_at
    new = len(progress.new_modules)
    return _part(
        "completed",
        (course.id, completed_at, new),
        lambda macros: macros.completed_card(course, completed_at, new),
    )


def _part(name: str, key, build) -> Markup:
    """A part of the dashboard for `key` (pagecache adds the URL root of its links)."""
    return pagecache.part("dashboard-" + name, key, lambda: build(_macros()))


def _macros():
    return current_app.jinja_env.get_template("home/_dashboard_parts.html").module
