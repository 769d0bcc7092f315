"""Learning use cases: enrol, read, answer knowledge checks, complete, and see progress.

Completion is immediate and exact: the completion, its one CPD ledger entry and the course
completion are written in the same transaction, and a unique constraint with an insert that
ignores conflicts makes parallel requests give one completion and one entry.

Language editions: a module and the module with the same id in the course's other edition are a
pair. Completing one writes completions for both (the pair's with via "edition") and one ledger
entry, only when neither was complete before. The completions are inserted in module-id order, so
parallel requests for the two modules of a pair queue on the same row and only one of them wins.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from wired4ex.auth.models import User
from wired4ex.catalog.models import Course, Module, ModuleVersion
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import (
    CourseCompletion,
    Enrolment,
    LedgerEntry,
    ModuleCompletion,
    ModuleProgress,
    QuizAttempt,
)
from wired4ex.timeutil import local_date


class LearningError(ValueError):
    """A use case refused; the message is safe to show to the member."""


# -- writing safely under concurrency ----------------------------------------------------------


def _start_writing() -> None:
    """End the reading transaction so the next one starts with a write.

    On SQLite in WAL mode a transaction that read first and writes later fails at once when another
    writer committed in between; one that starts with its write waits its turn (busy timeout).
    Callers read everything they need into plain values before calling this.
    """
    db.session.commit()


def _insert_ignoring_conflict(model, values: dict, unique: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None when the row existed."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model).values(**values).on_conflict_do_nothing(index_elements=unique)
    ).returning(model.id)
    return db.session.execute(statement).scalar()


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


def missing_prerequisites(user_id: int, course: Course) -> list[str]:
    """Titles (or ids, when unknown) of prerequisite courses the member has not completed."""
    from wired4ex.catalog.services import get_courses_by_key

    if not course.prerequisites:
        return []
    known = get_courses_by_key(course.prerequisites)
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


def get_completion(user_id: int, module_id: int) -> ModuleCompletion | None:
    return db.session.scalar(
        sa.select(ModuleCompletion).where(
            ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module_id
        )
    )


# -- knowledge checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    question: dict
    chosen: list[str]
    correct: bool


def score_answers(
    quiz: list[dict], answers: dict[str, list[str]]
) -> tuple[int, list[QuestionResult]]:
    """Score answers against a quiz: a question counts when exactly its right options are chosen."""
    results = []
    for question in quiz:
        right = {option["id"] for option in question["options"] if option["correct"]}
        chosen = list(answers.get(question["id"], []))
        results.append(QuestionResult(question, chosen, set(chosen) == right))
    score = (100 * sum(r.correct for r in results)) // len(results) if results else 0
    return score, results


def validate_answers(quiz: list[dict], answers: dict[str, list[str]]) -> None:
    """Refuse answers that name questions or options the quiz does not have, or skip questions."""
    questions = {question["id"]: question for question in quiz}
    if set(answers) - set(questions):
        raise LearningError(_l("The answers do not match this knowledge check. Reload the page."))
    for qid, question in questions.items():
        chosen = answers.get(qid) or []
        options = {option["id"] for option in question["options"]}
        if not chosen:
            raise LearningError(_l("Answer every question before you submit."))
        if set(chosen) - options or (not question["multiple"] and len(chosen) != 1):
            raise LearningError(
                _l("The answers do not match this knowledge check. Reload the page.")
            )


def new_attempt_nonce() -> str:
    return secrets.token_urlsafe(24)


def find_attempt_by_nonce(nonce: str) -> QuizAttempt | None:
    return db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.nonce == nonce))


@dataclass(frozen=True)
class AttemptOutcome:
    attempt_id: int
    score: int
    passed: bool
    newly_completed: bool
    replayed: bool = False


def submit_attempt(
    user: User,
    module: Module,
    version: ModuleVersion,
    answers: dict[str, list[str]],
    nonce: str,
    at: datetime | None = None,
) -> AttemptOutcome:
    """Store and score one attempt; a pass completes the module. Commits.

    The nonce comes from the form the member was shown: submitting the same form twice stores one
    attempt and changes nothing the second time.
    """
    if version.module_id != module.id or not version.quiz:
        raise LearningError(_l("This module has no such knowledge check."))
    validate_answers(version.quiz, answers)
    score, _ = score_answers(version.quiz, answers)
    passed = score >= version.pass_mark
    at = at or utcnow()
    user_id, module_id, version_id = user.id, module.id, version.id
    award = _award_values(module, version) if passed else None
    pairs = paired_modules(module) if passed else []
    _start_writing()
    attempt_id = _insert_ignoring_conflict(
        QuizAttempt,
        dict(
            user_id=user_id,
            module_id=module_id,
            module_version_id=version_id,
            nonce=nonce,
            answers=answers,
            score=score,
            passed=passed,
            submitted_at=at,
        ),
        ["nonce"],
    )
    if attempt_id is None:
        db.session.rollback()
        previous = find_attempt_by_nonce(nonce)
        if previous is None or previous.user_id != user_id:
            raise LearningError(_l("This answer sheet is not valid. Reload the page."))
        return AttemptOutcome(previous.id, previous.score, previous.passed, False, replayed=True)
    completed = False
    if passed:
        completed = _complete(user_id, module_id, version_id, "quiz", attempt_id, at, award, pairs)
    db.session.commit()
    return AttemptOutcome(attempt_id, score, passed, completed)


def get_attempt(user_id: int, attempt_id: int, module_id: int) -> QuizAttempt | None:
    """The member's own attempt at this module, or None (never someone else's)."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id or attempt.module_id != module_id:
        return None
    return attempt


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
    if not has_started(user.id, module.id):
        raise LearningError(_l("Open the module before marking it done."))
    user_id, module_id, version_id = user.id, module.id, version.id
    award = _award_values(module, version)
    pairs = paired_modules(module)
    _start_writing()
    completed = _complete(
        user_id, module_id, version_id, "marked_done", None, at or utcnow(), award, pairs
    )
    db.session.commit()
    return completed


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


