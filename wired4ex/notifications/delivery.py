"""Delivering one queued mail: claim it, render it, send it, record what happened.

A mail is claimed by one conditional UPDATE (queued or retrying, and due), so two workers handed
the same mail send it once. An SMTP failure is retried after 1 min, 5 min, 30 min, 2 h and 12 h
(MAIL_RETRY_DELAYS), then the mail is marked failed for the admins; a permanent refusal of the
address (a 5xx for the recipient) marks it bounced at once.
"""

import logging
import smtplib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.mail import transport
from wired4ex.notifications.content import NothingToSend
from wired4ex.notifications.models import MailMessage
from wired4ex.notifications.rendering import build

log = logging.getLogger(__name__)
DUE = ("queued", "retrying")


def retry_delays() -> list[int]:
    return [int(seconds) for seconds in current_app.config["MAIL_RETRY_DELAYS"]]


def claim(message_id: int) -> MailMessage | None:
    """Take a due mail for sending (None when another worker has it, or it is not due)."""
    now = utcnow()
    taken = db.session.execute(
        sa.update(MailMessage)
        .where(
            MailMessage.id == message_id,
            MailMessage.status.in_(DUE),
            MailMessage.next_attempt_at <= now,
        )  # fmt: skip
        .values(status="sending", attempts=MailMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return db.session.get(MailMessage, message_id) if taken == 1 else None


def deliver(message_id: int) -> str:
    """Send one queued mail; returns its new status ('' when it was not this worker's to send)
    and the delay before the next attempt, if any, through `MailMessage.next_attempt_at`."""
    message = claim(message_id)
    if message is None:
        waiting = db.session.get(MailMessage, message_id)
        # Handed over before it is due (a timer that came early): the job waits for it again.
        return "retrying" if waiting is not None and waiting.status in DUE else ""
    try:
        email = build(message)
    except NothingToSend as reason:
        log.info("Mail %s skipped: %s", message.id, reason)
        return _finish(message, "skipped", str(reason))
    except Exception as error:  # noqa: BLE001  (a mail that cannot be written waits for an admin)
        log.exception("Mail %s could not be written", message.id)
        db.session.rollback()
        message = db.session.get(MailMessage, message_id)
        return _finish(message, "failed", _describe(error))
    try:
        transport(email)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return _finish(message, "bounced", _describe(error))
        return _retry_or_fail(message, error)
    except (smtplib.SMTPException, OSError) as error:
        return _retry_or_fail(message, error)
    message.sent_at = utcnow()
    return _finish(message, "sent", None)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _finish(message: MailMessage, status: str, error: str | None) -> str:
    message.status, message.last_error = status, error
    db.session.commit()
    return status


def _retry_or_fail(message: MailMessage, error: Exception) -> str:
    delays = retry_delays()
    log.warning("Mail %s (attempt %s) not sent: %s", message.id, message.attempts, error)
    if message.attempts > len(delays):
        return _finish(message, "failed", _describe(error))
    message.next_attempt_at = utcnow() + timedelta(seconds=delays[message.attempts - 1])
    return _finish(message, "retrying", _describe(error))


def mark_interrupted(minutes: int = 15) -> int:
    """Mails a worker took and never finished (it died while sending): marked failed for an
    admin to resend, not resent by themselves (the mail may have gone out: at most once)."""
    cutoff = utcnow() - timedelta(minutes=minutes)
    changed = db.session.execute(
        sa.update(MailMessage)
        .where(MailMessage.status == "sending", MailMessage.next_attempt_at < cutoff)
        .values(
            status="failed", last_error="The worker stopped while sending; it may have gone out."
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed


def due_ids(limit: int = 500) -> list[int]:
    """Mails waiting to be sent now (the relay hands them to the queue)."""
    return list(
        db.session.scalars(
            sa.select(MailMessage.id)
            .where(MailMessage.status.in_(DUE), MailMessage.next_attempt_at <= utcnow())
            .order_by(MailMessage.next_attempt_at)
            .limit(limit)
        )
    )


def resend(message: MailMessage) -> MailMessage:
    """A failed or bounced mail queued again by an admin (the same row: still one per recipient);
    commits."""
    message.status, message.attempts, message.next_attempt_at = "queued", 0, utcnow()
    message.last_error = None
    from wired4ex.notifications.outbox import PENDING

    db.session.info.setdefault(PENDING, []).append(message.id)
    db.session.commit()
    return message
