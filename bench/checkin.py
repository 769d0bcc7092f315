"""Check-in load: 1,000 members checking in to one session within 2 minutes, through gunicorn
and PostgreSQL, as at the door of a large hall.

    .venv/bin/python bench/checkin.py [--members 1000] [--seconds 120] [--workers 4]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--qr-share 0.5]

Creates a PostgreSQL database of its own on the server of --database-url (dropped at the end),
builds it with `flask db upgrade` and `flask content sync`, creates the members, an event and a
session open for check-in, and starts gunicorn (production configuration, sync workers) on a free
loopback port. Every member logs in first (not timed: see bench/load.py for logins). Then the
members arrive at evenly spread moments over --seconds: each reads the code from the screen (the
bench derives it from the session's secret and the clock, as the screen does) and either opens
the QR address (--qr-share of them, spread evenly over the arrivals) or opens /checkin and
types it. A pool of 100 client threads
serves the arrivals; every loop is bounded (one check-in per member, one pass over the arrivals).

Baseline, in the same run and at the same arrival rate: the same number of requests for a static
file of the app. Prints the check-in requests' p50/p95 at the client (target: p95 < 300 ms, 0
errors) with ratios to the baseline, and checks the database afterwards: one attendance and one
ledger entry per member. Exits 1 on any error or when the database does not add up.
"""

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import (  # noqa: E402
    PASSWORD,
    free_port,
    prepare,
    redis_reachable,
    start_server,
    stop_server,
)

from config import Config  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User, UserRole  # noqa: E402
from wired4ex.auth.passwords import hash_password  # noqa: E402
from wired4ex.cpd.policy import load_policy  # noqa: E402
from wired4ex.dbtypes import utcnow  # noqa: E402
from wired4ex.events import codes, services  # noqa: E402
from wired4ex.events.models import Attendance  # noqa: E402
from wired4ex.extensions import db  # noqa: E402
from wired4ex.learning.models import LedgerEntry  # noqa: E402
from wired4ex.timeutil import local_date  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'type="hidden" name="csrf_token" value="([^"]+)"')  # fmt: skip
POOL = 100  # client threads
TIMEOUT = 60.0


def make_session(database_url: str, minutes: int) -> dict:
    """An admin, an event today and a session whose check-in window covers the whole run."""

    class Settings(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "checkin-bench-setup"

    app = create_app(Settings)
    with app.app_context():
        admin = User(email="admin@bench.example", full_name="Bench Admin", country="KE",
                     password_hash=hash_password(secrets.token_urlsafe(16)),
                     membership_category="professional",
                     roles=[UserRole(name="member"), UserRole(name="admin")])  # fmt: skip
        db.session.add(admin)
        db.session.commit()
        now = utcnow().replace(second=0, microsecond=0)
        today = local_date(now)
        event = services.create_event(admin, services.EventInput(
            title="Annual Scientific Conference (bench)", description="", venue="Main hall",
            organiser_name="HeSMA East Africa", online=False, start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=1), capacity=None, evaluation=False,
        ))  # fmt: skip
        session = services.add_session(admin, load_policy(), event, services.SessionInput(
            title="Opening plenary", starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(minutes=minutes), points=Decimal("2"), category="conference",
            competencies=[],
        ))  # fmt: skip
        details = {"id": session.id, "key": session.key, "secret": session.secret,
                   "period": session.code_period}  # fmt: skip
        db.engine.dispose()
    return details


