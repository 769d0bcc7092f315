"""Benchmark the admin reports: the M&E dashboard and the member list on a large association.

    .venv/bin/python bench/reports.py [--members 50000] [--entries 10] [--repeat 3]
        [--cache /tmp/reports.sqlite] [--database-url postgresql+psycopg://postgres@127.0.0.1/x]

Builds a temporary SQLite database (or a PostgreSQL one with --database-url) with 50 000 members
and their memberships, 500 000 ledger entries, enrolments and course completions (bulk Core
inserts, then the CPD sums and per-member totals rebuilt as a migration would), logs in as an
admin through the test client, and prints each page's response time and SQL statement count
against a baseline measured in the same run (the login page, which reads almost nothing). The
figures column fingerprints each page (its HTML without tokens): the same on two versions of the
code means the same figures.
--cache keeps the built database (a SQLite file, or a PostgreSQL database named after the sizes)
for the next run.
"""

import argparse
import contextlib
import hashlib
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User, UserRole  # noqa: E402
from wired4ex.auth.passwords import hash_password  # noqa: E402
from wired4ex.catalog.content import load_content  # noqa: E402
from wired4ex.catalog.models import Course  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.cpd.policy import load_policy  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import CourseCompletion, Enrolment, LedgerEntry  # noqa: E402
from wired4ex.membership.models import Membership  # noqa: E402
from wired4ex.membership.policy import category_policy  # noqa: E402

try:  # the benchmark also runs on the code before the sums existed (a baseline)
    from wired4ex.admin import cpd_sums  # noqa: E402
except ImportError:
    cpd_sums = None

CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]
MEMBERSHIP = ["professional", "associate", "student", "life", "honorary"]
COUNTRIES = ["KE", "UG", "TZ", "RW", "BI", "SS", "ET"]
PASSWORD = "bench-admin-password-2026"
BATCH = 20_000


def insert(model, rows: list[dict], **values) -> None:
    for offset in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model).values(**values), rows[offset : offset + BATCH])


def build(workdir: Path, members: int, entries: int, cache: str | None = None, url: str = ""):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url or f"sqlite:///{workdir / 'bench.sqlite'}"
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")

    app = create_app(Config)
    rng = random.Random(9)
    if cache and (url or Path(cache).exists()):
        if not url:
            shutil.copyfile(cache, workdir / "bench.sqlite")
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            sizes = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                          for model in (User, LedgerEntry, Enrolment, CourseCompletion))  # fmt: skip
        return app, sizes
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        sync_content(load_content(ROOT / "content"))
        course_ids = list(db.session.scalars(sa.select(Course.id)))
        today = date.today()
        start = datetime.now(UTC) - timedelta(days=2 * 365)
        users, roles, memberships, ledger, enrolments, completions = [], [], [], [], [], []
        for number in range(1, members + 1):
            category = rng.choice(MEMBERSHIP)
            users.append({
                "id": number, "email": f"m{number}@bench.example", "full_name": f"Member {number:06d}",
                "password_hash": "x", "membership_category": category,
                "membership_number": f"HESMA-{number:06d}", "country": rng.choice(COUNTRIES),
                "language": "en", "is_active_account": rng.random() > 0.02, "session_version": 1,
            })  # fmt: skip
            roles.append({"user_id": number, "name": "member"})
            # As grant_membership() leaves it: most current, some lapsed, life and honorary never.
            lapses = category_policy(category).lapses
            memberships.append({
                "user_id": number, "category": category, "number": f"HESMA-{number:06d}",
                "started_on": today - timedelta(days=rng.randrange(5 * 365)),
                "renews_on": today + timedelta(days=rng.randrange(-240, 365)) if lapses else None,
            })  # fmt: skip
            for _ in range(entries):
                adjustment = rng.random() < 0.03  # corrections, some negative, above maximums
                ledger.append({
                    "user_id": number, "source": "adjustment" if adjustment else "module",
                    "title": "Module", "provider": "LRU", "category": rng.choice(CATEGORIES),
                    "points": rng.choice([-4, -1, 3, 12] if adjustment else [0.5, 1, 1.5, 2, 4, 8]),
                    "activity_date": today - timedelta(days=rng.randrange(3 * 365)),
                    "competencies": [], "reason": "Bench correction" if adjustment else None,
                })  # fmt: skip
            for course_id in rng.sample(course_ids, rng.randrange(len(course_ids) + 1)):
                enrolled = start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
                enrolments.append({"user_id": number, "course_id": course_id,
                                   "status": "active", "enrolled_at": enrolled})  # fmt: skip
                if rng.random() < 0.4:
                    completions.append({"user_id": number, "course_id": course_id,
                                        "completed_at": enrolled + timedelta(days=30)})  # fmt: skip
        now = sa.func.now()
        insert(User, users, created_at=now)
        if db.session.get_bind().dialect.name == "postgresql":  # ids given: move the sequence on
            db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('users', 'id'), "
                                       "(SELECT max(id) FROM users))"))  # fmt: skip
        insert(UserRole, roles, granted_at=now)
        insert(Membership, memberships, created_at=now)
        insert(LedgerEntry, ledger, created_at=now)
        insert(Enrolment, enrolments)
        insert(CourseCompletion, completions)
        db.session.add(
            User(email="admin@bench.example", full_name="Bench Admin", membership_category="honorary",
                 country="KE", password_hash=hash_password(PASSWORD),
                 roles=[UserRole(name="member"), UserRole(name="admin")])
        )  # fmt: skip
        db.session.commit()
        if cpd_sums is not None:  # a bulk insert bypasses the ORM event: build as a migration would
            # (the sums, and the per-member totals where the code has them)
            cpd_sums.rebuild_for(load_policy())
        if db.session.get_bind().dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: without statistics the planner takes
            # every table for a few rows (a filtered member list then took 2.5 s instead of 90 ms).
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        sizes = (len(users), len(ledger), len(enrolments), len(completions))
    if cache and not url:
        shutil.copyfile(workdir / "bench.sqlite", cache)
    return app, sizes


