"""Outgoing e-mail: SMTP when configured, otherwise a file in the outbox folder and a log line."""

import logging
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message, or keep it in the outbox when no SMTP server is configured."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
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
    log.info("Mail to %s (%s) written to %s\n%s", to, subject, path, body)


def send_many(messages) -> int:
    """Send many (to, subject, body) messages over one SMTP connection (or into the outbox).

    A batch such as an import's invitations; a refused recipient is logged and skipped, so one
    bad address does not stop the others. Returns how many were sent."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        for to, subject, body in messages:
            send_mail(to, subject, body)
        return len(messages)
    sent = 0
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for to, subject, body in messages:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = (
                config["MAIL_DEFAULT_SENDER"],
                to,
                subject,
            )
            message.set_content(body)
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused:
                log.warning("Mail to %s (%s) refused by the server", to, subject)
                continue
            sent += 1
    return sent
