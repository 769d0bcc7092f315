"""Single-use links mailed to a member: confirm the e-mail address, reset the password.

The secret is 32 random bytes (URL-safe); only its SHA-256 is stored, so a copy of the database
gives nobody a working link. A link expires (stored expiry, and the configured maximum age when
it is checked) and works once; asking for a new one retires the older unused ones.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from wired4ex.auth.models import AccountToken, User
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

CONFIRM = "confirm"
RESET = "reset"
MAX_AGE_SETTING = {CONFIRM: "EMAIL_CONFIRM_MAX_AGE", RESET: "PASSWORD_RESET_MAX_AGE"}


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _max_age(purpose: str) -> timedelta:
    return timedelta(seconds=current_app.config[MAX_AGE_SETTING[purpose]])


def issue(user: User, purpose: str, at: datetime | None = None) -> str:
    """A new link secret for the user; older unused ones of that purpose stop working. Commits."""
    at = at or utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=at)
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(secret),
            created_at=at,
            expires_at=at + _max_age(purpose),
        )
    )
    db.session.commit()
    return secret


def find(secret: str, purpose: str, at: datetime | None = None) -> AccountToken | None:
    """The unused, unexpired token for this secret and purpose, or None."""
    if not secret or len(secret) > 100:
        return None
    at = at or utcnow()
    token = db.session.scalar(
        sa.select(AccountToken).where(
            AccountToken.token_hash == _hash(secret), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None:
        return None
    if at >= token.expires_at or at >= token.created_at + _max_age(purpose):
        return None
    if not token.user.is_active_account:
        return None
    return token


def mark_used(token: AccountToken, at: datetime | None = None) -> None:
    """Spend the token inside the caller's transaction (does not commit)."""
    token.used_at = at or utcnow()


def issue_many(users, purpose: str, at: datetime | None = None) -> dict[int, str]:
    """A new link secret per user (anything with an `id`: a whole batch, such as an import's
    invitations), their older unused ones of that purpose retired, in one transaction. Commits.
    Returns {user id: secret}."""
    at = at or utcnow()
    ids = [user.id for user in users]
    for start in range(0, len(ids), 500):
        db.session.execute(
            sa.update(AccountToken)
            .where(
                AccountToken.user_id.in_(ids[start : start + 500]),
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=at)
        )
    secrets_by_user = {user_id: secrets.token_urlsafe(32) for user_id in ids}
    db.session.execute(
        sa.insert(AccountToken),
        [
            {
                "user_id": user_id,
                "purpose": purpose,
                "token_hash": _hash(secret),
                "created_at": at,
                "expires_at": at + _max_age(purpose),
            }
            for user_id, secret in secrets_by_user.items()
        ],
    )
    db.session.commit()
    return secrets_by_user
