"""External CPD claims with their evidence, and audit samples."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db

CLAIM_STATUSES = ("draft", "submitted", "info_requested", "approved", "rejected", "withdrawn")
# The status CHECK, as the migration f26a1b2c3d4e declares it (named "status": ck_cpd_claims_status).
CLAIM_STATUS_CHECK = (
    "status IN ('draft', 'submitted', 'info_requested', 'approved', 'rejected', 'withdrawn')"
)


class Claim(db.Model):
    """A member's claim for CPD points from an activity outside the platform."""

    __tablename__ = "cpd_claims"
    __table_args__ = (
        CheckConstraint(CLAIM_STATUS_CHECK, name="status"),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("points_claimed >= 0", name="points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    points_claimed: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    reflection: Mapped[str] = mapped_column(Text)
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Evidence: stored under EVIDENCE_DIR with a server-generated name, never in static/.
    evidence_name: Mapped[str | None] = mapped_column(String(200))
    evidence_stored_as: Mapped[str | None] = mapped_column(String(80), unique=True)
    evidence_type: Mapped[str | None] = mapped_column(String(40))
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    points_approved: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # Raised by every change (the ORM's own UPDATEs check and bump it; the services' bulk
    # UPDATEs bump it by hand): the review form carries the version the reviewer saw.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    member = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    # The secretariat's questions and the member's replies, round by round.
    info_requests: Mapped[list["ClaimInfoRequest"]] = relationship(
        back_populates="claim", order_by="ClaimInfoRequest.round"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def editable(self) -> bool:
        """Only a draft can be changed: a submitted claim is frozen (it may be withdrawn)."""
        return self.status == "draft"

    @property
    def withdrawable(self) -> bool:
        return self.status in ("draft", "submitted", "info_requested")

    @property
    def open_request(self) -> "ClaimInfoRequest | None":
        """The question the member has yet to answer (only while the claim waits on them)."""
        if self.status != "info_requested" or not self.info_requests:
            return None
        last = self.info_requests[-1]
        return last if last.replied_at is None else None


class ClaimInfoRequest(db.Model):
    """One round of "more information asked": the secretariat's question and the member's reply
    (with the evidence file they attached then, if any)."""

    __tablename__ = "cpd_claim_info_requests"
    __table_args__ = (UniqueConstraint("claim_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("cpd_claims.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_evidence_name: Mapped[str | None] = mapped_column(String(200))

    claim: Mapped[Claim] = relationship(back_populates="info_requests")
    asked_by = relationship("User")


class AuditSample(db.Model):
    """A random sample of members with claims in a cycle, drawn for audit."""

    __tablename__ = "cpd_audit_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_start: Mapped[date] = mapped_column(Date)
    percentage: Mapped[int]
    population: Mapped[int]
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["AuditSampleMember"]] = relationship(
        back_populates="sample", order_by="AuditSampleMember.id"
    )
    drawn_by = relationship("User")


class AuditSampleMember(db.Model):
    """A member drawn in a sample; their claims in the cycle are audited and the outcome kept."""

    __tablename__ = "cpd_audit_sample_members"
    __table_args__ = (
        CheckConstraint("outcome IN ('pending', 'passed', 'failed')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("cpd_audit_samples.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10), default="pending")
    notes: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sample: Mapped[AuditSample] = relationship(back_populates="members")
    member = relationship("User", foreign_keys=[user_id])


class Statement(db.Model):
    """A CPD statement as issued: its verification code and a snapshot of every figure on it.

    The public verify page shows the snapshot, so a statement keeps verifying the same way after
    the ledger or the content changes.
    """

    __tablename__ = "cpd_statements"
    __table_args__ = (
        CheckConstraint("status IN ('valid', 'revoked')", name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    snapshot: Mapped[dict] = mapped_column(JSON)
    snapshot_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The snapshot signed at issue with the association's key (compact JWS, wired4ex.signing).
    signed_snapshot: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    member = relationship("User")
