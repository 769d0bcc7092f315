"""The jobs: deliver a mail, hand over due mails every minute, the daily reminders and digest."""

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app
from huey import crontab

from wired4ex.jobs import huey, in_app_context, queue_app

log = logging.getLogger(__name__)


@huey.task(name="deliver_mail")
@in_app_context
def deliver_mail(message_id: int) -> str:
    from wired4ex.notifications.delivery import deliver

    status = deliver(message_id)
    if status == "retrying":
        _schedule_retry(message_id)
    return status


def _schedule_retry(message_id: int) -> None:
    from wired4ex.extensions import db
    from wired4ex.notifications.models import MailMessage

    due = db.session.get(MailMessage, message_id).next_attempt_at
    if huey.immediate:
        return  # immediate mode runs no timers: the relay (or a test) hands it over when due
    # The queue's schedule keeps whole seconds: round up, so the job never comes early.
    eta = due.astimezone(UTC).replace(tzinfo=None, microsecond=0) + timedelta(seconds=1)
    deliver_mail.schedule((message_id,), eta=eta)


def enqueue_delivery(message_id: int) -> None:
    """Hand a committed mail to the queue; if the queue is unreachable, the relay will."""
    try:
        deliver_mail(message_id)
    except Exception:  # noqa: BLE001  (the mail is committed: the relay picks it up)
        log.exception("Mail %s not handed to the job queue; the relay will retry", message_id)


@huey.task(name="deliver_mails")
@in_app_context
def deliver_mails(message_ids: list[int]) -> int:
    """A batch of mails (a day's reminders) handed over as one job: each becomes a job of its
    own here, in the worker, so the scan that wrote them does not wait for the queue."""
    for message_id in message_ids:
        deliver_mail(message_id)
    return len(message_ids)


def enqueue_batch(message_ids: list[int]) -> None:
    """Hand a committed batch to the queue; if the queue is unreachable, the relay will."""
    try:
        deliver_mails(list(message_ids))
    except Exception:  # noqa: BLE001  (the mails are committed: the relay picks them up)
        log.exception("%s mails not handed to the job queue; the relay will", len(message_ids))


@huey.periodic_task(crontab(minute="*"), name="relay_mail")
@in_app_context
def relay_mail() -> int:
    """Every minute: hand over mails that are due and not yet handed over (after a crash, an
    unreachable queue, or a retry whose timer was lost)."""
    from wired4ex.notifications.delivery import due_ids, mark_interrupted

    mark_interrupted()
    ids = due_ids()
    for message_id in ids:
        deliver_mail(message_id)
    return len(ids)


def at_reminder_time(moment: datetime) -> bool:
    """True in the minute REMINDERS_AT ("07:00") names, in the association's time zone."""
    from wired4ex.timeutil import association_zone

    with queue_app().app_context():
        hour, minute = (int(part) for part in current_app.config["REMINDERS_AT"].split(":"))
        local = moment.replace(tzinfo=UTC).astimezone(association_zone())
    return (local.hour, local.minute) == (hour, minute)


@huey.periodic_task(at_reminder_time, name="daily_reminders")
@in_app_context
def daily_reminders() -> dict:
    """Once a day: every reminder that is due, and the admins' digest."""
    from wired4ex.notifications.digest import send_digests
    from wired4ex.notifications.reminders import send_due
    from wired4ex.timeutil import local_today

    today = local_today()
    report = send_due(today)
    summary = {**report.counts, "scanned": report.scanned, "digests": send_digests(today)}
    log.info("Daily reminders: %s", summary)
    return summary
