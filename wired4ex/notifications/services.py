"""The notification centre and preferences: list, mark read, choose channels, unsubscribe."""

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.notifications.kinds import APP, KINDS, OFF, choosable
from wired4ex.notifications.models import Notification, NotificationPreference

PER_PAGE = 30


class PreferenceError(ValueError):
    """An unknown kind or channel, or a kind that cannot be turned off."""


def page_of(
    user: User, page: int = 1, unread_only: bool = False
) -> tuple[list[Notification], bool]:
    """A page of a person's notifications, newest first, and whether there is a next page."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = list(
        db.session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def _recount(user_id: int) -> None:
    """The unread counter set from the rows themselves, in the same transaction."""
    unread = (
        sa.select(sa.func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(User).where(User.id == user_id).values(unread_notifications=unread)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def mark_read(user: User, notification_id: int, read: bool = True) -> bool:
    """Mark one of the person's notifications read (or unread again); commits. False when it is
    not theirs."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.user_id != user.id:
        return False
    found.read_at = utcnow() if read else None
    db.session.flush()
    _recount(user.id)
    db.session.commit()
    return True


def mark_all_read(user: User) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _recount(user.id)
    db.session.commit()


def preferences_of(user: User) -> dict[str, str]:
    """Each settable kind's channel for this person (their choice or the default)."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind.code: chosen.get(kind.code, kind.default) for kind in choosable(user.role_names)}


def set_preference(user: User, kind_code: str, channel: str) -> None:
    """Record one choice (in the current transaction)."""
    kind = KINDS.get(kind_code)
    if kind is None or not kind.choices:
        raise PreferenceError(kind_code)
    if channel not in kind.choices:
        raise PreferenceError(channel)
    found = db.session.get(NotificationPreference, (user.id, kind.code))
    if found is None:
        db.session.add(NotificationPreference(user_id=user.id, kind=kind.code, channel=channel))
    else:
        found.channel, found.updated_at = channel, utcnow()


def unsubscribe(user_id: int, kind_code: str) -> tuple[User, str] | None:
    """Stop a kind's mail for a person (in the app only; off for opt-in kinds); commits.
    None when the person or the kind is unknown or its mail cannot be turned off."""
    user = db.session.get(User, user_id)
    kind = KINDS.get(kind_code)
    if user is None or kind is None or not kind.choices:
        return None
    channel = OFF if OFF in kind.choices else APP
    set_preference(user, kind.code, channel)
    db.session.commit()
    return user, channel
