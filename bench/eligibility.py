"""Benchmark the eligibility engine: every member against every programme.

    .venv/bin/python bench/eligibility.py [--members 10000] [--entries 30]

Builds a SQLite database with realistic ledgers and course completions, then times
`flask certification evaluate` and prints members per second, against a baseline measured in the
same run (reading the same members in the same chunks without evaluating them).
"""

import argparse
import math
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User  # noqa: E402
from wired4ex.catalog.content import load_content  # noqa: E402
from wired4ex.catalog.models import Course  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.certification.commands import CHUNK  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import CourseCompletion, LedgerEntry  # noqa: E402

CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]
COMPETENCIES = ["LG1", "LG2", "FM1", "FM2", "QS1", "QS2", "HR1", "DI1", "DI3", "OM1"]


def build(workdir: Path, members: int, entries: int):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.sqlite'}"
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")

    app = create_app(Config)
    rng = random.Random(7)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        sync_content(load_content(ROOT / "content"))
        course_ids = list(db.session.scalars(sa.select(Course.id)))
        today = date(2026, 11, 22)
        users, ledger, completions = [], [], []
        for number in range(members):
            users.append({
                "id": number + 1, "email": f"m{number}@bench.example", "full_name": f"Member {number}",
                "password_hash": "x", "membership_category": rng.choice(["professional", "associate", "student", "life"]),
                "country": "KE", "language": "en", "is_active_account": True, "session_version": 1,
            })  # fmt: skip
            for _ in range(entries):
                ledger.append({
                    "user_id": number + 1, "source": "module", "title": "Module", "provider": "LRU",
                    "category": rng.choice(CATEGORIES), "points": rng.choice([0.5, 1, 1.5, 2, 4]),
                    "activity_date": today - timedelta(days=rng.randrange(5 * 365)),
                    "competencies": [rng.choice(COMPETENCIES)],
                })  # fmt: skip
            for course_id in rng.sample(course_ids, rng.randrange(len(course_ids) + 1)):
                completions.append({"user_id": number + 1, "course_id": course_id})
        now = sa.func.now()
        db.session.execute(sa.insert(User).values(created_at=now), users)
        db.session.execute(sa.insert(LedgerEntry).values(created_at=now), ledger)
        db.session.execute(sa.insert(CourseCompletion).values(completed_at=now), completions)
        db.session.commit()
    return app


def baseline_seconds(app) -> float:
    """Reading every member in chunks of 500, as the command does, without evaluating."""
    with app.app_context():
        started = time.perf_counter()
        ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        for offset in range(0, len(ids), 500):
            list(db.session.scalars(sa.select(User).where(User.id.in_(ids[offset : offset + 500]))))
            db.session.expunge_all()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=30, help="ledger entries per member")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = build(Path(folder), args.members, args.entries)
        print(f"built {args.members} members, {args.members * args.entries} ledger entries "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        base = baseline_seconds(app)
        with app.app_context():
            runner = app.test_cli_runner()
            statements = []
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            result = runner.invoke(
                args=["certification", "evaluate", "--out", str(Path(folder) / "out.csv")]
            )
            seconds = time.perf_counter() - started
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
        if result.exit_code != 0:
            print(result.output)
            raise SystemExit(1)
        print(f"baseline (read members in chunks): {args.members / base:10.0f} members/s")
        print(f"evaluate every programme:          {args.members / seconds:10.0f} members/s "
              f"({seconds / base:.1f} x baseline, {seconds:.1f} s; target 10 s for 10,000)")  # fmt: skip
        chunks = math.ceil(args.members / CHUNK)
        print(f"SQL statements: {len(statements)} for {chunks} chunks of {CHUNK} members "
              f"({len(statements) / chunks:.1f} per chunk); peak memory "
              f"{rss_after / 1024:.0f} MB (+{(rss_after - rss_before) / 1024:.0f} MB during the run)")  # fmt: skip


if __name__ == "__main__":
    main()
