"""A member's progress: per course and on the dashboard."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from wired4ex.catalog.models import Course, Module
from wired4ex.catalog.structure import structure
from wired4ex.extensions import db
from wired4ex.learning.models import (
    CourseCompletion,
    Enrolment,
    ModuleCompletion,
    ModuleProgress,
)
from wired4ex.learning.records import MemberRecords, member_records

# -- progress ---------------------------------------------------------------------------------


@dataclass
class ModuleState:
    module: Module
    started: bool
    completed_at: datetime | None
    new_since_completion: bool = False


@dataclass
class CourseProgress:
    """A course as one member sees it: each current module's state and the totals."""

    course: Course
    enrolment: Enrolment | None
    modules: list[ModuleState]
    completed_at: datetime | None

    @property
    def done(self) -> int:
        return sum(1 for state in self.modules if state.completed_at)

    @property
    def total(self) -> int:
        return len(self.modules)

    @property
    def percent(self) -> int:
        return (100 * self.done) // self.total if self.total else 0

    @property
    def next_module(self) -> Module | None:
        """The first current module not yet complete."""
        return next((s.module for s in self.modules if not s.completed_at), None)

    @property
    def new_modules(self) -> list[Module]:
        return [s.module for s in self.modules if s.new_since_completion]


def _progress(course, enrolment, completions, started, course_completed_at) -> CourseProgress:
    states = []
    for module in course.active_modules:
        if module.current_version is None:
            continue
        completed_at = completions.get(module.id)
        states.append(
            ModuleState(
                module=module,
                started=module.id in started,
                completed_at=completed_at,
                new_since_completion=bool(course_completed_at and not completed_at),
            )
        )
    return CourseProgress(course, enrolment, states, course_completed_at)


def _member_records(user_id: int, course_ids: list[int] | None = None):
    """Completions (module id -> date), started module ids, course completions (id -> date)."""
    completions_query = sa.select(ModuleCompletion.module_id, ModuleCompletion.completed_at).where(
        ModuleCompletion.user_id == user_id
    )
    started_query = sa.select(ModuleProgress.module_id).where(ModuleProgress.user_id == user_id)
    courses_query = sa.select(CourseCompletion.course_id, CourseCompletion.completed_at).where(
        CourseCompletion.user_id == user_id
    )
    if course_ids is not None:
        in_courses = sa.select(Module.id).where(Module.course_id.in_(course_ids))
        completions_query = completions_query.where(ModuleCompletion.module_id.in_(in_courses))
        started_query = started_query.where(ModuleProgress.module_id.in_(in_courses))
        courses_query = courses_query.where(CourseCompletion.course_id.in_(course_ids))
    completions = dict(db.session.execute(completions_query).all())
    started = set(db.session.scalars(started_query))
    course_completions = dict(db.session.execute(courses_query).all())
    return completions, started, course_completions


def course_progress(user_id: int, course: Course, enrolment: Enrolment | None) -> CourseProgress:
    """One member's progress in one course (course with modules already loaded)."""
    completions, started, course_completions = _member_records(user_id, [course.id])
    return _progress(course, enrolment, completions, started, course_completions.get(course.id))


def progress_from_records(course: Course, enrolment, records) -> CourseProgress:
    """One member's progress in one course, from their records (learning.records)."""
    return _progress(
        course,
        enrolment,
        records.completions,
        records.started,
        records.course_completions.get(course.id),
    )


@dataclass
class Dashboard:
    in_progress: list[CourseProgress]
    completed: list[CourseProgress]
    resume: tuple[CourseProgress, Module] | None


def dashboard(user_id: int, today: date, records: MemberRecords | None = None) -> Dashboard:
    """A member's courses in progress and completed, and where to resume: one statement for the
    member's records (unless the caller read them: `records`), the courses from the course
    structure of this content version. (The home page adds the CPD standing from the CPD
    package.)"""
    known = structure()
    if records is None:
        records = member_records(user_id)
    enrolments = [e for e in records.enrolments.values() if e.status == "active"]
    enrolments.sort(key=lambda e: e.enrolled_at, reverse=True)
    enrolments.sort(key=lambda e: (e.last_visited_at is None, _descending(e.last_visited_at)))
    in_progress, completed = [], []
    resume = None
    for enrolment in enrolments:
        course = known.by_id.get(enrolment.course_id)
        if course is None:  # changed since the structure was read: shown on the next request
            continue
        progress = _progress(
            course,
            enrolment,
            records.completions,
            records.started,
            records.course_completions.get(enrolment.course_id),
        )
        (completed if progress.completed_at else in_progress).append(progress)
        last = known.modules.get(enrolment.last_module_id) if enrolment.last_module_id else None
        if resume is None and last is not None and not progress.completed_at:
            target = last if last.id not in records.completions else (progress.next_module or last)
            if target.status == "active":
                resume = (progress, target)
    return Dashboard(in_progress, completed, resume)


def _descending(moment: datetime | None) -> float:
    return -moment.timestamp() if moment is not None else 0.0
