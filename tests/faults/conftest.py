"""Fault tests: a throwaway PostgreSQL cluster of this package's own, gunicorn with several workers
as a real subprocess, and a small content tree to learn from.

The cluster is initialised in a temporary folder and run as the `postgres` OS user (initdb refuses
root) on a free loopback port, so it can be stopped and started without touching any shared
server. Every process and folder made here is removed in `finally` blocks, also when a test fails.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.pool import NullPool

from config import TestingConfig
from tests.cpd.conftest import policy  # noqa: F401  (the real CPD policy, synced)
from wired4ex import create_app
from wired4ex.auth.services import NewAccount, create_user
from wired4ex.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
INSTITUTION, COURSE = "fault-institute", "resilient-services"
PLAIN_MODULES = ["keeping-records", "handing-over", "stock-counts"]
QUIZ_MODULES = ["checking-data"]


# -- small helpers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll until condition() is truthy; return its value, or fail the test after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def live_children(pid: int) -> set[int]:
    """Pids of the running (not zombie) child processes of pid, read from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_of(page: str) -> str:
    match = CSRF.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


# -- the throwaway PostgreSQL cluster -------------------------------------------------------------


def postgres_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int
    log: Path = field(init=False)

    def __post_init__(self):
        self.log = self.folder / "server.log"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run("initdb", "--no-sync", "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=60"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def engine(self, database: str = "postgres") -> sa.Engine:
        """An engine without a pool, so it survives server restarts."""
        return sa.create_engine(
            self.url(database), poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )


def memory_folder() -> str | None:
    """/dev/shm when it has room for a cluster (much faster than a busy disk), else the default."""
    try:
        return "/dev/shm" if shutil.disk_usage("/dev/shm").free > 1 << 30 else None
    except OSError:
        return None


@pytest.fixture(scope="package")
def pg_cluster():
    """A PostgreSQL cluster of this package's own, started; stopped and deleted afterwards."""
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is needed to run initdb as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="w4x-faults-pg-", dir=memory_folder()))
    cluster = Cluster(binaries, folder, free_port())
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, user="postgres", group="postgres")
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        for mode in ("fast", "immediate"):  # fast cleans up its shared memory too
            try:
                cluster.stop(mode)
                break
            except Exception:  # not running (never started, or left stopped), or stuck
                continue
        shutil.rmtree(folder, ignore_errors=True)


# -- content and databases ------------------------------------------------------------------------

MODULE = """---
title: "{title}"
id: {key}
minutes: 10
cpd_points: {points}
{reading}cpd_category: structured
competencies:
  - LG1
objectives:
  - "keep services running when something breaks"
---

## {title}

A short module used by the fault tests. Managers keep records, hand over between shifts and count
stock so that the service keeps going when something fails.
{quiz}"""

CERTIFICATIONS = f"""programmes:
  - code: RHS
    name: Certificate in Resilient Health Services
    level: 1
    description: A programme used by the fault tests.
    validity_months: 36
    rules:
      membership_categories: [professional]
      required_courses:
        - {INSTITUTION}/{COURSE}
      cpd_points: {{minimum: 5, window_months: 24}}
"""

QUIZ = """
```quiz
? Which of these keeps a service going when something fails?
- [x] A written handover that the next shift reads
- [ ] Remembering everything without notes
> Written handovers survive a change of shift; memory does not.
```
"""


def write_content(root: Path) -> Path:
    """A content tree with the real policy files and one course of six modules (two with a
    knowledge check)."""
    (root / "policy").mkdir(parents=True)
    for name in ("cpd.yml", "competencies.yml", "membership.yml"):  # certifications name courses
        shutil.copy(ROOT / "content" / "policy" / name, root / "policy" / name)
    (root / "policy" / "certifications.yml").write_text(CERTIFICATIONS)
    institution = root / "institutions" / INSTITUTION
    course = institution / COURSE
    course.mkdir(parents=True)
    (institution / "institution.yml").write_text(
        'name: "Fault Tolerance Institute"\nshort_name: "FTI"\ncountry: "Kenya"\n'
        'website: "https://fti.example"\ndescription: "A training body used by the fault tests."\n'
    )
    (course / "course.md").write_text(
        '---\ntitle: "Resilient Health Services"\nsummary: "Keeping services running when '
        'something breaks."\nlanguage: en\ncompetencies:\n  - LG1\nprerequisites: []\n'
        'status: published\nversion: "1.0"\n---\n\nA course used by the fault tests.\n'
    )
    for number, key in enumerate(PLAIN_MODULES + QUIZ_MODULES, start=1):
        text = MODULE.format(
            title=key.replace("-", " ").capitalize(),
            key=key,
            points="1.5" if number % 2 else "2",
            quiz=QUIZ if key in QUIZ_MODULES else "",
            # The journeys mark modules done at once; reading time is tested in tests/learning.
            reading="" if key in QUIZ_MODULES else "min_read_minutes: 0\n",
        )
        (course / f"{number:02d}-{key}.md").write_text(text)
    return root


@pytest.fixture(scope="package")
def fault_content(tmp_path_factory) -> Path:
    return write_content(tmp_path_factory.mktemp("fault-content"))


