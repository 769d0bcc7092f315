"""A member's learning records in one statement: enrolments, module completions, modules
started and course completions (the course structure comes from catalog.structure)."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from wired4ex.dbtypes import UTCDateTime
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment, ModuleCompletion, ModuleProgress


class EnrolmentRow(NamedTuple):
    """An enrolment's columns, for a page that only shows it (the dashboard): the same fields as
    an Enrolment, without an ORM object's bookkeeping (it costs more to make than to read)."""

    id: int
    user_id: int
    course_id: int
    last_module_id: int | None
    status: str
    enrolled_at: datetime
    withdrawn_at: datetime | None
    last_visited_at: datetime | None


@dataclass
class MemberRecords:
    # course id -> the enrolment (read-only)
    enrolments: dict[int, Enrolment | EnrolmentRow] = field(default_factory=dict)
    completions: dict[int, datetime] = field(default_factory=dict)  # module id -> completed at
    started: set[int] = field(default_factory=set)  # module ids
    course_completions: dict[int, datetime] = field(default_factory=dict)  # course id -> at


def _null(kind):
    return sa.cast(sa.null(), kind)


def member_records(
    user_id: int, module_ids: list[int] | None = None, course_id: int | None = None
) -> MemberRecords:
    """Everything above for one member (completions and starts limited to `module_ids`, the
    enrolments to the one in `course_id`, when given), as one UNION ALL statement. The
    enrolments are detached copies: read them only."""
    params = {"user_id": user_id}
    if module_ids is not None:
        params["module_ids"] = list(module_ids)
    if course_id is not None:
        params["course_id"] = course_id
    statement = _statement(module_ids is not None, course_id is not None)
    return records_from_rows(user_id, db.session.execute(statement, params))


def records_from_rows(
    user_id: int, rows, enrolment: Callable[..., Enrolment | EnrolmentRow] = Enrolment
) -> MemberRecords:
    """The records from the rows of `_statement` (read alone or within a larger statement);
    each enrolment made by `enrolment` (Enrolment, read-only; or EnrolmentRow)."""
    records = MemberRecords()
    for kind, a, b, c, status, t1, t2, t3 in rows:
        if kind == "e":
            records.enrolments[b] = enrolment(
                id=a, user_id=user_id, course_id=b, last_module_id=c, status=status,
                enrolled_at=t1, withdrawn_at=t2, last_visited_at=t3,
            )  # fmt: skip
        elif kind == "m":
            records.completions[a] = t1
        elif kind == "s":
            records.started.add(a)
        else:
            records.course_completions[a] = t1
    return records


def statement(limited: bool = False):
    """The UNION ALL statement `member_records` runs (bound parameters: user_id, and module_ids
    when limited), for a caller that reads it within a larger one (`records_from_rows`)."""
    return _statement(limited)


@functools.cache
def _statement(limited: bool, one_course: bool = False):
    """Built once per shape, with bound parameters (building it costs more than running it)."""
    user_id = sa.bindparam("user_id")
    integer, text = sa.Integer(), sa.String(10)
    enrolments = sa.select(
        sa.literal("e", text).label("kind"),
        Enrolment.id.label("a"),
        Enrolment.course_id.label("b"),
        Enrolment.last_module_id.label("c"),
        Enrolment.status.label("status"),
        Enrolment.enrolled_at.label("t1"),
        Enrolment.withdrawn_at.label("t2"),
        Enrolment.last_visited_at.label("t3"),
    ).where(Enrolment.user_id == user_id)
    completions = sa.select(
        sa.literal("m", text), ModuleCompletion.module_id, _null(integer), _null(integer),
        _null(text), ModuleCompletion.completed_at, _null(UTCDateTime), _null(UTCDateTime),
    ).where(ModuleCompletion.user_id == user_id)  # fmt: skip
    started = sa.select(
        sa.literal("s", text), ModuleProgress.module_id, _null(integer), _null(integer),
        _null(text), _null(UTCDateTime), _null(UTCDateTime), _null(UTCDateTime),
    ).where(ModuleProgress.user_id == user_id)  # fmt: skip
    if one_course:
        enrolments = enrolments.where(Enrolment.course_id == sa.bindparam("course_id"))
    if limited:
        module_ids = sa.bindparam("module_ids", expanding=True)
        completions = completions.where(ModuleCompletion.module_id.in_(module_ids))
        started = started.where(ModuleProgress.module_id.in_(module_ids))
    courses = sa.select(
        sa.literal("c", text), CourseCompletion.course_id, _null(integer), _null(integer),
        _null(text), CourseCompletion.completed_at, _null(UTCDateTime), _null(UTCDateTime),
    ).where(CourseCompletion.user_id == user_id)  # fmt: skip
    return sa.union_all(enrolments, completions, started, courses)
