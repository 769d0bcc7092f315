"""Outgoing e-mail: SMTP when configured, otherwise a file in the outbox folder and a log line.

Mail is never sent inside a web request: the notifications package writes it to the outbox table
with the event and a job calls transport() (wired4ex/notifications/delivery.py).
"""

import logging
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def transport(message: EmailMessage) -> None:
    """Hand a finished message to the SMTP server, or keep it in the outbox folder when no SMTP
    server is configured. SMTP errors and unreachable servers raise (the job retries)."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(bytes(message))
    log.info("Mail to %s (%s) written to %s", message["To"], message["Subject"], path)


def send_mail(to: str, subject: str, body: str) -> None:
    """A plain-text message to an address, through the outbox and the job queue; commits.

    For mail that is not about a person's account; everything about a person goes through
    wired4ex.notifications.notify() in the transaction of its event.
    """
    from wired4ex.extensions import db
    from wired4ex.notifications.outbox import queue_mail

    queue_mail(None, "plain", uuid.uuid4().hex, {"subject": subject, "body": body}, to_address=to)
    db.session.commit()


def send_many(messages) -> int:
    """Many (to, subject, body) messages, such as an import's invitations, queued in the outbox in
    one transaction (commits); the job queue delivers them. Returns how many were queued."""
    from wired4ex.extensions import db
    from wired4ex.notifications.outbox import queue_mail

    for to, subject, body in messages:
        queue_mail(
            None, "plain", uuid.uuid4().hex, {"subject": subject, "body": body}, to_address=to
        )
    db.session.commit()
    return len(messages)
