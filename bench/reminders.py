"""Benchmark the daily reminder scan on a large association.

    .venv/bin/python bench/reminders.py [--members 50000] [--entries 6] [--short 0.2]

Builds a temporary SQLite database with 50,000 members and their ledgers (bulk Core inserts),
then times, in the same run:

- the baseline: a plain scan of the members table (every member row read as the ORM reads a
  User, in chunks of 1,000), as any job that looks at each member does at the least;
- `send_due` with --dry-run (who needs which reminder: the CPD shortfall at 30 days, from the
  one CPD arithmetic, certificates and behind pace);
- the first real run (records, notifications and outbox rows for every member short, and for
  every membership due for renewal within 30 days), and the second run of the same day (sends
  nothing new).

Every member holds a membership whose renewal date falls on a day of the coming year (so about
one in twelve is due within 30 days). Prints each time, its ratio to the baseline, and the peak
memory of the scan and of the first run (tracemalloc, separate runs).
Target: every run at most 5x the plain scan.
"""

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User, UserRole  # noqa: E402
from wired4ex.catalog.content import load_content  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import LedgerEntry  # noqa: E402
from wired4ex.membership.models import Membership  # noqa: E402
from wired4ex.notifications.models import MailMessage, ReminderSent  # noqa: E402
from wired4ex.notifications.reminders import send_due  # noqa: E402

TODAY = date(2026, 12, 1)  # 30 days before the cycle ends: the 30-day threshold
CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]
BATCH = 20_000


def insert(model, rows):
    for offset in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[offset : offset + BATCH])


def build(members: int, entries: int, short: float) -> None:
    rng = random.Random(21)
    sync_content(load_content(ROOT / "content"))
    users, roles, ledger, memberships = [], [], [], []
    for number in range(1, members + 1):
        users.append({
            "id": number, "email": f"m{number}@bench.example", "full_name": f"Member {number:06d}",
            "password_hash": "x", "membership_category": "professional", "country": "KE",
            "language": rng.choice(["en", "sw"]), "is_active_account": True, "session_version": 1,
        })  # fmt: skip
        roles.append({"user_id": number, "name": "member"})
        renews_on = TODAY + timedelta(days=rng.randrange(365))
        memberships.append({
            "user_id": number, "category": "professional", "number": f"B-{number:06d}",
            "started_on": renews_on - timedelta(days=365), "renews_on": renews_on,
        })  # fmt: skip
        behind = rng.random() < short
        for index in range(entries):
            points = 2 if behind else (10 if index < 4 else 2)  # 40 counted when on track
            ledger.append({
                "user_id": number, "source": "module", "title": "Module", "provider": "LRU",
                "category": "structured" if index < 4 else rng.choice(CATEGORIES[1:]),
                "points": points, "activity_date": date(2026, 1 + rng.randrange(11), 1 + rng.randrange(28)),
                "competencies": [],
            })  # fmt: skip
        if not behind:
            ledger.append({"user_id": number, "source": "module", "title": "Committee",
                           "provider": "HeSMA", "category": "association", "points": 2,
                           "activity_date": date(2026, 6, 1), "competencies": []})  # fmt: skip
    insert(User, users)
    insert(UserRole, roles)
    insert(LedgerEntry, ledger)
    insert(Membership, memberships)
    db.session.commit()


def timed(label, func):
    db.session.expire_all()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    db.session.rollback()
    return label, seconds, result


def peak_memory(func) -> float:
    """Peak Python memory (MB) while func runs (a separate run: tracemalloc slows it down)."""
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    db.session.rollback()
    return peak


def forget_reminders() -> None:
    """Back to before the first run: no records, notifications or mails, no unread counts."""
    from wired4ex.notifications.models import Notification

    for model in (ReminderSent, Notification, MailMessage):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.update(User).values(unread_notifications=0))
    db.session.commit()


def plain_scan() -> int:
    """Every member row read as a User, 1,000 at a time."""
    count, after = 0, 0
    while True:
        rows = db.session.scalars(
            sa.select(User).where(User.id > after).order_by(User.id).limit(1000)
        ).all()
        if not rows:
            return count
        count += len(rows)
        after = rows[-1].id
        db.session.expunge_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=6)
    parser.add_argument("--short", type=float, default=0.2, help="share of members short")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)

        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.sqlite'}"
            MAIL_OUTBOX = str(workdir / "outbox")
            EVIDENCE_DIR = str(workdir / "evidence")
            JOBS_IMMEDIATE = False  # queue the mails (a file queue nobody consumes here)
            JOBS_SQLITE_PATH = str(workdir / "jobs.sqlite")

        app = create_app(Config)
        with app.app_context(), app.test_request_context():
            upgrade(directory=str(ROOT / "migrations"))
            started = time.perf_counter()
            build(args.members, args.entries, args.short)
            print(
                f"built {args.members:,} members, ledgers in {time.perf_counter() - started:.1f} s"
            )
            runs = [
                timed("plain scan of the members table (baseline)", plain_scan),
                timed("reminder scan, --dry-run", lambda: send_due(TODAY, dry_run=True)),
                timed("first run (records, notifications, outbox)", lambda: send_due(TODAY)),
                timed("second run the same day (nothing new)", lambda: send_due(TODAY)),
            ]
            base = runs[0][1]
            for label, seconds, _result in runs:
                print(f"{label:<48} {seconds:7.2f} s  {seconds / base:5.1f}x")
            print(
                f"peak memory of a dry-run scan: {peak_memory(lambda: send_due(TODAY, dry_run=True)):.1f} MB "
                f"(a plain scan: {peak_memory(plain_scan):.1f} MB)"
            )
            kinds = db.session.execute(
                sa.select(ReminderSent.kind, sa.func.count()).group_by(ReminderSent.kind)
            ).all()
            mails = db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage))
            print("reminders recorded: " + ", ".join(f"{kind} {count:,}" for kind, count in kinds)
                  + f"; mails queued {mails:,}")  # fmt: skip
            forget_reminders()
            print(f"peak memory of a first run: {peak_memory(lambda: send_due(TODAY)):.1f} MB")
            worst = max(seconds for _label, seconds, _result in runs[1:]) / base
            print(f"worst run / plain scan: {worst:.1f}x (target at most 5x): "
                  f"{'OK' if worst <= 5 else 'OVER'}")  # fmt: skip


if __name__ == "__main__":
    main()
