"""Account use cases: registration, authentication, sessions, password reset, profile, roles."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.auth.passwords import burn_verification_time, hash_password, verify_password
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

RESET_SALT = "wired4ex-password-reset"


class AccountError(ValueError):
    """A use case refused: the message is safe to show to the person."""


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored lower-cased and trimmed."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail, whatever its case."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


@dataclass
class NewAccount:
    """What a person gives to register (or an admin gives to create an account)."""

    email: str
    full_name: str
    password: str
    membership_category: str
    country: str
    membership_number: str | None = None
    language: str = "en"


def create_user(
    account: NewAccount, roles: tuple[str, ...] = (RoleName.MEMBER,), institution_id=None
) -> User:
    """Create an account with the given roles; commits. Raises AccountError on a taken e-mail."""
    if find_user_by_email(account.email) is not None:
        raise AccountError(_l("An account with this e-mail address already exists."))
    user = User(
        email=normalise_email(account.email),
        full_name=account.full_name.strip(),
        password_hash=hash_password(account.password),
        membership_category=account.membership_category,
        membership_number=(account.membership_number or "").strip() or None,
        country=account.country,
        language=account.language,
        institution_id=institution_id,
    )
    user.roles = [UserRole(name=str(role)) for role in dict.fromkeys(roles)]
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError as error:  # a parallel registration took the e-mail
        db.session.rollback()
        raise AccountError(_l("An account with this e-mail address already exists.")) from error
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; unknown e-mails take the same time."""
    user = find_user_by_email(email)
    if user is None:
        burn_verification_time()
        return None
    if not verify_password(user.password_hash, password) or not user.is_active_account:
        return None
    return user


def record_login(user: User, at: datetime | None = None) -> None:
    """Note the time of a successful login; commits."""
    user.last_login_at = at or utcnow()
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Invalidate every session of the user (logout everywhere); commits."""
    user.session_version += 1
    db.session.commit()


def load_session_user(session_id: str) -> User | None:
    """The user for a session identifier "id:version", if that session is still valid."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_password_reset_token(user: User) -> str:
    """A signed token that resets this user's password once.

    It carries a fingerprint of the current password hash, so it stops working as soon as the
    password changes (single use), and it expires after PASSWORD_RESET_MAX_AGE seconds.
    """
    return _reset_serializer().dumps({"uid": user.id, "pw": user.password_hash[-16:]})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token is valid for, or None when it is forged, used or expired."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or user.password_hash[-16:] != data.get("pw"):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and end every existing session; commits."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.commit()


def update_profile(
    user: User,
    full_name: str,
    membership_number: str | None,
    country: str,
    language: str,
) -> None:
    """Save a member's own profile fields; commits."""
    user.full_name = full_name.strip()
    user.membership_number = (membership_number or "").strip() or None
    user.country = country
    user.language = language
    db.session.commit()


def set_language(user: User, language: str) -> None:
    """Save the language a member chose in the page header; commits."""
    user.language = language
    db.session.commit()


def text_matches(text: str, *columns) -> sa.ColumnElement[bool]:
    """Any of the columns contains the text, in any case; % _ and \\ match themselves."""
    text = text.strip()
    return sa.or_(*(column.icontains(text, autoescape=True) for column in columns))


def person_matches(text: str, person=User) -> sa.ColumnElement[bool]:
    """A person found by part of their name, e-mail address or membership number."""
    return text_matches(text, person.full_name, person.email, person.membership_number)


def search_people(text: str, limit: int = 50) -> list[User]:
    """The accounts a search box finds, by name."""
    query = sa.select(User).where(person_matches(text)).order_by(User.full_name).limit(limit)
    return list(db.session.scalars(query))
