"""Account use cases: registration, authentication, sessions, password reset, profile, roles."""

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from wired4ex import audit, contentversion
from wired4ex.auth import account_tokens
from wired4ex.auth.models import AccountToken, PersonalAccessToken, RoleName, User, UserRole
from wired4ex.auth.passwords import burn_verification_time, hash_password, verify_password
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db


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
    country: str
    # The account's columns only mirror a membership the secretariat granted
    # (wired4ex.membership); nothing that counts reads them. A person who registers holds none.
    membership_category: str = "professional"
    membership_number: str | None = None
    language: str = "en"


def create_user(
    account: NewAccount,
    roles: tuple[str, ...] = (RoleName.MEMBER,),
    institution_id=None,
    confirmed: bool = True,
) -> User:
    """Create an account with the given roles; commits. Raises AccountError on a taken e-mail.

    Accounts an admin, the CLI or the demo creates are confirmed (their address was given by
    someone trusted, and the invitation mail proves it); self-registration passes
    confirmed=False and the member confirms by the mailed link."""
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
        email_confirmed_at=utcnow() if confirmed else None,
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


ADDRESS_LENGTH = 45  # the longest IPv6 address in text


def record_login_attempt(email: str, user: User | None, address: str | None) -> None:
    """Audit a login: succeeded when `user` is given, failed otherwise (the account the address
    names, if any, is the record's member); commits."""
    if user is None:
        user = find_user_by_email(email)
        action, actor_id = "auth.login_failed", None
    else:
        action, actor_id = "auth.login", user.id
    audit.record(
        action,
        "user",
        user.id if user else "-",
        actor_id,
        user.id if user else None,
        after={"email": (email or "").strip()[:254], "address": (address or "")[:ADDRESS_LENGTH]},
    )
    db.session.commit()


def record_logout(user: User, address: str | None) -> None:
    """Audit a logout; commits."""
    audit.record("auth.logout", "user", user.id, user.id, user.id,
                 after={"address": (address or "")[:ADDRESS_LENGTH]})  # fmt: skip
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Invalidate every session of the user (logout everywhere); commits."""
    user.session_version += 1
    db.session.commit()


@functools.cache
def _session_user_statement():
    """Built once, with a bound parameter (building it costs more than running it)."""
    from wired4ex.membership.models import Membership
    from wired4ex.membership.status import pending_category

    return (
        sa.select(User, contentversion.version_column(), Membership, pending_category(User.id))
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(User.id == sa.bindparam("user_id"))
        .options(joinedload(User.roles))
    )


def load_session_user(session_id: str) -> User | None:
    """The user for a session identifier "id:version", if that session is still valid."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # One statement: the user with roles and institution, the content version
    # (wired4ex.contentversion) that this request's cached course structure must match, and
    # the membership and open application that make today's membership status.
    statement = _session_user_statement()
    row = db.session.execute(statement, {"user_id": int(user_id)}).unique().first()
    if row is None:
        return None
    user, content_version, membership, pending = row
    contentversion.remember(content_version)
    if user.session_version != int(version):
        return None
    from wired4ex.membership.status import remember_loaded

    remember_loaded(user.id, membership, pending)
    return user


def register_account(account: NewAccount) -> tuple[User, bool]:
    """Self-registration, answering alike for new and taken addresses; commits.

    Returns (the new unconfirmed user, True), or (the existing account, False) with nothing
    changed; the password is hashed either way so both paths take the same time."""
    existing = find_user_by_email(account.email)
    if existing is not None:
        hash_password(account.password)
        return existing, False
    try:
        return create_user(account, confirmed=False), True
    except AccountError:  # a parallel registration took the address a moment ago
        existing = find_user_by_email(account.email)
        if existing is None:
            raise
        return existing, False


def make_email_confirmation_token(user: User) -> str:
    """A single-use link secret that confirms the user's e-mail address; commits."""
    return account_tokens.issue(user, account_tokens.CONFIRM)


def confirm_email(secret: str, at: datetime | None = None) -> User | None:
    """Follow a confirmation link: the address counts as confirmed; commits. None when the link
    is unknown, used or expired."""
    at = at or utcnow()
    token = account_tokens.find(secret, account_tokens.CONFIRM, at)
    if token is None:
        return None
    account_tokens.mark_used(token, at)
    if token.user.email_confirmed_at is None:
        token.user.email_confirmed_at = at
    db.session.commit()
    return token.user


def make_password_reset_token(user: User) -> str:
    """A random single-use secret that resets this user's password once; commits.

    Only its hash is stored; it expires after PASSWORD_RESET_MAX_AGE seconds and carries no
    part of the password hash."""
    return account_tokens.issue(user, account_tokens.RESET)


def reset_token(secret: str) -> AccountToken | None:
    """The unused, unexpired reset token for a link secret, or None."""
    return account_tokens.find(secret, account_tokens.RESET)


def user_for_reset_token(secret: str) -> User | None:
    """The user a reset link is valid for, or None when it is unknown, used or expired."""
    token = reset_token(secret)
    return token.user if token is not None else None


def reset_password(secret: str, password: str) -> User | None:
    """Set a new password through a reset link, spending it; commits. None for a bad link."""
    token = reset_token(secret)
    if token is None:
        return None
    account_tokens.mark_used(token)
    user = token.user
    # Following a mailed link proves the address as well.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    set_password(user, password, action="auth.password_reset")
    return user


def set_password(
    user: User, password: str, at: datetime | None = None, action: str = "auth.password_changed"
) -> None:
    """Change the password, end every existing session and hold every active API token until
    the member keeps it (see keep_tokens); audited as `action` (changed, or reset by a mailed
    link); commits."""
    at = at or utcnow()
    audit.record(action, "user", user.id, user.id, user.id, at=at)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.execute(
        sa.update(PersonalAccessToken)
        .where(
            PersonalAccessToken.user_id == user.id,
            PersonalAccessToken.revoked_at.is_(None),
            PersonalAccessToken.held_at.is_(None),
        )
        .values(held_at=at)
    )
    db.session.commit()


def update_profile(user: User, full_name: str, country: str, language: str) -> None:
    """Save a member's own profile fields; commits. The membership number and category are the
    secretariat's to give (wired4ex.membership), never the member's to type."""
    user.full_name = full_name.strip()
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
