"""Course reports for faculty and admins: learners' progress, knowledge-check pass rates per
question, completions over time."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from wired4ex.admin.reports import CHUNK, local_month
from wired4ex.auth.models import User
from wired4ex.catalog.models import Course, Module, ModuleVersion
from wired4ex.catalog.quiz import is_right
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment, ModuleCompletion, QuizAttempt

# -- a course report (faculty and admins) ----------------------------------------------------------


@dataclass
class LearnerRow:
    user_id: int
    name: str
    email: str
    country: str
    category: str
    enrolled_at: datetime
    status: str
    done: int
    total: int
    completed_at: datetime | None

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


# A question's share answered right is shown only from this many attempts on: fewer say little
# and could point at one learner.
MIN_ATTEMPTS_SHOWN = 5


@dataclass
class QuestionRow:
    module: str
    question: str
    attempts: int = 0
    correct: int = 0

    @property
    def shown(self) -> bool:
        return self.attempts >= MIN_ATTEMPTS_SHOWN

    @property
    def pass_rate(self) -> int:
        return 100 * self.correct // self.attempts if self.attempts else 0


@dataclass
class ModuleRow:
    module: str
    attempts: int
    passed: int

    @property
    def pass_rate(self) -> int:
        return 100 * self.passed // self.attempts if self.attempts else 0


def module_rows(course: Course, country=None, category=None) -> list[ModuleRow]:
    """Per module with a knowledge check: submitted attempts and the share that passed."""
    counts = {
        module_id: (attempts, passed or 0)
        for module_id, attempts, passed in db.session.execute(
            learner_filter(
                sa.select(QuizAttempt.module_id, sa.func.count(),
                          sa.func.sum(sa.case((QuizAttempt.passed.is_(True), 1), else_=0)))
                .join(User, User.id == QuizAttempt.user_id)
                .join(Module, Module.id == QuizAttempt.module_id)
                .where(Module.course_id == course.id, QuizAttempt.submitted_at.is_not(None))
                .group_by(QuizAttempt.module_id),
                country,
                category,
            )
        )
    }  # fmt: skip
    rows = []
    for module in db.session.scalars(
        sa.select(Module).where(Module.course_id == course.id).order_by(Module.position)
    ):
        version = module.current_version
        if version is None or (not version.quiz and module.id not in counts):
            continue
        attempts, passed = counts.get(module.id, (0, 0))
        rows.append(ModuleRow(version.title, attempts, passed))
    return rows


def current_module_ids(course: Course) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Module.id).where(
                Module.course_id == course.id,
                Module.status == "active",
                Module.current_version_id.is_not(None),
            )
        )
    )


def learner_filter(query, country: str | None, category: str | None):
    if country:
        query = query.where(User.country == country)
    if category:
        query = query.where(User.membership_category == category)
    return query


def learners_query(course: Course, country=None, category=None):
    """Enrolled learners with their completed current modules and course completion date."""
    modules = current_module_ids(course)
    done = (
        sa.select(ModuleCompletion.user_id, sa.func.count().label("done"))
        .where(ModuleCompletion.module_id.in_(modules or [-1]))
        .group_by(ModuleCompletion.user_id)
        .subquery()
    )
    query = (
        sa.select(
            User.id,
            User.full_name,
            User.email,
            User.country,
            User.membership_category,
            Enrolment.enrolled_at,
            Enrolment.status,
            sa.func.coalesce(done.c.done, 0),
            sa.literal(len(modules)),
            CourseCompletion.completed_at,
        )  # fmt: skip
        .join(Enrolment, Enrolment.user_id == User.id)
        .outerjoin(done, done.c.user_id == User.id)
        .outerjoin(
            CourseCompletion,
            sa.and_(CourseCompletion.user_id == User.id, CourseCompletion.course_id == course.id),
        )
        .where(Enrolment.course_id == course.id)
        .order_by(User.full_name, User.id)
    )
    return learner_filter(query, country, category)


def learner_rows(query) -> list[LearnerRow]:
    return [LearnerRow(*row) for row in db.session.execute(query)]


def completions_query(course: Course, country=None, category=None):
    """Course completions per local month, for any filter of learners."""
    month = local_month(CourseCompletion.completed_at)
    query = (
        sa.select(month, sa.func.count())
        .join(User, User.id == CourseCompletion.user_id)
        .where(CourseCompletion.course_id == course.id)
        .group_by(month)
        .order_by(month)
    )
    return learner_filter(query, country, category)


def question_rows(course: Course, country=None, category=None) -> list[QuestionRow]:
    """Per question: attempts that showed it and share answered right, scored against the version
    answered (questions not drawn in an attempt do not count for it).

    Attempts are streamed in chunks; questions with the same text in different versions of a
    module are counted together.
    """
    versions = {
        version.id: version
        for version in db.session.scalars(
            sa.select(ModuleVersion).join(Module, Module.id == ModuleVersion.module_id)
            .where(Module.course_id == course.id)
        )
    }  # fmt: skip
    rows: dict[tuple, QuestionRow] = {}
    modules = db.session.scalars(
        sa.select(Module).where(Module.course_id == course.id).order_by(Module.position)
    ).all()
    for module in modules:  # list questions of current versions first, in order
        if module.current_version_id in versions:
            current = versions[module.current_version_id]
            for question in current.quiz:
                rows.setdefault((module.id, question["text"]),
                                QuestionRow(current.title, question["text"]))  # fmt: skip
    query = learner_filter(
        sa.select(
            QuizAttempt.module_id,
            QuizAttempt.module_version_id,
            QuizAttempt.answers,
            QuizAttempt.layout,
        )
        .join(User, User.id == QuizAttempt.user_id)
        .where(
            QuizAttempt.module_version_id.in_(list(versions) or [-1]),
            QuizAttempt.submitted_at.is_not(None),
        )
        .execution_options(yield_per=CHUNK),
        country,
        category,
    )
    for module_id, version_id, answers, layout in db.session.execute(query):
        version = versions[version_id]
        shown = None if layout is None else {item["id"] for item in layout}
        for question in version.quiz:
            if shown is not None and question["id"] not in shown:
                continue
            row = rows.setdefault((module_id, question["text"]),
                                  QuestionRow(version.title, question["text"]))  # fmt: skip
            row.attempts += 1
            row.correct += is_right(question, (answers or {}).get(question["id"], []))
    return list(rows.values())
