"""Memberships granted by the secretariat, the applications that lead to them, renewals, and the
per-year counters that number them without gaps.

A person holds at most one membership (`memberships.user_id` is unique). The number is unique on
every engine; numbers the system gives read `HSM-YYYY-NNNNN`, from `membership_number_counters`
(one row per year, incremented inside the granting transaction, so a rolled-back grant gives its
number back and no two grants get the same one).
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.auth.models import MembershipCategory, User, _sql_in
from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db


class ApplicationStatus:
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    ALL = (SUBMITTED, INFO_REQUESTED, APPROVED, REJECTED, WITHDRAWN)
    OPEN = (SUBMITTED, INFO_REQUESTED)


def _status_in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Membership(db.Model):
    """One person's membership, as the secretariat granted it."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(_sql_in("category", MembershipCategory), name="category"),
        CheckConstraint("seats IS NULL OR seats > 0", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    started_on: Mapped[date] = mapped_column(Date)
    # None: never lapses (life, honorary).
    renews_on: Mapped[date | None] = mapped_column(Date)
    # None: granted by the migration from an account an admin created.
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="SET NULL")
    )
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    seats: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    renewals: Mapped[list["MembershipRenewal"]] = relationship(
        back_populates="membership",
        order_by="MembershipRenewal.renewed_on.desc(), MembershipRenewal.id.desc()",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Membership {self.number} {self.category}>"


class MembershipApplication(db.Model):
    """A person's request for a category, with the answers and proof the category asks for."""

    __tablename__ = "membership_applications"
    __table_args__ = (
        CheckConstraint(_sql_in("category", MembershipCategory), name="category"),
        CheckConstraint(_status_in("status", ApplicationStatus.ALL), name="status"),
        CheckConstraint("seats IS NULL OR seats > 0", name="seats"),
        # One open application per person, on both engines.
        Index(
            "uq_membership_applications_open",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('submitted', 'info_requested')"),
            postgresql_where=text("status IN ('submitted', 'info_requested')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.SUBMITTED, index=True)
    # The category's fields as the applicant answered them: {code: text}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    seats: Mapped[int | None] = mapped_column(Integer)
    # A number the person held before the register moved here (migration); an admin decides.
    claimed_number: Mapped[str | None] = mapped_column(String(40))
    # The proof file, stored as evidence is (random name under EVIDENCE_DIR, checked type).
    proof_path: Mapped[str | None] = mapped_column(String(80))
    proof_name: Mapped[str | None] = mapped_column(String(200))
    proof_type: Mapped[str | None] = mapped_column(String(100))
    proof_size: Mapped[int | None] = mapped_column(Integer)
    info_request: Mapped[str | None] = mapped_column(Text)
    info_answer: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_open(self) -> bool:
        return self.status in ApplicationStatus.OPEN


class MembershipRenewal(db.Model):
    """One renewal payment recorded by the secretariat."""

    __tablename__ = "membership_renewals"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    renewed_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # A receipt number or an M-Pesa transaction code; one payment renews once.
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    # The renewal date this renewal set.
    renews_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )

    membership: Mapped[Membership] = relationship(back_populates="renewals")


class MembershipNumberCounter(db.Model):
    """The last number given in a year; bumped in the granting transaction (no gaps)."""

    __tablename__ = "membership_number_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