@dataclass
class Dashboard:
    in_progress: list[CourseProgress]
    completed: list[CourseProgress]
    resume: tuple[CourseProgress, Module] | None
    points_this_year: Decimal
    year: int


def dashboard(user_id: int, today: date) -> Dashboard:
    """Everything the member's dashboard shows, in a fixed number of queries."""
    enrolments = list(
        db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.user_id == user_id, Enrolment.status == "active")
            .options(
                joinedload(Enrolment.course).joinedload(Course.institution),
                joinedload(Enrolment.course)
                .selectinload(Course.modules)
                .joinedload(Module.current_version),
                joinedload(Enrolment.last_module).joinedload(Module.current_version),
            )
            .order_by(Enrolment.last_visited_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
        ).unique()
    )
    completions, started, course_completions = _member_records(user_id)
    in_progress, completed = [], []
    resume = None
    for enrolment in enrolments:
        progress = _progress(
            enrolment.course,
            enrolment,
            completions,
            started,
            course_completions.get(enrolment.course_id),
        )
        (completed if progress.completed_at else in_progress).append(progress)
        if resume is None and enrolment.last_module is not None and not progress.completed_at:
            last = enrolment.last_module
            target = last if last.id not in completions else (progress.next_module or last)
            if target.status == "active":
                resume = (progress, target)
    points = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.activity_date >= date(today.year, 1, 1),
            LedgerEntry.activity_date <= date(today.year, 12, 31),
        )
    )
    return Dashboard(in_progress, completed, resume, Decimal(points), today.year)


# -- answer-sheet tokens ------------------------------------------------------------------------

ATTEMPT_SALT = "wired4ex-quiz-attempt"


@dataclass(frozen=True)
class AnswerSheet:
    """What a knowledge-check form was issued for: who, which module version, its one-time nonce."""

    user_id: int
    module_id: int
    version_id: int
    nonce: str


def _sheet_serializer():
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=ATTEMPT_SALT)


def issue_answer_sheet(user_id: int, module_id: int, version_id: int) -> str:
    """A signed token for a new knowledge-check form."""
    return _sheet_serializer().dumps([user_id, module_id, version_id, new_attempt_nonce()])


def read_answer_sheet(token: str) -> AnswerSheet | None:
    """The answer sheet a token stands for, or None when it is forged or malformed."""
    from itsdangerous import BadSignature

    try:
        data = _sheet_serializer().loads(token or "")
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 4
        or not all(isinstance(value, int) for value in data[:3])
        or not isinstance(data[3], str)
    ):
        return None
    return AnswerSheet(*data)
