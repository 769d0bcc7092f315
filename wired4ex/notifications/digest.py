"""The secretariat's waiting work: a notification per new item, and one daily digest mail by
default (each admin may choose a mail per item, or the app only)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.extensions import db
from wired4ex.notifications.kinds import DIGEST, KINDS
from wired4ex.notifications.outbox import channel_for, notify, path_for, queue_mail
from wired4ex.urls import public_url


@dataclass(frozen=True)
class Line:
    text: str
    link: str


def admins() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.name == RoleName.ADMIN.value, User.is_active_account.is_(True))
            .order_by(User.id)
        )
    )


def waiting_lines() -> list[Line]:
    """What waits now, in the reader's language (from the admin work queue's own counts)."""
    from wired4ex.admin.queue import work_queue_counts

    lines = []
    for label, count, endpoint in work_queue_counts():
        if count:
            lines.append(Line(f"{label}: {count}", public_url(endpoint)))
    return lines


def tell_admins(what: str, title: str, endpoint: str, exclude_id: int | None = None) -> None:
    """A new item waits (a claim, draft, application or membership): every admin is told in the
    app, and by mail those who chose a mail per item; in the current transaction."""
    for admin in admins():
        if admin.id == exclude_id:
            continue
        notify(admin, "admin_waiting", what, {"title": title, "endpoint": endpoint},
               path_for(endpoint))  # fmt: skip


def send_digests(today: date) -> int:
    """One digest mail per admin who chose it, when anything waits; once a day; commits."""
    kind = KINDS["admin_digest"]
    sent = 0
    if not waiting_lines():
        return 0
    for admin in admins():
        if channel_for(admin, KINDS["admin_waiting"]) != DIGEST:
            continue
        if queue_mail(admin, kind.code, today.isoformat(), {"day": today.isoformat()}):
            sent += 1
    db.session.commit()
    return sent
