"""Benchmark CPD statements: one member with 60 activities, and `flask cpd statements` in batch.

    .venv/bin/python bench/statements.py [--members 1000] [--small 100] [--chunk 100] [--repeat 20]

Prints statements per second with ratios against a baseline measured in the same run (a
statement with no activities), so the figures mean something on a shared machine. Then runs the
batch command twice per size (the first run issues and renders every statement, the second finds
nothing changed and takes the PDFs from the stored files), each in a fresh process so the peak
memory printed is the command's own, with the wall and CPU time and the SQL statements counted:
from the two sizes, the statements per chunk and the fixed ones (nothing per member).
"""

import argparse
import hashlib
import json
import math
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from bench.fresh_process import in_fresh_process, run_command  # noqa: E402
from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User, UserRole  # noqa: E402
from wired4ex.catalog.content import ContentTree  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.cpd import services, statements  # noqa: E402
from wired4ex.cpd.documents import render_pdf  # noqa: E402
from wired4ex.cpd.policy import load_policy  # noqa: E402
from wired4ex.cpd.snapshots import Period  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import LedgerEntry  # noqa: E402
from wired4ex.membership.models import Membership  # noqa: E402

YEAR = 2026
CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]


def make_app(workdir: Path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.sqlite'}"
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")
        STATEMENT_PDF_DIR = str(workdir / "statement-pdfs")

    return create_app(Config)


def build_app(workdir: Path):
    app = make_app(workdir)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        tree = ContentTree(root=ROOT / "content")
        for name in ("cpd", "competencies"):
            raw = (ROOT / "content" / "policy" / f"{name}.yml").read_bytes()
            tree.policies[name] = (yaml.safe_load(raw), hashlib.sha256(raw).hexdigest())
        sync_content(tree)
    return app


def make_members(count: int, activities: int, rng: random.Random, prefix: str) -> list[int]:
    ids = []
    for number in range(count):
        user = User(
            email=f"{prefix}{number}@bench.example", full_name=f"Member {number} Ng'ang'a",
            password_hash="x", membership_category="professional", country="KE",
            membership_number=f"HSM/{prefix}/{number:05d}",
        )  # fmt: skip
        user.roles = [UserRole(name="member")]
        db.session.add(user)
        db.session.flush()
        ids.append(user.id)
        db.session.add(Membership(
            user_id=user.id, category="professional", number=user.membership_number,
            started_on=date(2020, 1, 1), renews_on=date(2027, 6, 30),
        ))  # fmt: skip
        for item in range(activities):
            db.session.add(
                LedgerEntry(
                    user_id=user.id, source="module", title=f"Module {item} on county health budgets",
                    provider="Lake Region University, School of Public Health",
                    category=rng.choice(CATEGORIES), points=Decimal(rng.choice(["0.5", "1", "1.5", "2"])),
                    activity_date=date(YEAR, 1, 1) + timedelta(days=rng.randrange(365)),
                    competencies=[rng.choice(["LG1", "FM2", "QS1", "DI3"])],
                )
            )  # fmt: skip
    db.session.commit()
    return ids


def time_one(member_id: int, repeat: int) -> float:
    """Seconds per statement (issue or reuse, then render the PDF)."""
    policy = load_policy()
    member = db.session.get(User, member_id)
    cycle = policy.cycle_starting(YEAR)
    period = Period(cycle.start, cycle.end, cycle.label)
    started = time.perf_counter()
    for _ in range(repeat):
        entries = services.ledger_entries(member.id, cycle.start, cycle.end)
        statement, _new = statements.issue_statement(
            policy, member, period, entries, date(YEAR, 12, 31)
        )
        render_pdf(statement, "https://cpd.hesma.example/verify/" + statement.code)
    return (time.perf_counter() - started) / repeat


def measure(workdir: Path, chunk: int) -> dict:
    """In a fresh process: the batch command over the built database, figures as a dict."""
    app = make_app(workdir)
    with app.app_context():
        run = run_command(app, ["cpd", "statements", "--cycle", str(YEAR), "--chunk", str(chunk),
                                "--out", str(workdir / "out")])  # fmt: skip
    output = run.pop("output")
    return run | {"summary": next(line for line in output.splitlines() if "members:" in line)}


def run_batch(workdir: Path, chunk: int) -> dict:
    return in_fresh_process(__file__, "--measure", str(workdir), "--chunk", str(chunk))


def batch_at(size: int, chunk: int, rng: random.Random) -> list[dict]:
    """The batch over `size` members with 20 activities each: first run, then again unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        app = build_app(workdir)
        with app.app_context():
            make_members(size, 20, rng, "batch")
        runs = []
        for label in ("first run (issue, render)", "again, nothing changed"):
            figures = run_batch(workdir, chunk)
            figures |= {"members": size, "chunks": math.ceil(size / chunk), "label": label}
            runs.append(figures)
        return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="the second, smaller batch")
    parser.add_argument("--chunk", type=int, default=100, help="members per chunk")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process: a built folder
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.chunk)))
        return
    print(f"load average {os.getloadavg()[0]:.2f}")
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        app = build_app(workdir)
        with app.app_context():
            (empty,) = make_members(1, 0, rng, "empty")
            (busy,) = make_members(1, 60, rng, "busy")
            time_one(empty, 2)  # warm up fonts and templates
            baseline = time_one(empty, args.repeat)
            busy_time = time_one(busy, args.repeat)
    print(f"one statement, no activities (baseline): {1 / baseline:8.1f} statements/s")
    print(f"one statement, 60 activities:            {1 / busy_time:8.1f} statements/s "
          f"({busy_time * 1000:.0f} ms each; {busy_time / baseline:.2f} x baseline)")  # fmt: skip
    by_size = [batch_at(size, args.chunk, rng) for size in (args.small, args.members)]
    for runs in by_size:
        for run in runs:
            per = run["seconds"] / run["members"]
            print(f"{run['members']:>5} members, {run['label']:<26}: {run['seconds']:6.1f} s wall "
                  f"({run['members'] / run['seconds']:6.1f} statements/s, {per / baseline:.2f} x "
                  f"baseline per statement), CPU {run['cpu']:.1f} s; {run['statements']} SQL "
                  f"statements for {run['chunks']} chunks; peak memory {run['rss_mb']:.0f} MB")  # fmt: skip
            print(f"      {run['summary']}")
    for index, label in enumerate(("first run", "nothing changed")):
        small, big = by_size[0][index], by_size[1][index]
        if big["chunks"] != small["chunks"]:
            per_chunk = (big["statements"] - small["statements"]) / (
                big["chunks"] - small["chunks"]
            )
            fixed = small["statements"] - per_chunk * small["chunks"]
            print(f"{label}: SQL statements = {fixed:.0f} + {per_chunk:.2f} x chunks of "
                  f"{args.chunk} (nothing per member)")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
