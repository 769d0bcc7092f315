"""The outbox: notifications and mails written in the transaction of the event that causes them.

`notify()` and `queue_mail()` only add rows to the current database session; nothing is sent
before that transaction commits. After the commit, each new mail is handed to the job queue
(`deliver_mail`); a periodic task hands over any that a crash or an unreachable queue left
behind, so a committed mail is never lost, and the unique idempotency key means one mail per
recipient and event, however often it is queued.
"""

import logging
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.notifications.kinds import APP, DIGEST, EACH, EMAIL, KINDS, OFF, Kind
from wired4ex.notifications.models import MailMessage, Notification, NotificationPreference

log = logging.getLogger(__name__)
PENDING = "wired4ex_outbox_pending"
PENDING_BATCHES = "wired4ex_outbox_pending_batches"
READY = "wired4ex_outbox_ready"


def path_for(endpoint: str, **values) -> str:
    """The path of a page in the app (for a notification's link), inside or outside a request."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def channel_for(user: User, kind: Kind) -> str:
    """The person's choice for a kind, or the kind's default (required mail is always EMAIL)."""
    if kind.required:
        return EMAIL
    chosen = db.session.scalar(
        sa.select(NotificationPreference.channel).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind.code
        )
    )
    return chosen if chosen in (kind.choices or (EMAIL,)) else kind.default


def can_mail(user: "User | Recipient") -> bool:
    """An active account with a deliverable address (an erased one has none)."""
    address = (user.email or "").strip()
    return bool(address) and "@" in address and not address.endswith(".invalid")


def notify(user: User, kind_code: str, key: str, params: dict | None = None,
           link: str | None = None, channel: str | None = None) -> MailMessage | None:  # fmt: skip
    """Tell a person about something, in the current transaction: a notification in the app
    (its unread count raised in the same transaction) and, when their choice says so, a mail.

    `key` names the event (e.g. "claim:12:2"); with the kind and the person it makes the mail's
    idempotency key. `channel`, when the caller read the person's choice already (a batch),
    saves the query. Returns the queued mail, or None when none is sent.
    """
    kind = KINDS[kind_code]
    params = dict(params or {})
    channel = EMAIL if kind.required else channel or channel_for(user, kind)
    if channel == OFF:
        return None
    if kind.in_app:
        db.session.add(Notification(user_id=user.id, kind=kind.code, params=params, link=link))
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(unread_notifications=User.unread_notifications + 1)
            .execution_options(synchronize_session=False)
        )
        if user in db.session:
            db.session.expire(user, ["unread_notifications"])
    if channel in (APP, DIGEST):
        return None
    if channel not in (EMAIL, EACH):
        return None
    return queue_mail(user, kind.code, key, params)


def queue_mail(user: User, kind_code: str, key: str, params: dict | None = None,
               to_address: str | None = None) -> MailMessage | None:  # fmt: skip
    """Add a mail to the outbox in the current transaction; None (logged) when the person has no
    address to send to or this mail was queued before (same idempotency key)."""
    address = to_address or user.email
    if not to_address and not can_mail(user):
        log.info("No mail for %s to account %s: no deliverable address", kind_code, user.id)
        return None
    idempotency_key = f"{kind_code}:{key}:{user.id if user is not None else address}"[:200]
    exists = db.session.scalar(
        sa.select(MailMessage.id).where(MailMessage.idempotency_key == idempotency_key)
    )
    if exists is not None:
        log.info("Mail %s already queued (message %s): not queued again", idempotency_key, exists)
        return None
    message = MailMessage(
        user_id=user.id if user is not None else None,
        kind=kind_code,
        to_address=address,
        language=(user.language if user is not None else None) or "en",
        params=dict(params or {}),
        idempotency_key=idempotency_key,
        status="queued",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(PENDING, []).append(message.id)
    return message


@dataclass(frozen=True)
class Recipient:
    """What a batch needs to know of a person (read with one query, no ORM object)."""

    id: int
    email: str | None
    language: str | None


@dataclass(frozen=True)
class Notice:
    """One notification of a batch: `channel` is the person's choice, already read."""

    user_id: int
    kind: str
    key: str
    params: dict
    link: str | None
    channel: str


def notify_many(notices: list[Notice], recipients: dict[int, Recipient]) -> int:
    """notify() for a batch (the daily reminders): the same rows in a few statements, in the
    current transaction: the notifications and the mails inserted many at a time, each person's
    unread count raised once, the mails handed to the queue in one job after the commit.
    Returns how many mails were queued."""
    now = utcnow()
    notes, mails, raised = [], {}, Counter()
    for notice in notices:
        kind = KINDS[notice.kind]
        channel = EMAIL if kind.required else notice.channel
        if channel == OFF:
            continue
        if kind.in_app:
            notes.append({"user_id": notice.user_id, "kind": kind.code, "params": notice.params,
                          "link": notice.link, "created_at": now})  # fmt: skip
            raised[notice.user_id] += 1
        person = recipients.get(notice.user_id)
        if channel not in (EMAIL, EACH) or person is None or not can_mail(person):
            continue
        key = f"{kind.code}:{notice.key}:{person.id}"[:200]
        mails[key] = {"user_id": person.id, "kind": kind.code, "to_address": person.email,
                      "language": person.language or "en", "params": notice.params,
                      "idempotency_key": key, "subject": "", "status": "queued", "attempts": 0,
                      "next_attempt_at": now, "created_at": now}  # fmt: skip
    if notes:
        db.session.execute(sa.insert(Notification), notes)
    by_count: dict[int, list[int]] = {}
    for user_id, count in raised.items():
        by_count.setdefault(count, []).append(user_id)
    for count, user_ids in by_count.items():
        db.session.execute(
            sa.update(User)
            .where(User.id.in_(user_ids))
            .values(unread_notifications=User.unread_notifications + count)
            .execution_options(synchronize_session=False)
        )
    if mails:
        for key in db.session.scalars(
            sa.select(MailMessage.idempotency_key).where(MailMessage.idempotency_key.in_(mails))
        ):
            log.info("Mail %s already queued: not queued again", key)
            del mails[key]
    if not mails:
        return 0
    ids = list(
        db.session.scalars(sa.insert(MailMessage).returning(MailMessage.id), list(mails.values()))
    )
    db.session.info.setdefault(PENDING_BATCHES, []).append(ids)
    return len(ids)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """The event's transaction committed: its mails are ready to hand over."""
    for name in (PENDING, PENDING_BATCHES):
        found = session.info.pop(name, None)
        if found:
            session.info.setdefault(READY, []).append((name, found))


@event.listens_for(Session, "after_transaction_end")
def _hand_over(session: Session, transaction) -> None:
    """Once the committed transaction has given its connection back: hand its mails to the job
    queue (a batch as one job, which hands each of its mails over in the worker). In immediate
    mode a mail is delivered here, on a connection of its own, never holding two."""
    if transaction.parent is not None:
        return
    ready = session.info.pop(READY, None)
    if not ready:
        return
    from wired4ex.notifications.tasks import enqueue_batch, enqueue_delivery

    for name, found in ready:
        if name == PENDING:
            for message_id in found:
                enqueue_delivery(message_id)
        else:
            for ids in found:
                enqueue_batch(ids)


@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *args) -> None:
    """A rolled-back event sends nothing: its rows are gone with it."""
    session.info.pop(PENDING, None)
    session.info.pop(PENDING_BATCHES, None)
