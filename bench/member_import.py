"""Benchmark the register import: 5,000 rows checked, refused whole with 12 bad rows, imported.

    .venv/bin/python bench/member_import.py [--rows 5000] [--database-url postgresql+psycopg://...]

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database on the given
server, dropped afterwards), then times: the file with 12 bad rows (refused, nothing saved), the
dry run of the fixed file, the import itself (accounts, memberships with kept and assigned numbers,
audit, one transaction) and the invitations (written to an outbox folder). The baseline, measured
in the same run, is inserting the same number of bare accounts in one statement: the floor of any
import. Exit 1 when the import (check and write) takes 30 s or more, or a check fails.
"""

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from bench.register_csv import register_rows, spoil, to_csv  # noqa: E402
from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.membership.import_apply import apply_import  # noqa: E402
from wired4ex.membership.imports import plan_import  # noqa: E402
from wired4ex.membership.invitations import send_invitations  # noqa: E402
from wired4ex.membership.models import Membership  # noqa: E402

TARGET_SECONDS = 30.0
BAD_ROWS = 12


def database(server_url: str | None, workdir: Path):
    """A fresh database URL, and a function that drops it (PostgreSQL) afterwards."""
    if not server_url:
        return f"sqlite:///{workdir / 'bench.sqlite'}", lambda: None
    url = sa.engine.make_url(server_url)
    name = f"w4x_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def baseline(rows: int) -> float:
    """Seconds to insert `rows` bare accounts in one statement, then remove them."""
    values = [
        {"email": f"baseline{i}@bench.example", "full_name": "Baseline", "password_hash": "!",
         "membership_category": "professional", "country": "KE", "language": "en"}
        for i in range(rows)
    ]  # fmt: skip
    start = time.perf_counter()
    db.session.execute(sa.insert(User), values)
    db.session.commit()
    seconds = time.perf_counter() - start
    db.session.execute(sa.delete(User).where(User.email.like("baseline%@bench.example")))
    db.session.commit()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", help="a PostgreSQL server (a database is created)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="w4x-import-"))
    url, drop = database(args.database_url, workdir)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")
        CONTENT_DIR = str(ROOT / "content")

    app = create_app(Config)
    failures = []
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            admin = User(email="admin@bench.example", full_name="Admin", password_hash="!",
                         membership_category="professional", country="KE")  # fmt: skip
            db.session.add(admin)
            db.session.commit()
            base = baseline(args.rows)

            spoilt = register_rows(args.rows)
            bad_lines = spoil(spoilt, BAD_ROWS)
            refused, refused_seconds = timed(apply_import, to_csv(spoilt), by=admin)
            if refused.applied or refused.refused_lines != bad_lines:
                failures.append(
                    f"bad file: refused lines {refused.refused_lines}, wanted {bad_lines}"
                )
            if db.session.scalar(sa.select(sa.func.count()).select_from(Membership)):
                failures.append("the bad file saved memberships")

            data = to_csv(register_rows(args.rows))
            plan, plan_seconds = timed(plan_import, data)
            if not plan.ok:
                failures.append(f"dry run refused lines {plan.refused_lines[:20]}")
            report, import_seconds = timed(apply_import, data, by=admin)
            if not report.applied:
                failures.append(f"import refused: {report.problems} {report.refused_lines[:20]}")
            count = db.session.scalar(sa.select(sa.func.count()).select_from(Membership))
            if count != args.rows:
                failures.append(f"{count} memberships after the import, wanted {args.rows}")
            sent, mail_seconds = timed(send_invitations, report.invited)
    finally:
        drop()

    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Register import of {args.rows:,} rows on {engine}")
    print(f"  baseline: {args.rows:,} bare accounts in one INSERT      {base:7.2f} s")
    rows = [
        (f"file with {BAD_ROWS} bad rows, refused whole", refused_seconds),
        ("dry run of the fixed file (every check)", plan_seconds),
        ("import: check again and write, one transaction", import_seconds),
        (f"{sent:,} invitations written to the outbox", mail_seconds),
    ]
    for label, seconds in rows:
        print(f"  {label:<48} {seconds:7.2f} s  {seconds / base:6.1f} x baseline")
    print(f"  import target: under {TARGET_SECONDS:.0f} s -> {import_seconds:.2f} s "
          f"({args.rows / import_seconds:,.0f} rows/s)")  # fmt: skip
    if import_seconds >= TARGET_SECONDS:
        failures.append(f"the import took {import_seconds:.1f} s (target {TARGET_SECONDS:.0f} s)")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
