"""Benchmark CPD statements: one member with 60 activities, and a batch of members.

    .venv/bin/python bench/statements.py [--members 1000] [--repeat 20]

Prints statements per second and peak memory, with ratios against a baseline measured in the
same run (a statement with no activities), so the figures mean something on a shared machine.
"""

import argparse
import hashlib
import random
import resource
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

from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User, UserRole  # noqa: E402
from wired4ex.catalog.content import ContentTree  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.cpd import services, statements  # noqa: E402
from wired4ex.cpd.documents import render_pdf  # noqa: E402
from wired4ex.cpd.policy import load_policy  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import LedgerEntry  # noqa: E402

YEAR = 2026
CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]


def build_app(workdir: Path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.sqlite'}"
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")

    app = create_app(Config)
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
    period = statements.Period(cycle.start, cycle.end, cycle.label)
    started = time.perf_counter()
    for _ in range(repeat):
        entries = services.ledger_entries(member.id, cycle.start, cycle.end)
        statement, _new = statements.issue_statement(
            policy, member, period, entries, date(YEAR, 12, 31)
        )
        render_pdf(statement, "https://cpd.hesma.example/verify/" + statement.code)
    return (time.perf_counter() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
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
            make_members(args.members, 20, rng, "batch")
            runner = app.test_cli_runner()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            result = runner.invoke(
                args=["cpd", "statements", "--cycle", str(YEAR), "--out", str(workdir / "out")]
            )
            seconds = time.perf_counter() - started
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
            if result.exit_code != 0:
                print(result.output)
                raise SystemExit(1)
            total = args.members + 2
            per_statement = seconds / total
            print(f"batch of {total} members (20 activities each): {total / seconds:8.1f} statements/s "
                  f"({per_statement / baseline:.2f} x baseline per statement), "
                  f"peak memory {rss_after / 1024:.0f} MB "
                  f"(+{(rss_after - rss_before) / 1024:.0f} MB during the batch)")  # fmt: skip


if __name__ == "__main__":
    main()
