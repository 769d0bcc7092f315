"""Notifications in the app, the mail outbox, each person's preferences and sent reminders."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db

MAIL_STATUSES = ("queued", "sending", "sent", "retrying", "failed", "bounced", "skipped")


class Notification(db.Model):
    """One thing a person is told about in the app (the notification centre)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(500))  # a path in the app
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailMessage(db.Model):
    """A mail in the outbox: written with the event that causes it, delivered by a job.

    `idempotency_key` is unique: the same event for the same recipient is one row, so one mail.
    The body is rendered at delivery from `kind` and `params` in the recipient's language.
    """

    __tablename__ = "mail_messages"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in MAIL_STATUSES) + ")", name="status"
        ),  # fmt: skip
        Index("ix_mail_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="en")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class NotificationPreference(db.Model):
    """A person's choice for one kind: 'email', 'app' (in the app only), 'off' (opt-in kinds),
    'digest' or 'each' (the admins' waiting work)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSent(db.Model):
    """A reminder given: one per (member, kind, threshold, cycle), so a second run adds none."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "kind", "threshold", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(default=0)  # days before the date, 0 when none
    cycle: Mapped[str] = mapped_column(String(40))  # the cycle, certificate or month concerned
    sent_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
