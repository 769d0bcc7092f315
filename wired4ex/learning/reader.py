"""What a module page needs of one member, with the module's HTML, in one statement.

The course structure comes from catalog.structure (read once per content version); this reads
the member's enrolment in the course, whether and when they first opened the module, their
completion, their open knowledge-check attempt and the counts that decide whether they may
start another, the course they visited last, and the module version's rendered HTML.
"""

import functools
import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

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


@dataclass
class ReaderState:
    """Detached copies (never added to a session): read them only."""

    enrolment: Enrolment | None
    latest_enrolment_id: int | None  # the member's enrolment visited most recently
    started_at: datetime | None
    completion: ModuleCompletion | None
    open_attempt: QuizAttempt | None
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
def _statement():
    """Built once (bound parameters): building it is a good part of a page's time otherwise."""
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
    return (
        sa.select(
            ModuleVersion.html,
            Enrolment,
            ModuleProgress.started_at,
            ModuleCompletion,
            attempt,
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


def reader_state(user_id: int, course_id: int, module_id: int, version_id: int) -> ReaderState:
    """The member's state at one module of one course, and the version's HTML: one statement."""
    statement = _statement()
    params = {"user_id": user_id, "course_id": course_id, "module_id": module_id,
              "version_id": version_id}  # fmt: skip
    # The page's own session would keep these rows: read them in one of its own, then detach.
    session = sa.orm.Session(bind=db.session.connection())
    try:
        row = session.execute(statement, params).first()
        session.expunge_all()
    finally:
        session.close()
    if row is None:
        raise LookupError(f"module version {version_id} not found")  # untranslated: a bug
    (html, enrolment, started_at, completion, open_attempt, latest_id,
     latest_number, rows, used, last_at, granted) = row  # fmt: skip
    return ReaderState(
        enrolment=enrolment,
        latest_enrolment_id=latest_id,
        started_at=started_at,
        completion=completion,
        open_attempt=open_attempt,
        attempt_counts=(latest_number, rows, used, last_at),
        granted=granted,
        html=html,
    )
