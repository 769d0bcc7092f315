"""What a module page needs of one member, with the module's HTML, in one statement.

The course structure comes from catalog.structure (read once per content version); this reads
the member's enrolment in the course, whether and when they first opened the module, their
completion, their open knowledge-check attempt and the counts that decide whether they may
start another, the course they visited last, and the module version's rendered HTML (the
same for every member: kept per content version once read, and then not read again).
"""

import functools
import math
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from wired4ex import contentversion
from wired4ex.catalog.models import Module, ModuleVersion
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.attempts import Allowance, allowance_from
from wired4ex.learning.models import (
    AttemptGrant,
    Enrolment,
    ModuleCompletion,
    ModuleProgress,
    QuizAttempt,
)


# The columns of the member's rows that the page uses (read as plain values, not ORM objects).
class ShownEnrolment(NamedTuple):
    id: int
    status: str
    last_module_id: int | None


class ShownCompletion(NamedTuple):
    id: int
    completed_at: datetime


class OpenAttempt(NamedTuple):
    """What the page needs of the open attempt: its questions' order, and its answer sheet
    (attempts.issue_answer_sheet reads user_id, module_id, module_version_id and nonce)."""

    id: int
    user_id: int
    module_id: int
    module_version_id: int
    nonce: str
    layout: list | None


ENROLMENT_COLUMNS = (Enrolment.id, Enrolment.status, Enrolment.last_module_id)
COMPLETION_COLUMNS = (ModuleCompletion.id, ModuleCompletion.completed_at)


@dataclass
class ReaderState:
    """Plain values read with the page (read them only)."""

    enrolment: ShownEnrolment | None
    latest_enrolment_id: int | None  # the member's enrolment visited most recently
    started_at: datetime | None
    completion: ShownCompletion | None
    open_attempt: OpenAttempt | None
    attempt_counts: tuple[int, int, int, datetime | None]  # latest number, rows, used, last at
    granted: int
    html: str

    def needs_visit(self, module_id: int) -> bool:
        """Whether opening the module changes what is stored: the first visit, or a module other
        than the member's last one (record_visit)."""
        enrolment = self.enrolment
        return (
            self.started_at is None
            or enrolment is None
            or enrolment.last_module_id != module_id
            or self.latest_enrolment_id != enrolment.id
        )

    def allowance(self, version: ModuleVersion, at: datetime | None = None) -> Allowance:
        """attempts.attempt_allowance from the counts read with the page."""
        latest_number, rows, used, last_at = self.attempt_counts
        open_id = None
        if rows > used:
            open_id = self.open_attempt.id if self.open_attempt is not None else -1
        return allowance_from(version, latest_number, used, last_at, open_id, self.granted, at)

    def reading_time_left(self, module: Module, at: datetime | None = None) -> int | None:
        """completion.reading_time_left from the first-opened time read with the page."""
        if self.started_at is None:
            return None
        needed = module.current_version.min_read_seconds if module.current_version else 0
        elapsed = ((at or utcnow()) - self.started_at).total_seconds()
        return max(0, math.ceil(needed - elapsed))


def _scalar(query):
    return query.scalar_subquery()


@functools.cache
def _statement(with_html: bool = True):
    """Built once (bound parameters): building it is a good part of a page's time otherwise.
    Without the HTML (kept from an earlier request), the version's id stands in its place."""
    user_id, course_id = sa.bindparam("user_id"), sa.bindparam("course_id")
    module_id, version_id = sa.bindparam("module_id"), sa.bindparam("version_id")
    attempt = aliased(QuizAttempt)
    mine = (QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id)
    latest = (
        sa.select(Enrolment.id)
        .where(Enrolment.user_id == user_id, Enrolment.last_visited_at.is_not(None))
        .order_by(Enrolment.last_visited_at.desc(), Enrolment.id.desc())
        .limit(1)
    )
    attempt_columns = (attempt.id, attempt.user_id, attempt.module_id, attempt.module_version_id,
                       attempt.nonce, attempt.layout)  # fmt: skip
    return (
        sa.select(
            ModuleVersion.html if with_html else ModuleVersion.id,
            *ENROLMENT_COLUMNS,
            ModuleProgress.started_at,
            *COMPLETION_COLUMNS,
            *attempt_columns,
            _scalar(latest),
            _scalar(sa.select(sa.func.coalesce(sa.func.max(QuizAttempt.number), 0)).where(*mine)),
            _scalar(sa.select(sa.func.count(QuizAttempt.id)).where(*mine)),
            _scalar(sa.select(sa.func.count(QuizAttempt.submitted_at)).where(*mine)),
            _scalar(sa.select(sa.func.max(QuizAttempt.submitted_at)).where(*mine)),
            _scalar(
                sa.select(sa.func.count(AttemptGrant.id)).where(
                    AttemptGrant.user_id == user_id, AttemptGrant.module_id == module_id
                )
            ),
        )
        .select_from(ModuleVersion)
        .outerjoin(
            Enrolment, sa.and_(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
        )
        .outerjoin(
            ModuleProgress,
            sa.and_(ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id),
        )
        .outerjoin(
            ModuleCompletion,
            sa.and_(ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module_id),
        )
        .outerjoin(
            attempt,
            sa.and_(
                attempt.user_id == user_id,
                attempt.module_id == module_id,
                attempt.submitted_at.is_(None),
            ),
        )
        .where(ModuleVersion.id == version_id)
        .order_by(attempt.id)
        .limit(1)
    )


# (content version, module version id) -> the version's rendered HTML (some 10 kB, the same for
# every member), read with the first page of the version and kept; bounded (emptied when full).
_HTML: dict[tuple[str, int], str] = {}
HTML_KEPT = 256


def reader_state(user_id: int, course_id: int, module_id: int, version_id: int) -> ReaderState:
    """The member's state at one module of one course, and the version's HTML: one statement
    (the HTML only when it is not kept yet for this content version)."""
    content = contentversion.current()
    kept = _HTML.get((content, version_id)) if content is not None else None
    statement = _statement(with_html=kept is None)
    params = {"user_id": user_id, "course_id": course_id, "module_id": module_id,
              "version_id": version_id}  # fmt: skip
    # Plain columns through the session's connection: no ORM objects to build, keep or detach.
    row = db.session.connection().execute(statement, params).first()
    if row is None:
        raise LookupError(f"module version {version_id} not found")  # untranslated: a bug
    values = tuple(row)
    html = kept if kept is not None else values[0]
    enrolment, started_at = values[1:4], values[4]
    if kept is None and content is not None:
        if len(_HTML) >= HTML_KEPT:
            _HTML.clear()
        _HTML[(content, version_id)] = html
    completion, attempt, counts = values[5:7], values[7:13], values[13:]
    latest_id, latest_number, rows, used, last_at, granted = counts
    return ReaderState(
        enrolment=ShownEnrolment(*enrolment) if enrolment[0] is not None else None,
        latest_enrolment_id=latest_id,
        started_at=started_at,
        completion=ShownCompletion(*completion) if completion[0] is not None else None,
        open_attempt=OpenAttempt(*attempt) if attempt[0] is not None else None,
        attempt_counts=(latest_number, rows, used, last_at),
        granted=granted,
        html=html,
    )
