"""Throughput of the member pages (run as bench/http.py) through gunicorn on PostgreSQL, against a static file.

    .venv/bin/python bench/http.py [--seconds 10] [--connections 8] [--workers 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Creates a PostgreSQL database of its own on the server of --database-url, builds it as a
deployment does (`flask db upgrade`, `flask content sync`, `flask demo seed`), and starts gunicorn
with the production configuration (WIRED4EX_CONFIG=production, sync workers, Redis for the rate
limits when it answers) on a free loopback port. It logs in as the demo member, then measures
each page with `wrk` (installed with apt-get when missing: scripts/system-packages.sh) for
--seconds with --connections connections carrying the member's session cookie: the static file
/static/site.css first and last (the baseline is their mean), and between them the module page,
the catalogue, the course page, the dashboard, My CPD and the certification page. Prints each
page's requests per second and its ratio to the baseline, and exits 1 when a page misses its
target (module page 0.2, catalogue, course page, dashboard and My CPD 0.25) or answers anything
but 200. Stops gunicorn and drops the database on exit.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import free_port, redis_reachable, start_server, stop_server  # noqa: E402
from wired4ex import demo  # noqa: E402

MEMBER = next(account for account in demo.DEMO_ACCOUNTS if account.roles == ("member",))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
MODULE = "/courses/lake-region-university/health-financing/facility-improvement-fund"
PAGES = [  # (label, path, target ratio to the static file)
    ("module page", MODULE, 0.2),
    ("catalogue", "/", 0.25),
    ("course page", "/courses/lake-region-university/health-financing/", 0.25),
    ("dashboard", "/dashboard", 0.25),
    ("My CPD", "/cpd/", 0.25),
    ("certification page", "/certification/", None),
]
REQUESTS = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)\b")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing it with apt-get")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def log_in(base: str) -> str:
    """The demo member's session cookie, through the login form."""
    http = requests.Session()
    token = CSRF.search(http.get(base + "/login").text).group(1)
    data = {"email": MEMBER.email, "password": MEMBER.password, "csrf_token": token}
    answer = http.post(base + "/login", data=data, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"demo member login failed: HTTP {answer.status_code}")
    for path in [path for _label, path, _target in PAGES]:
        page = http.get(base + path, allow_redirects=False)
        if page.status_code != 200:
            raise SystemExit(f"{path}: HTTP {page.status_code} before the run")
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


def measure(wrk: str, url: str, cookie: str, seconds: float, connections: int) -> tuple:
    """(requests per second, mean latency in ms, non-2xx answers) of one wrk run."""
    command = [wrk, f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:g}s",
               "--latency", "-H", f"Cookie: {cookie}", url]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(REQUESTS.search(output).group(1))
    bad = int(NON_2XX.search(output).group(1)) if NON_2XX.search(output) else 0
    value, unit = LATENCY.search(output).groups()
    latency = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return rps, latency, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server; the bench creates and drops a database of its own there",
    )  # fmt: skip
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="rate-limit storage")
    args = parser.parse_args()
    wrk = ensure_wrk()

    server_url = sa.engine.make_url(args.database_url)
    name = f"w4x_http_{uuid.uuid4().hex[:12]}"
    database_url = server_url.set(database=name).render_as_string(hide_password=False)
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    workdir = Path(tempfile.mkdtemp(prefix="w4x-http-"))
    server = None
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ, "WIRED4EX_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": "0",
            "PUBLIC_BASE_URL": base, "TRUSTED_HOSTS": "127.0.0.1",
            "RATELIMIT_STORAGE_URI": args.redis if redis_reachable(args.redis) else "memory://",
            "WEB_CONCURRENCY": str(args.workers),
            "MAIL_OUTBOX": str(workdir / "outbox"), "EVIDENCE_DIR": str(workdir / "evidence"),
            "SIGNING_KEY_PATH": str(workdir / "signing-key.pem"),
            "CONTENT_DIR": str(ROOT / "content"),
        }  # fmt: skip
        if env["RATELIMIT_STORAGE_URI"] == "memory://":
            env["WEB_CONCURRENCY"] = "1"  # a single worker's counters; the check allows it
        flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
        for command in (
            ["db", "upgrade"],
            ["content", "sync", str(ROOT / "content")],
            ["keys", "generate"],
            ["demo", "seed"],
        ):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        server = start_server(env, port, args.workers, workdir / "gunicorn.log")
        cookie = log_in(base)
        print(
            f"gunicorn: {args.workers} sync workers, production settings, PostgreSQL database "
            f"{name}; wrk: {args.connections} connections, {args.seconds:g} s per page, the demo "
            f"member ({MEMBER.email}) signed in"
        )
        static = f"{base}/static/site.css"
        first = measure(wrk, static, cookie, args.seconds, args.connections)
        rows = [(label, path, target, measure(wrk, base + path, cookie, args.seconds,
                                              args.connections)) for label, path, target in PAGES]  # fmt: skip
        last = measure(wrk, static, cookie, args.seconds, args.connections)
        baseline = (first[0] + last[0]) / 2
        print(f"{'page':20} {'req/s':>8} {'x static':>9} {'target':>7} {'mean ms':>8}")
        print(f"{'static /static/site.css':20} {baseline:8.1f} {1:9.2f} {'':>7} "
              f"{(first[1] + last[1]) / 2:8.2f}   (first {first[0]:.0f}, last {last[0]:.0f})")  # fmt: skip
        missed = []
        for label, _path, target, (rps, latency, bad) in rows:
            ratio = rps / baseline
            shown = f"{target:.2f}" if target else "-"
            print(f"{label:20} {rps:8.1f} {ratio:9.2f} {shown:>7} {latency:8.2f}")
            if bad:
                missed.append(f"{label}: {bad} answers other than 2xx/3xx")
            if target and ratio < target:
                missed.append(f"{label}: {ratio:.2f} x the static file (target {target})")
        if missed:
            print("TARGETS MISSED:\n  " + "\n  ".join(missed))
            raise SystemExit(1)
        print("targets met")
    finally:
        stop_server(server)
        admin_dispose = admin
        with admin_dispose.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_dispose.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