def count_rows(database_url: str, session_id: int) -> tuple[int, int, int]:
    """Attendances, ledger entries of the session, and members with more than one entry."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        attendances = connection.scalar(
            sa.select(sa.func.count()).select_from(Attendance.__table__)
            .where(Attendance.__table__.c.session_id == session_id)
        )  # fmt: skip
        ledger = LedgerEntry.__table__
        entries = connection.scalar(
            sa.select(sa.func.count()).select_from(ledger)
            .where(ledger.c.event_session_id == session_id)
        )  # fmt: skip
        per_member = (
            sa.select(ledger.c.user_id).where(ledger.c.event_session_id == session_id)
            .group_by(ledger.c.user_id).having(sa.func.count() > 1).subquery()
        )  # fmt: skip
        doubled = connection.scalar(sa.select(sa.func.count()).select_from(per_member))
    engine.dispose()
    return attendances, entries, doubled


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def timed(results: Results, kind: str, http: requests.Session, method: str, url: str, **kw):
    started = time.perf_counter()
    response = http.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kw)
    response.content  # noqa: B018 (read the whole body)
    results.add(kind, time.perf_counter() - started)
    return response


def log_in(base: str, email: str) -> requests.Session:
    http = requests.Session()
    page = http.get(base + "/login", timeout=TIMEOUT).text
    token = CSRF.search(page)
    response = http.post(base + "/login", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf_token": token.group(1) or token.group(2), "email": email, "password": PASSWORD})  # fmt: skip
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        raise RuntimeError(f"log in {email}: HTTP {response.status_code}")
    return http


def code_now(session: dict) -> str:
    """What the screen shows now (the hall's projector, derived the same way)."""
    return codes.code_for(session["secret"], codes.period_number(utcnow(), session["period"]))


def check_in(base, http, session, by_qr: bool, results: Results, email: str) -> None:
    code = code_now(session)
    if by_qr:
        response = timed(results, "check-in by QR (GET)", http, "GET",
                         f"{base}/checkin/{session['key']}-{code}")  # fmt: skip
    else:
        form = timed(results, "check-in form (GET)", http, "GET", base + "/checkin")
        token = CSRF.search(form.text)
        if form.status_code != 200 or token is None:
            results.error(f"{email}: check-in form HTTP {form.status_code}")
            return
        response = timed(results, "typed code (POST)", http, "POST", base + "/checkin",
                         data={"csrf_token": token.group(1) or token.group(2), "code": code})  # fmt: skip
    if response.status_code != 302 or "/checkin/done/" not in response.headers.get("Location", ""):
        results.error(f"{email}: check-in answered HTTP {response.status_code}")


def arrivals(count: int, seconds: float, job) -> float:
    """Run job(i) at evenly spread moments over `seconds`; returns the elapsed time."""
    started = time.perf_counter()

    def at_its_time(number: int):
        delay = started + seconds * number / count - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        job(number)

    with ThreadPoolExecutor(max_workers=POOL) as pool:
        list(pool.map(at_its_time, range(count)))
    return time.perf_counter() - started


def row(label: str, times: list[float], base: list[float]) -> str:
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    b50, b95 = statistics.median(base), percentile(base, 0.95)
    return (f"{label:26} {len(times):6d} {p50 * 1000:7.0f} {p95 * 1000:7.0f} "
            f"{p50 / b50:7.1f} {p95 / b95:7.1f}")  # fmt: skip


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=120.0, help="the arrivals' span")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--qr-share", type=float, default=0.5, help="share checking in by QR")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server; the bench creates and drops a database of its own there",
    )  # fmt: skip
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="rate-limit storage")
    args = parser.parse_args()
    if not 1 <= args.members <= 20000 or not 1 <= args.seconds <= 3600:
        raise SystemExit("--members 1..20000, --seconds 1..3600")

    server_url = sa.engine.make_url(args.database_url)
    if server_url.host not in (None, "127.0.0.1", "localhost", "::1"):
        raise SystemExit("the bench runs on the loopback interface only")
    name = f"w4x_checkin_{uuid.uuid4().hex[:12]}"
    database_url = server_url.set(database=name).render_as_string(hide_password=False)
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    workdir = Path(tempfile.mkdtemp(prefix="w4x-checkin-"))
    server = None
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    baseline, results, logins = Results(), Results(), Results()
    try:
        env = {
            **os.environ, "WIRED4EX_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "0",
            "RATELIMIT_STORAGE_URI": args.redis if redis_reachable(args.redis) else "memory://",
            "MAIL_OUTBOX": str(workdir / "outbox"), "EVIDENCE_DIR": str(workdir / "evidence"),
            "CONTENT_DIR": str(ROOT / "content"),
        }  # fmt: skip
        flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
        for command in (["db", "upgrade"], ["content", "sync", str(ROOT / "content")]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        emails, _catalogue = prepare(database_url, args.members, True)
        minutes = int(args.seconds / 60) + 30  # the window stays open through logins and run
        session = make_session(database_url, minutes)
        port = free_port()
        server = start_server(env, port, args.workers, workdir / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        print(f"database {name}; gunicorn: {args.workers} sync workers on {base}; "
              f"{args.members} members, {POOL} client threads")  # fmt: skip

        started = time.perf_counter()
        clients: dict[str, requests.Session] = {}

        def sign_in(number: int) -> None:
            try:
                clients[emails[number]] = log_in(base, emails[number])
            except (requests.RequestException, RuntimeError) as error:
                logins.error(str(error))

        with ThreadPoolExecutor(max_workers=POOL) as pool:
            list(pool.map(sign_in, range(len(emails))))
        print(f"logged in {len(clients)} members in {time.perf_counter() - started:.0f} s "
              f"(not timed below)")  # fmt: skip

        local = threading.local()  # one keep-alive connection per client thread, as browsers

        def fetch_static(_number: int) -> None:
            http = getattr(local, "http", None) or requests.Session()
            local.http = http
            try:
                response = timed(baseline, "baseline", http, "GET", base + "/static/site.css")
                if response.status_code != 200:
                    baseline.error(f"baseline: HTTP {response.status_code}")
            except requests.RequestException as error:
                baseline.error(f"baseline: {error}")

        base_elapsed = arrivals(args.members, args.seconds, fetch_static)

        def arrive(number: int) -> None:
            email = emails[number]
            http = clients.get(email)
            if http is None:
                results.error(f"{email}: not logged in")
                return
            try:
                by_qr = int((number + 1) * args.qr_share) > int(number * args.qr_share)
                check_in(base, http, session, by_qr, results, email)
            except requests.RequestException as error:
                results.error(f"{email}: {error}")

        elapsed = arrivals(args.members, args.seconds, arrive)
        attendances, entries, doubled = count_rows(database_url, session["id"])
    finally:
        stop_server(server)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        log = (workdir / "gunicorn.log").read_text() if (workdir / "gunicorn.log").exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)

    base_times = baseline.latency.get("baseline", [0.001])
    print(f"\nbaseline: {len(base_times)} static-file requests over {base_elapsed:.0f} s")
    print(f"check-ins: {args.members} members over {elapsed:.0f} s "
          f"({args.members / elapsed:.1f} check-ins/s)")  # fmt: skip
    print(f"\n{'request':26} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p50 x':>7} {'p95 x':>7}")
    print(row("baseline: static file", base_times, base_times))
    every = []
    for kind, times in sorted(results.latency.items()):
        print(row(kind, times, base_times))
        every += times
    if every:
        print(row("all check-in requests", every, base_times))
    errors = logins.errors + baseline.errors + results.errors
    print(f"\ndatabase: {attendances} attendances, {entries} ledger entries for the session, "
          f"{doubled} members with more than one")  # fmt: skip
    p95 = percentile(every, 0.95) * 1000 if every else float("inf")
    print(f"errors: {len(errors)}; p95 {p95:.0f} ms; target 0 errors and p95 < 300 ms: "
          f"{'met' if not errors and p95 < 300 else 'MISSED'}")  # fmt: skip
    for message in errors[:20]:
        print("  " + message)
    if errors and "Traceback" in log:
        print(log[-3000:])
    if errors or attendances != args.members or entries != args.members or doubled:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
