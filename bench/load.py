"""Load test: many members at once against gunicorn and PostgreSQL, as in production.

    .venv/bin/python bench/load.py [--seconds 60] [--members 200] [--workers 4]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--redis redis://127.0.0.1:6379/0] [--production-passwords] [--think 10]

Creates a PostgreSQL database of its own on the server of --database-url, builds it with
`flask db upgrade` and `flask content sync`, creates the member accounts, and starts gunicorn
(the production configuration, several sync workers, Redis for the rate limits) on a free
loopback port. Every simulated member has its own thread and HTTP session (cookies, CSRF tokens
read from the pages, as a browser does).

1. Baseline: the same number of clients fetch a static file of the same app (/static/site.css)
   through the same server for --baseline-seconds.
2. Login storm: every member logs in at once (login form, then POST). Not time-bounded: it lasts
   as long as the logins take. The members' password hashes carry the test suite's argon2id cost
   (a hash carries its cost, the server follows it) unless --production-passwords: at the
   production cost (64 MB, 3 passes) a login is about 0.4 s of one core by design, so 200 members
   logging in within the same second keep a 2-core machine busy for over a minute, which is
   what that option shows, not the pages.
3. Use of the site for --seconds: each member in turn takes a course (catalogue, course page,
   enrol, each module, its knowledge check answered right, as the bench reads the right answers
   from the database, or "mark as done") and looks at its records (dashboard, My CPD, a CPD
   statement PDF); half the members start with their records.

Each member pauses before each request for a time drawn from an exponential distribution with
mean --think (10 s, a person reading; 0 saturates the server). Prints requests per second, p50
and p95 latency per page kind and the error count (any status other than 2xx/3xx, a page without
what it should show, any exception; with --think, a page kind other than the PDFs whose p95 in the
server is over 100 ms), with ratios against the baseline. Exits 1 on any error. `--members 500`
is the realistic load of issue 23. Stops gunicorn and drops the database on exit, also on Ctrl+C.
Takes a few minutes with the defaults on a small machine, so it is not part of the test suite or
CI.
"""

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Config, TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.auth.models import User, UserRole  # noqa: E402
from wired4ex.auth.passwords import hash_password  # noqa: E402
from wired4ex.catalog.models import Course  # noqa: E402
from wired4ex.extensions import db  # noqa: E402

