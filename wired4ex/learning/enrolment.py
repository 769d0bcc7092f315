"""Enrolment, reading access and visits: who may read a course's modules, and what they opened."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from wired4ex.auth.models import User
from wired4ex.catalog.models import Course
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.common import LearningError, _start_writing
from wired4ex.learning.models import (
    CourseCompletion,
    Enrolment,
    ModuleCompletion,
    ModuleProgress,
)

# -- enrolment --------------------------------------------------------------------------------


def get_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    """The member's enrolment in the course, active or withdrawn."""
    return db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def completed_course_ids(user_id: int) -> set[int]:
    """Ids of the courses the member has completed."""
    query = sa.select(CourseCompletion.course_id).where(CourseCompletion.user_id == user_id)
    return set(db.session.scalars(query))


def missing_prerequisites(user_id: int, course: Course, done: set[int] | None = None) -> list[str]:
    """Titles (or ids, when unknown) of prerequisite courses the member has not completed
    (`done`: the ids of the courses they completed, when the caller has them)."""
    from wired4ex.catalog.services import get_courses_by_key

    if not course.prerequisites:
        return []
    known = get_courses_by_key(course.prerequisites)
    if done is None:
        done = completed_course_ids(user_id)
    missing = []
    for key in course.prerequisites:
        prerequisite = known.get(key)
        other = prerequisite.other_edition if prerequisite is not None else None
        if other is not None and other.id in done:
            continue  # either language edition of a prerequisite will do
        if prerequisite is None or prerequisite.id not in done:
            missing.append(prerequisite.title if prerequisite else key)
    return missing


def enrol(user: User, course: Course, at: datetime | None = None) -> Enrolment:
    """Enrol (or re-enrol, restoring progress); commits. Refuses unmet prerequisites."""
    if course.status != "published":
        raise LearningError(_l("This course is not open for enrolment."))
    missing = missing_prerequisites(user.id, course)
    if missing:
        raise LearningError(
            _l("Complete these courses first: %(courses)s.", courses="; ".join(missing))
        )
    enrolment = get_enrolment(user.id, course.id)
    if enrolment is None:
        enrolment = Enrolment(user_id=user.id, course_id=course.id, enrolled_at=at or utcnow())
        db.session.add(enrolment)
    elif enrolment.status == "withdrawn":
        enrolment.status = "active"
        enrolment.withdrawn_at = None
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a parallel request enrolled first: same outcome
        db.session.rollback()
        enrolment = get_enrolment(user.id, course.id)
    return enrolment


def unenrol(user: User, course: Course, at: datetime | None = None) -> None:
    """Withdraw from a course, keeping every record; commits."""
    enrolment = get_enrolment(user.id, course.id)
    if enrolment is None or enrolment.status != "active":
        raise LearningError(_l("You are not enrolled in this course."))
    enrolment.status = "withdrawn"
    enrolment.withdrawn_at = at or utcnow()
    db.session.commit()


def enrolled_in_other_edition(user_id: int, course: Course) -> bool:
    """Whether the member is actively enrolled in the course's other language edition."""
    other = course.other_edition
    if other is None:
        return False
    enrolment = get_enrolment(user_id, other.id)
    return enrolment is not None and enrolment.status == "active"


def switch_edition(user: User, course: Course) -> Enrolment | None:
    """Enrol a member who follows the other edition in this one (switching language); commits.

    Returns the enrolment, or None when the member does not follow the other edition or may not
    enrol here. Progress is shared through the module pairs, so nothing else moves.
    """
    if course.status != "published" or not enrolled_in_other_edition(user.id, course):
        return None
    try:
        return enrol(user, course)
    except LearningError:
        return None


def can_read_modules(user: User, course: Course, enrolment: Enrolment | None) -> bool:
    """Enrolled members read modules; admins and the course's institution's faculty preview them."""
    if enrolment is not None and enrolment.status == "active":
        return True
    if user.is_admin:
        return True
    return user.is_faculty and user.institution_id == course.institution_id


def record_visit(user_id: int, enrolment_id: int, module_id: int, at: datetime | None = None):
    """Note that the member opened the module (started) and that it is their last one; commits."""
    at = at or utcnow()
    _start_writing()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # A visit is bookkeeping (where the dashboard resumes, when a module was first opened):
        # its commit need not wait for the log to reach the disk. A database crash may lose the
        # last moment's visits, nothing else: the setting holds for this transaction only.
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ModuleProgress).values(
        user_id=user_id, module_id=module_id, started_at=at, last_opened_at=at
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "module_id"], set_={"last_opened_at": at}
    )
    db.session.execute(statement)
    db.session.execute(
        sa.update(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .values(last_module_id=module_id, last_visited_at=at)
    )
    db.session.commit()


def has_started(user_id: int, module_id: int) -> bool:
    query = sa.select(ModuleProgress.id).where(
        ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id
    )
    return db.session.scalar(query) is not None


def first_opened_at(user_id: int, module_id: int) -> datetime | None:
    """When the member first opened the module, or None."""
    return db.session.scalar(
        sa.select(ModuleProgress.started_at).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id
        )
    )


def get_completion(user_id: int, module_id: int) -> ModuleCompletion | None:
    return db.session.scalar(
        sa.select(ModuleCompletion).where(
            ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module_id
        )
    )
