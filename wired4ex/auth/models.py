"""Users and their roles."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db


class MembershipCategory(enum.StrEnum):
    """HeSMA membership categories; the CPD target depends on it."""

    STUDENT = "student"
    PROFESSIONAL = "professional"
    ASSOCIATE = "associate"
    LIFE = "life"
    CORPORATE = "corporate"
    HONORARY = "honorary"


class RoleName(enum.StrEnum):
    """What a user may do. Everyone registered is a member; faculty belong to one institution."""

    MEMBER = "member"
    FACULTY = "faculty"
    ADMIN = "admin"


def _sql_in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class User(UserMixin, db.Model):
    """One person's account."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_sql_in("membership_category", MembershipCategory), name="category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness ignores case on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    membership_category: Mapped[str] = mapped_column(String(20))
    membership_number: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Bumped at logout and password change: every older session stops working.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None until the member follows the confirmation link mailed at registration; until then
    # they can browse and read but nothing they do counts (enrol, claim, statements, tokens).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Unread notifications, kept in the transaction that adds or reads one (wired4ex.notifications)
    # so the header shows the count without a query of its own.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    institution = relationship("Institution", lazy="joined")

    def get_id(self) -> str:
        """The session identifier: id and session version, so old sessions can be revoked."""
        return f"{self.id}:{self.session_version}"

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def role_names(self) -> set[str]:
        return {role.name for role in self.roles}

    def has_role(self, name: RoleName | str) -> bool:
        return str(name) in self.role_names

    @property
    def is_admin(self) -> bool:
        return self.has_role(RoleName.ADMIN)

    @property
    def is_faculty(self) -> bool:
        return self.has_role(RoleName.FACULTY)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    """A role held by a user."""

    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "name"),
        CheckConstraint(_sql_in("name", RoleName), name="name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )

    user: Mapped[User] = relationship(back_populates="roles")


class PersonalAccessToken(db.Model):
    """A member's API token: only its SHA-256 hash is stored; the secret is shown once."""

    __tablename__ = "personal_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so a member can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Space-separated read-only scopes: me, catalogue, admin:read.
    scopes: Mapped[str] = mapped_column(String(100), default="me catalogue")
    # Set when the owner's password changed: the token stops working until they keep it.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def state_at(self, at: datetime) -> str:
        """active, held, expired or revoked at a moment."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and at >= self.expires_at:
            return "expired"
        if self.held_at is not None:
            return "held"
        return "active"


class AccountToken(db.Model):
    """A single-use link mailed to a member (confirm the e-mail, reset the password).

    Only the SHA-256 of the random secret is stored; the link expires and works once."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('confirm', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