PASSWORD = "load-bench-member-password-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'type="hidden" name="csrf_token" value="([^"]+)"')  # fmt: skip
QUIZ_TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
KINDS: dict[str, str] = {}  # "METHOD /path?query" -> page kind, to read gunicorn's access log
# With members pausing between requests (--think), each page kind but the PDF answers within this
# at the 95th percentile in the server (issue 23).
P95_TARGET = 0.100
PDF_KINDS = {"statement PDF", "issue statement"}  # answered with a PDF
ACCESS_LOG_FORMAT = "%(m)s|%(U)s|%(q)s|%(s)s|%(D)s"  # D: the server's time in microseconds


class Stats:
    """Latencies per page kind and errors, shared by the member threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.latency.values())


class TimeUp(Exception):
    pass


class Member:
    """One simulated member: a thread with its own session (cookies), walking the journeys."""

    def __init__(self, base: str, email: str, catalogue: dict, think: float, timeout: float):
        self.base, self.email, self.catalogue = base, email, catalogue
        self.think, self.timeout = think, timeout
        self.stats, self.deadline = Stats(), float("inf")
        self.http = requests.Session()
        self.rng = random.Random(email)

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        if self.think:
            time.sleep(self.rng.expovariate(1 / self.think))
        if time.perf_counter() >= self.deadline:
            raise TimeUp
        KINDS[f"{method} {path}"] = kind
        started = time.perf_counter()
        response = self.http.request(
            method, self.base + path, allow_redirects=False, timeout=self.timeout, **kwargs
        )
        body = response.content  # read it all, as a browser would
        self.stats.add(kind, time.perf_counter() - started)
        if not 200 <= response.status_code < 400:
            raise AssertionError(f"{kind}: {method} {path} answered HTTP {response.status_code}")
        if kind == "statement PDF" and not body.startswith(b"%PDF"):
            raise AssertionError(f"{kind}: {path} is not a PDF")
        return response

    def get(self, kind: str, path: str) -> str:
        response = self.request(kind, "GET", path)
        if response.status_code != 200:
            raise AssertionError(f"{kind}: GET {path} answered HTTP {response.status_code}")
        return response.text

    def post(self, kind: str, path: str, page: str, data: dict) -> str:
        """POST a form with the CSRF token of the page that shows it; the redirect's target."""
        match = CSRF.search(page)
        if match is None:
            raise AssertionError(f"{kind}: no CSRF token on the page before POST {path}")
        response = self.request(
            kind, "POST", path, data={**data, "csrf_token": match[1] or match[2]}
        )
        if response.status_code not in (302, 303):
            raise AssertionError(f"{kind}: POST {path} answered HTTP {response.status_code}")
        location = urlsplit(response.headers["Location"])
        return location.path + (f"?{location.query}" if location.query else "")

    def run(self, stats: Stats, deadline: float, step) -> None:
        """Run one phase, recording into `stats` until `deadline`."""
        self.stats, self.deadline = stats, deadline
        try:
            step()
        except TimeUp:
            pass
        except Exception as error:  # any failure is an error of the run, with its reason
            self.stats.error(f"{self.email}: {type(error).__name__}: {error}")

    def log_in(self) -> None:
        page = self.get("login form", "/login")
        target = self.post("log in", "/login", page, {"email": self.email, "password": PASSWORD})
        if target != "/dashboard":
            raise AssertionError(f"log in: redirected to {target}, not to the dashboard")

    def use_the_site(self) -> None:
        """Take courses and look at one's records, in turn; half the members start with the
        records, so that every kind of page is asked for from the start."""
        parts = [self.take_a_course, self.look_at_records]
        if self.rng.random() < 0.5:
            parts.reverse()
        while True:
            for part in parts:
                part()

    def take_a_course(self) -> None:
        self.get("catalogue", "/")
        course_path = self.rng.choice(sorted(self.catalogue))
        page = self.get("course page", course_path)
        if f'action="{course_path}enrol"' in page:
            self.post("enrol", course_path + "enrol", page, {})
        for module_path in self.catalogue[course_path]:
            page = self.get("module page", module_path)
            answers = self.catalogue[course_path][module_path]
            token = QUIZ_TOKEN.search(page)
            if answers and token:
                target = self.post(
                    "quiz answers", module_path + "/quiz", page, {"token": token[1], **answers}
                )
                if 'id="quiz-results"' not in self.get("quiz result", target):
                    raise AssertionError(f"quiz result: no result on {target}")
            elif f'action="{module_path}/complete"' in page:
                self.post("mark done", module_path + "/complete", page, {})

    def look_at_records(self) -> None:
        self.get("dashboard", "/dashboard")
        page = self.get("My CPD", "/cpd/")
        # Issuing is a POST (the same figures reuse the statement); its file is then fetched.
        target = self.post("issue statement", "/cpd/statement.pdf", page, {})
        self.request("statement PDF", "GET", target)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def prepare(database_url: str, members: int, cheap: bool) -> tuple[list[str], dict]:
    """Member accounts, and the catalogue: course path -> module path -> right answers."""

    class Settings(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "load-bench-setup"
        if cheap:  # the test suite's argon2 cost; a hash carries its cost, the server follows it
            ARGON2_TIME_COST = TestingConfig.ARGON2_TIME_COST
            ARGON2_MEMORY_COST = TestingConfig.ARGON2_MEMORY_COST

    app = create_app(Settings)
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        confirmed = datetime.now(UTC)  # members who followed their confirmation link
        emails = [f"member{number:04d}@load.example" for number in range(members)]
        for number, email in enumerate(emails):
            db.session.add(
                User(email=email, full_name=f"Load Member {number:04d}", password_hash=password_hash,
                     membership_category="professional", country="KE",
                     membership_number=f"HSM-LOAD-{number:04d}", roles=[UserRole(name="member")],
                     email_confirmed_at=confirmed)
            )  # fmt: skip
        db.session.commit()
        catalogue = {}
        for course in db.session.scalars(sa.select(Course).where(Course.status == "published")):
            course_path = f"/courses/{course.institution.slug}/{course.slug}/"
            catalogue[course_path] = {
                course_path + module.key: {
                    question["id"]: [o["id"] for o in question["options"] if o["correct"]]
                    for question in module.current_version.quiz or []
                }
                for module in course.active_modules
                if module.current_version is not None
            }
        db.engine.dispose()
    return emails, catalogue


def hammer(base: str, path: str, clients: int, seconds: float, stats: Stats, timeout: float):
    """The baseline: `clients` threads fetching one static file for `seconds`."""
    deadline = time.perf_counter() + seconds
    KINDS[f"GET {path}"] = "baseline"

    def loop():
        http = requests.Session()
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = http.get(base + path, timeout=timeout)
                response.content  # noqa: B018 (read the whole body)
            except requests.RequestException as error:
                stats.error(f"baseline: {error}")
                continue
            stats.add("baseline", time.perf_counter() - started)
            if response.status_code != 200:
                stats.error(f"baseline: HTTP {response.status_code}")

    run_threads([loop] * clients)


def run_threads(targets) -> None:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Seconds the server spent on each request (without the wait in its queue), by kind."""
    times = defaultdict(list)
    for line in access_log.read_text().splitlines():
        method, path, query, _status, micros = line.rsplit("|", 4)[-5:]
        key = f"{method} {path}" + (f"?{query}" if query and query != "-" else "")
        if key in KINDS:
            times[KINDS[key]].append(int(micros) / 1e6)
    return times


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--backlog", "2048", "--timeout", "120", "--error-logfile",
         str(log), "--access-logfile", str(log.with_name("access.log")), "--access-logformat",
         ACCESS_LOG_FORMAT, "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/static/site.css", timeout=2).ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn and its workers: the group it leads
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase")
    parser.add_argument("--members", type=int, default=200, help="simulated members at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server; the bench creates and drops a database of its own there",
    )  # fmt: skip
    parser.add_argument(
        "--production-passwords",
        action="store_true",
        help="hash the members' passwords at the production argon2 cost, not the test suite's",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="client timeout, seconds")
    parser.add_argument(
        "--think",
        type=float,
        default=10.0,
        help="mean pause in seconds before each request (exponential; 0: none, a saturating run)",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="rate-limit storage")
    args = parser.parse_args()

    server_url = sa.engine.make_url(args.database_url)
    name = f"w4x_load_{uuid.uuid4().hex[:12]}"
    database_url = server_url.set(database=name).render_as_string(hide_password=False)
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    workdir = Path(tempfile.mkdtemp(prefix="w4x-load-"))
    server = None
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        port = free_port()
        env = {
            **os.environ, "WIRED4EX_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "0",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "TRUSTED_HOSTS": "127.0.0.1",
            "SIGNING_KEY_PATH": str(workdir / "signing-key.pem"),
            "RATELIMIT_STORAGE_URI": args.redis if redis_reachable(args.redis) else "memory://",
            "MAIL_OUTBOX": str(workdir / "outbox"), "EVIDENCE_DIR": str(workdir / "evidence"),
            "CONTENT_DIR": str(ROOT / "content"),
        }  # fmt: skip
        flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
        started = time.perf_counter()
        for command in (
            ["db", "upgrade"],
            ["content", "sync", str(ROOT / "content")],
            ["keys", "generate"],
        ):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        emails, catalogue = prepare(database_url, args.members, not args.production_passwords)
        modules = sum(len(course) for course in catalogue.values())
        print(f"database {name}: migrated, {len(catalogue)} courses and {modules} modules synced, "
              f"{len(emails)} members created in {time.perf_counter() - started:.1f} s")  # fmt: skip

        server = start_server(env, port, args.workers, workdir / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn: {args.workers} sync workers on {base}, rate limits in "
              f"{env['RATELIMIT_STORAGE_URI']}; {args.members} clients (threads) on the same "
              f"machine")  # fmt: skip

        baseline = Stats()
        started = time.perf_counter()
        hammer(
            base, "/static/site.css", args.members, args.baseline_seconds, baseline, args.timeout
        )
        base_rps = baseline.requests / (time.perf_counter() - started)

        members = [Member(base, email, catalogue, args.think, args.timeout) for email in emails]
        logins = Stats()
        started = time.perf_counter()
        run_threads(partial(m.run, logins, float("inf"), m.log_in) for m in members)
        login_seconds = time.perf_counter() - started

        stats = Stats()
        started = time.perf_counter()
        deadline = started + args.seconds
        run_threads(partial(m.run, stats, deadline, m.use_the_site) for m in members)
        elapsed = time.perf_counter() - started
    finally:
        stop_server(server)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        log = (workdir / "gunicorn.log").read_text() if (workdir / "gunicorn.log").exists() else ""
        access_log = workdir / "access.log"
        served = server_times(access_log) if access_log.exists() else {}
        shutil.rmtree(workdir, ignore_errors=True)

    base_row = Row(baseline.latency["baseline"], served.get("baseline", []))
    print("\nlatency in ms: at the client (with the wait in the server's queue) | in the server")
    print(f"{'page kind':26} {'requests':>8} {'p50':>7} {'p95':>7} {'x base':>6} |"
          f" {'p50':>7} {'p95':>7} {'x base':>6}")  # fmt: skip
    base_row.show("baseline: static file", base_row)
    Row(logins.latency["login form"], served.get("login form", [])).show("login form", base_row)
    cost = "production cost" if args.production_passwords else "test cost"
    Row(logins.latency["log in"], served.get("log in", [])).show(f"log in ({cost})", base_row)
    for kind, times in stats.latency.items():
        Row(times, served.get(kind, [])).show(kind, base_row)
    every = Row(
        [t for times in stats.latency.values() for t in times],
        [t for kind in stats.latency for t in served.get(kind, [])],
    )
    every.show("all pages (phase 3)", base_row)
    rps = stats.requests / elapsed
    print(f"\nbaseline (static file): {base_rps:7.1f} requests/s")
    print(f"{len(members)} members logging in at once: {len(members) / login_seconds:.1f} logins/s "
          f"(all in {login_seconds:.1f} s)")  # fmt: skip
    print(f"members using the site: {rps:7.1f} requests/s ({rps / base_rps:.2f} x baseline) "
          f"over {elapsed:.0f} s; {len(stats.latency['quiz answers'])} knowledge checks answered, "
          f"{len(stats.latency['mark done'])} modules marked done, "
          f"{len(stats.latency['statement PDF'])} statements downloaded")  # fmt: skip
    errors = baseline.errors + logins.errors + stats.errors
    if args.think:  # members who read between requests: the server must keep up
        for kind in stats.latency:
            times = served.get(kind, [])
            if kind not in PDF_KINDS and times and percentile(times, 0.95) > P95_TARGET:
                errors.append(f"{kind}: server p95 {percentile(times, 0.95) * 1000:.0f} ms "
                              f"(target {P95_TARGET * 1000:.0f} ms)")  # fmt: skip
    print(f"errors: {len(errors)}")
    for message in errors[:20]:
        print("  " + message)
    if errors:
        if "Traceback" in log:
            print(log[-3000:])
        raise SystemExit(1)


class Row:
    """p50 and p95 of one page kind, at the client and in the server."""

    def __init__(self, client: list[float], server: list[float]):
        self.count = len(client)
        self.client = (statistics.median(client), percentile(client, 0.95)) if client else None
        self.server = (statistics.median(server), percentile(server, 0.95)) if server else None

    def show(self, label: str, base: "Row") -> None:
        cells = []
        for mine, theirs in ((self.client, base.client), (self.server, base.server)):
            if mine is None or theirs is None:
                cells.append(f"{'-':>7} {'-':>7} {'-':>6}")
            else:
                cells.append(
                    f"{mine[0] * 1000:7.0f} {mine[1] * 1000:7.0f} {mine[0] / theirs[0]:6.1f}"
                )
        print(f"{label:26} {self.count:8d} {cells[0]} | {cells[1]}")


if __name__ == "__main__":
    main()