@contextmanager
def postgres(server: str, members: int, entries: int, keep: bool):
    """A database of the bench's own on the server of --database-url: (its URL, already built).

    With --cache it is named after the sizes and kept for the next run; else dropped at the end.
    """
    server_url = sa.engine.make_url(server)
    if server_url.host not in (None, "127.0.0.1", "localhost", "::1"):
        raise SystemExit("the bench runs on the loopback interface only")
    name = f"w4x_reports_{members}_{entries}" if keep else f"w4x_reports_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False), bool(exists)
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def digest(body: bytes) -> str:
    """A fingerprint of a page's figures (the form's CSRF token and the CSP nonce left out)."""
    body = re.sub(rb'(value|nonce|content)="[A-Za-z0-9_.+/=-]{20,}"', b"", body)
    return hashlib.sha256(body).hexdigest()[:10]


def measure(app, client, url: str, repeat: int) -> tuple[float, int, str]:
    """The median response time in seconds, the statements of one request, the page's digest."""
    times, counter = [], Counter()
    with app.app_context():
        engine = db.engine
    for attempt in range(repeat + 1):
        if attempt == 1:
            sa.event.listen(engine, "before_cursor_execute", counter)
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        if attempt:
            times.append(elapsed)
    sa.event.remove(engine, "before_cursor_execute", counter)
    return statistics.median(times), counter.count // repeat, digest(body)


def profile(app, client, url: str) -> list[tuple[float, str]]:
    """Each statement of one request with its time (a before/after_cursor_execute pair)."""
    with app.app_context():
        engine = db.engine
    found: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        text = " ".join(statement.split())
        found.append((time.perf_counter() - conn.info.pop("bench_started"), text[:110]))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=10, help="ledger entries per member")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", help="SQLite file: reuse the built database if it exists, "
                        "else keep a copy of it there (iterating on the code)")  # fmt: skip
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print each SQL statement's time for the dashboard pages",
    )
    parser.add_argument("--database-url", help="a PostgreSQL server (postgresql+psycopg://...): "
                        "the bench makes a database of its own there")  # fmt: skip
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        url, cache = "", args.cache
        if args.database_url:
            url, built = stack.enter_context(
                postgres(args.database_url, args.members, args.entries, bool(args.cache))
            )
            cache = "reuse" if built else None
        started = time.perf_counter()
        app, (members, entries, enrolled, completed) = build(
            Path(folder), args.members, args.entries, cache, url
        )
        print(f"database: {'PostgreSQL' if url else 'SQLite'}")
        print(f"built {members} members, {entries} ledger entries, {enrolled} enrolments, "
              f"{completed} completions in {time.perf_counter() - started:.1f} s")  # fmt: skip
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        login = client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD,
                                            "csrf_token": token})  # fmt: skip
        if login.status_code != 302:
            raise SystemExit("admin login failed")
        year = date.today().year
        pages = [
            ("member list, page 1", "/admin/members"),
            ("member list, per_page 100", "/admin/members?per_page=100"),
            (f"member list, professional KE met {year - 1}",
             f"/admin/members?category=professional&country=KE&cpd=met&cycle={year - 1}"),
            ("member list, search 'HESMA-0499'", "/admin/members?q=HESMA-0499"),
            ("M&E dashboard", "/admin/dashboard"),
            (f"M&E dashboard {year - 1}", f"/admin/dashboard?year={year - 1}"),
        ]  # fmt: skip
        print(f"{'page':45} {'median ms':>10} {'x baseline':>11} {'queries':>8} {'figures':>11}")
        base, queries, _ = measure(app, app.test_client(), "/login", args.repeat)
        print(f"{'baseline: /login (anonymous)':45} {base * 1000:10.1f} {1:11.1f} {queries:8d}")
        for label, url in pages:
            seconds, queries, figures = measure(app, client, url, args.repeat)
            print(f"{label:45} {seconds * 1000:10.1f} {seconds / base:11.1f} {queries:8d} "
                  f"{figures:>11}")  # fmt: skip
        if args.profile:
            for label, url in pages[-2:]:
                print(f"\n{label}: the time of each statement (ms), one request")
                for elapsed, statement in profile(app, client, url):
                    print(f"{elapsed * 1000:9.1f}  {statement}")
        started = time.perf_counter()
        exported = client.get("/admin/members.csv?account=all").get_data()
        rows = exported.count(b"\n") - 1
        print(f"member export (CSV, {rows} rows, streamed): "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