def config_for(url: str, content: Path, folder: Path) -> type[TestingConfig]:
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        CONTENT_DIR = str(content)
        MAIL_OUTBOX = str(folder / "outbox")
        EVIDENCE_DIR = str(folder / "evidence")

    return Config


@pytest.fixture(scope="package")
def template_database(pg_cluster, fault_content, tmp_path_factory) -> str:
    """A database built by the migrations with the fault content synced; tests copy it."""
    from wired4ex.catalog.content import load_content
    from wired4ex.catalog.sync import sync_content

    name = "w4x_faults_template"
    admin = pg_cluster.engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    app = create_app(
        config_for(pg_cluster.url(name), fault_content, tmp_path_factory.mktemp("template"))
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        tree = load_content(fault_content)
        assert tree.problems == []
        sync_content(tree)
        db.session.remove()
        db.engine.dispose()
    return name


@pytest.fixture
def fault_database(pg_cluster, template_database) -> str:
    """A fresh copy of the template database for one test; its name."""
    name = f"w4x_faults_{uuid.uuid4().hex[:10]}"
    admin = pg_cluster.engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    try:
        yield name
    finally:
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except sa.exc.OperationalError:  # the cluster is down after a failed test; it goes too
            pass


@pytest.fixture
def setup_app(pg_cluster, fault_database, fault_content, tmp_path):
    """An app in this process on the test's database, to prepare rows before the server runs."""
    app = create_app(config_for(pg_cluster.url(fault_database), fault_content, tmp_path))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def create_member(email: str, roles=("member",)):
    account = NewAccount(email=email, full_name=email.split("@")[0].title(), password=PASSWORD,
                         membership_category="professional", country="KE")  # fmt: skip
    return create_user(account, roles=roles)


# -- gunicorn -------------------------------------------------------------------------------------

GUNICORN_HOOKS = """
import os


def post_fork(server, worker):
    # Each worker names its database connections after its pid (libpq reads PGAPPNAME), so a
    # test can see in pg_stat_activity which worker is doing what.
    os.environ["PGAPPNAME"] = f"w4x-worker-{os.getpid()}"
"""


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: Path
    workers: int

    @property
    def master(self) -> int:
        return self.process.pid

    def worker_pids(self) -> set[int]:
        return live_children(self.master)

    def wait_for_workers(self, timeout: float = 20, exclude: set[int] = frozenset()) -> set[int]:
        def ready():
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log_text()}"
            pids = self.worker_pids()
            return pids if len(pids) == self.workers and not pids & exclude else None

        return wait_for(ready, timeout, message=f"{self.workers} gunicorn workers")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def gunicorn(pg_cluster, fault_content, tmp_path):
    """Start gunicorn (production config, 3 sync workers) on the given database; stopped after.

    --preload imports the app once in the master, so workers (and their replacements) start in
    milliseconds instead of each importing it; nothing tested here depends on it (no database
    connection is made before the fork)."""
    started: list[tuple[Server, set[int]]] = []

    def start(database: str, workers: int = 3) -> Server:
        port = free_port()
        hooks = tmp_path / "gunicorn_hooks.py"
        hooks.write_text(GUNICORN_HOOKS)
        log = tmp_path / "gunicorn.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("WIRED4EX", "PG"))},
            "WIRED4EX_CONFIG": "production",
            "SECRET_KEY": "fault-tests-" + uuid.uuid4().hex,
            "DATABASE_URL": pg_cluster.url(database),
            "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "CONTENT_DIR": str(fault_content),
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                   "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--config",
                   str(hooks), "--timeout", "60", "--graceful-timeout", "3", "--no-control-socket", "--preload",
                   "--error-logfile", "-", "wsgi:app"]  # fmt: skip
        with open(log, "ab") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        server = Server(process, f"http://127.0.0.1:{port}", log, workers)
        seen: set[int] = set()
        started.append((server, seen))

        def answers():
            assert process.poll() is None, f"gunicorn exited:\n{server.log_text()}"
            seen.update(server.worker_pids())
            try:
                return requests.get(server.base_url + "/login", timeout=30).status_code == 200
            except requests.RequestException:
                return False

        wait_for(answers, 60, interval=0.1, message="gunicorn to answer")
        seen.update(server.wait_for_workers(60))
        return server

    try:
        yield start
    finally:
        for server, seen in started:
            seen.update(server.worker_pids())
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGINT)  # quick shutdown
                try:
                    server.process.wait(1)
                except subprocess.TimeoutExpired:  # workers are slow to exit under load
                    server.process.kill()
                    server.process.wait(5)
            for pid in seen:  # workers left behind by a master that had to be killed
                if is_running(pid):
                    os.kill(pid, signal.SIGKILL)


class Browser:
    """A signed-in person: a requests session that fills in forms with the page's tokens."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.session.post(self.base_url + path, data=data, timeout=30, **kwargs)

    def login(self, email: str) -> None:
        page = self.get("/login")
        response = self.post(
            "/login", {"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        )
        assert response.status_code in (302, 303), response.text[:500]


def points(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))
