"""`flask jobs worker` and `flask notifications send-due`."""

import logging
from datetime import date

import click
from flask.cli import AppGroup

from wired4ex import jobs
from wired4ex.timeutil import local_today

jobs_cli = AppGroup("jobs", help="The job queue (mail delivery, reminders).")
notifications_cli = AppGroup("notifications", help="Notifications and reminders.")


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads.")  # fmt: skip
@click.option("--no-periodic", is_flag=True, help="Leave the periodic tasks to another consumer.")
def worker_command(workers, no_periodic):
    """Run a consumer of the queue with this app's configuration (Ctrl+C stops it)."""
    from flask import current_app

    if current_app.config.get("JOBS_IMMEDIATE"):
        raise click.UsageError("JOBS_IMMEDIATE is on: no queue.")  # untranslated: CLI
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s"
    )
    click.echo(f"Consuming {jobs.describe()} with {workers} worker thread(s).")
    jobs.consumer(workers=workers, periodic=not no_periodic).run()


@notifications_cli.command("send-due")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as on this date (YYYY-MM-DD); default: today in the association's zone.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
def send_due_command(today, dry_run):
    """Send the reminders that are due (the daily job runs the same code), and the digest."""
    from wired4ex.notifications.digest import send_digests
    from wired4ex.notifications.reminders import send_due

    day: date = today.date() if today else local_today()
    report = send_due(day, dry_run=dry_run)
    for line in report.lines:
        click.echo(("would send " if dry_run else "sent ") + line)
    digests = 0 if dry_run else send_digests(day)
    total = sum(report.counts.values())
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(report.counts.items()))
    verb = "would send" if dry_run else "queued"
    click.echo(f"{day.isoformat()}: {verb} {total} reminder(s){': ' + summary if summary else ''}"
               f"; {digests} digest(s); {report.scanned} member(s) scanned.")  # fmt: skip
