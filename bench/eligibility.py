"""Benchmark the eligibility engine: every member against every programme, at two sizes.

    .venv/bin/python bench/eligibility.py [--members 10000] [--small 1000] [--entries 30]
                                          [--chunk 1000]

Builds a SQLite database per size with realistic ledgers, course completions, memberships
(current, lapsed, for life, none) and certificates, then runs `flask certification evaluate` in a
fresh process per size (bench/fresh_process.py), so the peak memory printed (VmHWM) is the
command's own. Prints the wall time, members per second as a ratio to a baseline measured in the
same process (a plain scan of the users table in the same chunks), the SQL statements counted, and
from the two sizes the statements per chunk and the fixed ones: the count grows with the chunks,
not the members.
"""

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from bench.fresh_process import in_fresh_process, run_command  # noqa: E402
from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User  # noqa: E402
from wired4ex.catalog.content import load_content  # noqa: E402
from wired4ex.catalog.models import Course  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.certification.commands import CHUNK  # noqa: E402
from wired4ex.certification.models import Certificate  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import CourseCompletion, LedgerEntry  # noqa: E402
from wired4ex.membership.models import Membership  # noqa: E402

CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]
COMPETENCIES = ["LG1", "LG2", "FM1", "FM2", "QS1", "QS2", "HR1", "DI1", "DI3", "OM1"]
MEMBERSHIPS = ["professional", "associate", "student", "life"]


def make_app(workdir: Path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.sqlite'}"
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")

    return create_app(Config)


def build(workdir: Path, members: int, entries: int) -> None:
    app = make_app(workdir)
    rng = random.Random(7)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        sync_content(load_content(ROOT / "content"))
        course_ids = list(db.session.scalars(sa.select(Course.id)))
        today = date(2026, 11, 22)
        users, ledger, completions, memberships, certificates = [], [], [], [], []
        for number in range(members):
            user_id, category = number + 1, rng.choice(MEMBERSHIPS)
            users.append({
                "id": user_id, "email": f"m{number}@bench.example", "full_name": f"Member {number}",
                "password_hash": "x", "membership_category": category,
                "country": "KE", "language": "en", "is_active_account": True, "session_version": 1,
            })  # fmt: skip
            kind = rng.random()
            if kind < 0.8:  # current, lapsed (renewal date long past), for life; else none
                renews = None if category == "life" else date(2027, 6, 30)
                if kind > 0.65:
                    renews = date(2025, 1, 31)
                memberships.append({
                    "user_id": user_id, "category": category, "number": f"HSM/{user_id:06d}",
                    "started_on": date(2020, 1, 1), "renews_on": renews,
                })  # fmt: skip
            if rng.random() < 0.3:
                certificates.append({
                    "code": f"C{user_id:011d}", "user_id": user_id, "programme_code": "AHSM",
                    "programme_name": "Associate", "level": 1, "holder_name": f"Member {number}",
                    "competencies": [], "criteria": "", "issued_on": date(2024, 3, 1),
                    "expires_on": rng.choice([date(2027, 3, 1), date(2025, 3, 1)]),
                    "status": rng.choice(["valid", "valid", "revoked"]),
                })  # fmt: skip
            for _ in range(entries):
                ledger.append({
                    "user_id": user_id, "source": rng.choice(["module", "claim", "event"]),
                    "title": "Module", "provider": "LRU",
                    "category": rng.choice(CATEGORIES), "points": rng.choice([0.5, 1, 1.5, 2, 4, 12]),
                    "activity_date": today - timedelta(days=rng.randrange(5 * 365)),
                    "competencies": rng.sample(COMPETENCIES, rng.randrange(3)),
                })  # fmt: skip
            for course_id in rng.sample(course_ids, rng.randrange(len(course_ids) + 1)):
                completions.append({"user_id": user_id, "course_id": course_id})
        now = sa.func.now()
        db.session.execute(sa.insert(User).values(created_at=now), users)
        db.session.execute(sa.insert(LedgerEntry).values(created_at=now), ledger)
        db.session.execute(sa.insert(CourseCompletion).values(completed_at=now), completions)
        db.session.execute(sa.insert(Membership).values(created_at=now), memberships)
        db.session.execute(sa.insert(Certificate).values(created_at=now), certificates)
        db.session.commit()


def measure(workdir: Path, chunk: int) -> dict:
    """In a fresh process: the baseline scan, then the command; figures as a dict."""
    app = make_app(workdir)
    with app.app_context():
        started = time.perf_counter()
        last = 0
        while True:  # a plain scan of the users table, in the same chunks
            rows = db.session.execute(
                sa.select(User.id, User.full_name, User.email, User.membership_category)
                .where(User.id > last).order_by(User.id).limit(chunk)
            ).all()  # fmt: skip
            if not rows:
                break
            last = rows[-1].id
        base = time.perf_counter() - started
        run = run_command(app, ["certification", "evaluate", "--chunk", str(chunk),
                                "--out", str(workdir / "out.csv")])  # fmt: skip
    output = run.pop("output")
    return run | {"base": base,
                  "summary": next(line for line in output.splitlines() if "evaluated" in line)}  # fmt: skip


def run_size(members: int, entries: int, chunk: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build(Path(folder), members, entries)
        built = time.perf_counter() - started
        figures = in_fresh_process(__file__, "--measure", folder, "--chunk", str(chunk))
        figures |= {"members": members, "built": built, "chunks": math.ceil(members / chunk)}
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="the second, smaller size")
    parser.add_argument("--entries", type=int, default=30, help="ledger entries per member")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="members per chunk")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process: a built folder
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.chunk)))
        return
    print(f"load average {os.getloadavg()[0]:.2f}; chunks of {args.chunk} members; "
          f"{args.entries} ledger entries per member")  # fmt: skip
    runs = [run_size(n, args.entries, args.chunk) for n in (args.small, args.members)]
    for run in runs:
        print(f"{run['members']:>6} members: {run['seconds']:6.2f} s wall "
              f"({run['members'] / run['seconds']:7.0f} members/s; baseline scan "
              f"{run['members'] / run['base']:7.0f} members/s, {run['seconds'] / run['base']:.0f} x); "
              f"CPU {run['cpu']:.2f} s; {run['statements']} SQL statements for {run['chunks']} chunks; "
              f"peak memory {run['rss_mb']:.0f} MB (+{run['rss_run_mb']:.0f} MB during the run)")  # fmt: skip
        print(f"        {run['summary']}")
    small, big = runs
    if big["chunks"] != small["chunks"]:
        per_chunk = (big["statements"] - small["statements"]) / (big["chunks"] - small["chunks"])
        fixed = small["statements"] - per_chunk * small["chunks"]
        print(f"SQL statements = {fixed:.0f} + {per_chunk:.2f} x chunks "
              "(the same at both sizes: nothing per member)")  # fmt: skip
    print(f"target: 10,000 members in at most 10 s; "
          f"load average {os.getloadavg()[0]:.2f} at the end")  # fmt: skip


if __name__ == "__main__":
    main()
