"""The seats of a corporate membership, and the CSV files uploaded for the register imports."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.auth.models import User
from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db
from wired4ex.membership.models import Membership


class CorporateSeat(db.Model):
    """A place on an organisation's membership: an e-mail invited by its contact person, taken
    when the person with that (confirmed) address accepts. Ended seats stay as history."""

    __tablename__ = "corporate_seats"
    __table_args__ = (
        # One open seat per address and organisation, and per person across organisations.
        Index(
            "uq_corporate_seats_open_email",
            "membership_id",
            "email",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "uq_corporate_seats_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL AND user_id IS NOT NULL"),
            postgresql_where=text("ended_at IS NULL AND user_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    membership: Mapped[Membership] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def state(self) -> str:
        """invited, active or ended."""
        if self.ended_at is not None:
            return "ended"
        return "active" if self.accepted_at is not None else "invited"


class MembershipImport(db.Model):
    """An uploaded CSV kept between its preview and its confirmation (and as a record after)."""

    __tablename__ = "membership_imports"
    __table_args__ = (CheckConstraint("kind IN ('register', 'renewals')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])
