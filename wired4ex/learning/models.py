"""A member's learning record: enrolments, progress, attempts, completions, and the CPD ledger."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db


class Enrolment(db.Model):
    """A member's enrolment in a course. Unenrolling keeps it (status withdrawn) and its history."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint("status IN ('active', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    last_visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course = relationship("Course")
    last_module = relationship("Module")


class ModuleProgress(db.Model):
    """That a member opened a module (started), and when they last did."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttempt(db.Model):
    """One knowledge-check attempt, scored against the module version the member saw.

    An attempt is stored when the member is shown the questions (open: submitted_at is None), with
    the questions drawn and the order of questions and options (layout), so a reload shows the
    same sheet. Attempts are numbered per member and module; the unique number is what keeps
    parallel requests from opening more attempts than allowed. Submitting sets the answers and
    the score once (an update that only matches an open attempt). Attempts stored before layouts
    existed have none: all questions, in written order.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    number: Mapped[int] = mapped_column(default=1)  # 1, 2, ... per member and module
    # The one-time token of the form: a replayed submission finds it taken and changes nothing.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    # [{"id": "q3", "options": ["q3b", "q3a", "q3c"]}, ...]: drawn questions in the order shown
    layout: Mapped[list | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict | None] = mapped_column(JSON)  # question id -> list of option ids/values
    score: Mapped[int | None]  # percent, rounded down
    passed: Mapped[bool | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Answered offline (wired4ex/offline): the id the phone gave the submission, so a replay is
    # recognised, and when the server received it (submitted_at is when the member answered).
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module_version = relationship("ModuleVersion")

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class AttemptGrant(db.Model):
    """One more knowledge-check attempt granted to a member by an admin or the course's faculty."""

    __tablename__ = "attempt_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModuleCompletion(db.Model):
    """A member completed a module; at most one per member and module, whatever its versions.

    via "edition": the member completed the same module in the course's other language edition
    (paired by module id); it counts as complete here too, and has no ledger entry of its own.
    """

    __tablename__ = "module_completions"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        CheckConstraint("via IN ('quiz', 'marked_done', 'edition')", name="via"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    via: Mapped[str] = mapped_column(String(12))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempts.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module = relationship("Module")
    module_version = relationship("ModuleVersion")


class CourseCompletion(db.Model):
    """A member completed every module a course had at that moment; it stays when modules change."""

    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course = relationship("Course")


class LedgerEntry(db.Model):
    """One line of a member's CPD ledger. Append-only: corrections are new entries.

    Sources: a module completion (written here, automatically), a verified external activity or an
    admin adjustment (written by the CPD features), an event session attended (events). Title, provider, category, points and
    competencies are copied as they were at that moment, so later content changes never alter it.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("source IN ('module', 'claim', 'adjustment', 'event')", name="source"),
        UniqueConstraint("completion_id"),
        UniqueConstraint("claim_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(12))
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("module_completions.id"))
    # Table name only: claims belong to the CPD package, which builds on this one.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("cpd_claims.id"))
    module_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_versions.id"))
    # Table name only: events build on this package. Check-ins and their corrections.
    event_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id"), index=True
    )
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
