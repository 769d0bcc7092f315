"""Completing a module: the completion, its pair's, one ledger entry and the course completion."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from wired4ex.auth.models import User
from wired4ex.catalog.models import Module, ModuleVersion
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.common import LearningError, _insert_ignoring_conflict, _start_writing
from wired4ex.learning.enrolment import first_opened_at
from wired4ex.learning.models import (
    CourseCompletion,
    LedgerEntry,
    ModuleCompletion,
)
from wired4ex.timeutil import local_date

# -- completion -------------------------------------------------------------------------------


def _award_values(module: Module, version: ModuleVersion) -> dict:
    """The ledger entry's copy of the module as it is now."""
    return dict(
        title=version.title,
        provider=module.course.institution.name,
        category=version.cpd_category,
        points=Decimal(version.cpd_points),
        competencies=list(version.competencies),
        course_id=module.course_id,
    )


def mark_done(user: User, module: Module, at: datetime | None = None) -> bool:
    """Complete a module without a knowledge check after opening it; commits.

    Returns True when this call completed it, False when it was already complete.
    """
    version = module.current_version
    if version is None or module.status != "active":
        raise LearningError(_l("This module is not available."))
    if version.quiz:
        raise LearningError(_l("This module is completed by passing its knowledge check."))
    at = at or utcnow()
    left = reading_time_left(user.id, module, at)
    if left is None:
        raise LearningError(_l("Open the module before marking it done."))
    if left > 0:
        raise LearningError(
            _l("Read the module a little longer: you can mark it done in %(minutes)s.",
               minutes=minutes_text(left))
        )  # fmt: skip
    user_id, module_id, version_id = user.id, module.id, version.id
    award = _award_values(module, version)
    pairs = paired_modules(module)
    _start_writing()
    completed = _complete(user_id, module_id, version_id, "marked_done", None, at, award, pairs)
    db.session.commit()
    return completed


def reading_time_left(user_id: int, module: Module, at: datetime | None = None) -> int | None:
    """Seconds until a module without a check may be marked done (its `min_read_minutes` since the
    member first opened it, on the server's clock); None when the member has not opened it."""
    opened = first_opened_at(user_id, module.id)
    if opened is None:
        return None
    needed = module.current_version.min_read_seconds if module.current_version else 0
    elapsed = ((at or utcnow()) - opened).total_seconds()
    return max(0, math.ceil(needed - elapsed))


def minutes_text(seconds: int) -> str:
    """A wait in words: "3 minutes", "1 minute", "less than a minute"."""
    minutes = math.ceil(seconds / 60)
    if seconds < 60:
        return str(_l("less than a minute"))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


@dataclass(frozen=True)
class PairedModule:
    """The same module in the course's other language edition (plain values)."""

    module_id: int
    version_id: int
    course_id: int


def paired_modules(module: Module) -> list[PairedModule]:
    """The module with the same id in the other edition of the module's course, if any.

    Archived pairs count too: their history still says whether the points were earned.
    """
    other = module.course.other_edition
    if other is None:
        return []
    rows = db.session.execute(
        sa.select(Module.id, Module.current_version_id, Module.course_id).where(
            Module.course_id == other.id,
            Module.key == module.key,
            Module.current_version_id.is_not(None),
        )
    ).all()
    return [PairedModule(*row) for row in rows]


def paired_module(module: Module) -> Module | None:
    """The active module of the other edition paired with this one (for the switch link)."""
    other = module.course.other_edition
    if other is None:
        return None
    return next((m for m in other.active_modules if m.key == module.key), None)


def _complete(user_id, module_id, version_id, via, attempt_id, at, award, pairs=()) -> bool:
    """Write the completion (and its pair's), its ledger entry and any course completion.

    No commit. The ledger entry is written only when neither module of a pair was complete.
    """
    rows = [(module_id, version_id, via, attempt_id)]
    rows += [(pair.module_id, pair.version_id, "edition", None) for pair in pairs]
    inserted = {}
    for row_module_id, row_version_id, row_via, row_attempt_id in sorted(rows):
        inserted[row_module_id] = _insert_ignoring_conflict(
            ModuleCompletion,
            dict(
                user_id=user_id,
                module_id=row_module_id,
                module_version_id=row_version_id,
                via=row_via,
                attempt_id=row_attempt_id,
                completed_at=at,
            ),
            ["user_id", "module_id"],
        )
    completion_id = inserted[module_id]
    if completion_id is None:
        return False
    course_id = award.pop("course_id")
    if all(inserted[pair.module_id] is not None for pair in pairs):
        db.session.add(
            LedgerEntry(
                user_id=user_id,
                source="module",
                completion_id=completion_id,
                module_version_id=version_id,
                activity_date=local_date(at),
                created_at=at,
                **award,
            )
        )
        db.session.flush()
    for affected in sorted({course_id, *(pair.course_id for pair in pairs)}):  # lock order
        _complete_course_if_done(user_id, affected, at)
    return True


def _complete_course_if_done(user_id: int, course_id: int, at: datetime) -> None:
    """Record the course completion once every current module of the course is complete."""
    active = set(
        db.session.scalars(
            sa.select(Module.id).where(Module.course_id == course_id, Module.status == "active")
        )
    )
    done = set(
        db.session.scalars(
            sa.select(ModuleCompletion.module_id).where(
                ModuleCompletion.user_id == user_id, ModuleCompletion.module_id.in_(active)
            )
        )
    )
    if active and active <= done:
        _insert_ignoring_conflict(
            CourseCompletion,
            dict(user_id=user_id, course_id=course_id, completed_at=at),
            ["user_id", "course_id"],
        )
