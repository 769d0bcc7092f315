"""Events, sessions, organisers, registrations, attendance and evaluations."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db


class Event(db.Model):
    """A conference, workshop or webinar; its sessions carry the CPD points."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organiser_name: Mapped[str] = mapped_column(String(200))
    # Faculty of this institution organise the event with the secretariat.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    # A partner's event accredited by the secretariat: its sessions get codes too.
    external: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evaluation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list["EventSession"]] = relationship(
        back_populates="event", order_by="EventSession.starts_at"
    )
    institution = relationship("Institution")


class EventSession(db.Model):
    """One session of an event: its time, points and the secret its attendance codes come from."""

    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("points > 0", name="points"),
        CheckConstraint("code_period >= 15", name="code_period"),
        CheckConstraint("window_before >= 0 AND window_after >= 0", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    # The public part of the QR address; the code next to it is what proves presence.
    key: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    category: Mapped[str] = mapped_column(String(40))
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(64))
    code_period: Mapped[int] = mapped_column(Integer, default=60)  # seconds
    window_before: Mapped[int] = mapped_column(Integer, default=15)  # minutes before the start
    window_after: Mapped[int] = mapped_column(Integer, default=30)  # minutes after the end

    event: Mapped[Event] = relationship(back_populates="sessions")


ORGANISER_ROLES = ("organiser", "checkin")


class EventOrganiser(db.Model):
    """A person who runs an event: a full organiser, or a partner's check-in-only organiser."""

    __tablename__ = "event_organisers"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("role IN ('organiser', 'checkin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class Registration(db.Model):
    """A member's place at an event, or on its waiting list."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("status IN ('registered', 'waiting', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member = relationship("User")


ATTENDANCE_METHODS = ("qr", "code", "organiser")


class Attendance(db.Model):
    """A member was at a session. One row per member and session (the unique constraint is what
    makes parallel check-ins give one ledger entry); an undo keeps the row and marks it."""

    __tablename__ = "event_attendances"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("method IN ('qr', 'code', 'organiser')", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the code was seen (a scan kept over a sign-in, a code kept offline), if not now.
    code_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[EventSession] = relationship()
    member = relationship("User", foreign_keys=[user_id])

    @property
    def present(self) -> bool:
        return self.undone_at is None


class Evaluation(db.Model):
    """A member's answers to an event's short evaluation form (seen by organisers in aggregate)."""

    __tablename__ = "event_evaluations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("relevance BETWEEN 1 AND 5 AND quality BETWEEN 1 AND 5", name="ratings"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    relevance: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    will_apply: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceCertificate(db.Model):
    """A certificate of attendance as issued: its verification code and a snapshot."""

    __tablename__ = "event_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    snapshot: Mapped[dict] = mapped_column(JSON)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member = relationship("User")
