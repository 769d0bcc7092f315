"""Personal access tokens for the JSON API: create (shown once), list, revoke, authenticate.

A token is "w4x_" followed by 43 random URL-safe characters. Only its SHA-256 hash is stored, so
a copy of the database gives nobody a working token; the first characters are kept for display.
"""

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import PersonalAccessToken, User
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.timeutil import association_zone, local_date

TOKEN_PREFIX = "w4x_"
DISPLAY_LENGTH = 12  # "w4x_" and 8 characters of the secret
MAX_TOKENS = 20
# Every token expires; the member picks one of these lifetimes (days) when creating it.
LIFETIME_DAYS = (7, 30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
# Read-only scopes: what a token may read. admin:read only for the secretariat's tokens.
SCOPES = ("me", "catalogue", "admin:read")
ADMIN_SCOPE = "admin:read"
# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A use case refused; the message is safe to show."""


def hash_token(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def expiry_moment(day: date) -> datetime:
    """A token that expires "on" a day works until the end of that day in the association's zone."""
    following = datetime.combine(day + timedelta(days=1), time(), tzinfo=association_zone())
    return following.astimezone(UTC)


def list_tokens(user_id: int) -> list[PersonalAccessToken]:
    """A member's tokens, newest first (revoked and expired ones included)."""
    return list(
        db.session.scalars(
            sa.select(PersonalAccessToken)
            .where(PersonalAccessToken.user_id == user_id)
            .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())
        )
    )


def allowed_scopes(user: User) -> tuple[str, ...]:
    """The scopes this user may give a token."""
    return SCOPES if user.is_admin else tuple(s for s in SCOPES if s != ADMIN_SCOPE)


def create_token(
    user: User,
    name: str,
    expires_on: date | None = None,
    at: datetime | None = None,
    scopes: list[str] | tuple[str, ...] | None = None,
) -> tuple[PersonalAccessToken, str]:
    """Create a token; commits. Returns the token and its secret, which is never stored.

    Without an expiry date the token works for DEFAULT_LIFETIME_DAYS; without scopes it gets
    every scope the user may give."""
    at = at or utcnow()
    name = (name or "").strip()
    if not name:
        raise TokenError(_l("Give the token a name."))
    if expires_on is None:
        expires_on = local_date(at) + timedelta(days=DEFAULT_LIFETIME_DAYS)
    if expires_on <= local_date(at):
        raise TokenError(_l("Choose an expiry date after today."))
    if expires_on > local_date(at) + timedelta(days=max(LIFETIME_DAYS)):
        raise TokenError(_l("A token can live for at most %(days)d days.", days=max(LIFETIME_DAYS)))
    scopes = list(dict.fromkeys(scopes)) if scopes is not None else list(allowed_scopes(user))
    if not scopes:
        raise TokenError(_l("Choose at least one scope."))
    if any(scope not in allowed_scopes(user) for scope in scopes):
        raise TokenError(_l("Only administrators can give a token the admin:read scope."))
    active = [t for t in list_tokens(user.id) if t.state_at(at) == "active"]
    if len(active) >= MAX_TOKENS:
        raise TokenError(
            _l("You have %(count)d active tokens. Revoke one you no longer use.", count=MAX_TOKENS)
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:DISPLAY_LENGTH],
        created_at=at,
        expires_at=expiry_moment(expires_on),
        scopes=" ".join(scope for scope in SCOPES if scope in scopes),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("token.created", "token", token.id, user.id, user.id, at=at,
                 after={"name": token.name, "scopes": token.scopes})  # fmt: skip
    db.session.commit()
    return token, secret


def _audit_revoked(token: PersonalAccessToken) -> None:
    audit.record("token.revoked", "token", token.id, token.user_id, token.user_id,
                 at=token.revoked_at, after={"name": token.name})  # fmt: skip


def get_own_token(user_id: int, token_id: int) -> PersonalAccessToken | None:
    """A token of this member (None for anyone else's)."""
    token = db.session.get(PersonalAccessToken, token_id)
    return token if token is not None and token.user_id == user_id else None


def revoke_token(token: PersonalAccessToken, at: datetime | None = None) -> None:
    """Revoke a token at once; commits. Revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = at or utcnow()
        _audit_revoked(token)
        db.session.commit()


def authenticate_token(secret: str, at: datetime | None = None) -> PersonalAccessToken | None:
    """The active token of an active user with this secret, or None; notes when it was used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    at = at or utcnow()
    token = db.session.scalar(
        sa.select(PersonalAccessToken).where(PersonalAccessToken.token_hash == hash_token(secret))
    )
    if token is None or token.state_at(at) != "active" or not token.user.is_active_account:
        return None
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = at
        db.session.commit()
    return token


def expires_on(token: PersonalAccessToken) -> date | None:
    """The last day a token works, in the association's time zone."""
    if token.expires_at is None:
        return None
    return local_date(token.expires_at - timedelta(microseconds=1))


def held_tokens(user_id: int) -> list[PersonalAccessToken]:
    """The member's tokens stopped by a password change, waiting to be kept or revoked."""
    return [t for t in list_tokens(user_id) if t.state_at(utcnow()) == "held"]


def keep_tokens(user_id: int, keep_ids: set[int], at: datetime | None = None) -> tuple[int, int]:
    """After a password change: the chosen held tokens work again, the other held ones are
    revoked; commits. Returns (kept, revoked)."""
    at = at or utcnow()
    kept = revoked = 0
    for token in held_tokens(user_id):
        if token.id in keep_ids:
            token.held_at = None
            kept += 1
        else:
            token.revoked_at = at
            _audit_revoked(token)
            revoked += 1
    db.session.commit()
    return kept, revoked
