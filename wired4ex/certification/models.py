"""Applications for certification and the certificates issued."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db

# What people read for an application's status and a certificate's state (state_on).
APPLICATION_STATUS_LABELS = {
    "submitted": _l("Waiting for a decision"),
    "approved": _l("Approved"),
    "rejected": _l("Not approved"),
    "withdrawn": _l("Withdrawn"),
}
CERTIFICATE_STATE_LABELS = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}


class Application(db.Model):
    """A member's application for a certification, with their eligibility at that moment."""

    __tablename__ = "certification_applications"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        # open_key is 1 while the application waits and NULL after: one open application per
        # member and programme, enforced by the database even for simultaneous requests.
        UniqueConstraint("user_id", "programme_code", "open_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    programme_code: Mapped[str] = mapped_column(String(20))
    statement: Mapped[str] = mapped_column(Text)
    cv_name: Mapped[str | None] = mapped_column(String(200))
    cv_stored_as: Mapped[str | None] = mapped_column(String(80), unique=True)
    cv_size: Mapped[int | None] = mapped_column(Integer)
    eligibility: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    open_key: Mapped[int | None] = mapped_column(default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    member = relationship("User", foreign_keys=[user_id])
    certificate: Mapped["Certificate | None"] = relationship(back_populates="application")


class Certificate(db.Model):
    """A certification awarded: its code, dates and status. Expiry follows from the dates."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint("status IN ('valid', 'revoked')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("certification_applications.id"), unique=True
    )
    programme_code: Mapped[str] = mapped_column(String(20), index=True)
    programme_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int]
    holder_name: Mapped[str] = mapped_column(String(200))
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    criteria: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member = relationship("User")
    application: Mapped[Application | None] = relationship(back_populates="certificate")

    def state_on(self, day: date) -> str:
        """valid, expired or revoked, on a given day."""
        if self.status == "revoked":
            return "revoked"
        if self.expires_on is not None and day > self.expires_on:
            return "expired"
        return "valid"
