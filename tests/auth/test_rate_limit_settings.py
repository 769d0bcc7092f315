"""Rate-limit settings: API_RATE_LIMIT read from the environment; production refuses per-process
counters with several workers; VERIFY_RATE_LIMIT holds across two gunicorn workers with Redis."""

import importlib
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

import config
from tests.auth.test_throttling_redis import REDIS_URL, redis_available
from wired4ex import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reloaded_config(monkeypatch):
    """The config module read again under the environment a test sets; restored after."""

    def read(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(config)

    yield read
    monkeypatch.undo()
    importlib.reload(config)


def test_api_rate_limit_is_read_from_the_environment(config_class, app, reloaded_config):
    fresh = reloaded_config(API_RATE_LIMIT="2 per minute")
    assert fresh.Config.API_RATE_LIMIT == "2 per minute"

    class Testing(fresh.TestingConfig):
        SQLALCHEMY_DATABASE_URI = config_class.SQLALCHEMY_DATABASE_URI

    client = create_app(Testing).test_client()
    statuses = [client.get("/api/v1/catalog/courses").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def _production(config_class, **settings):
    class Production(config.ProductionConfig):
        SECRET_KEY = "a-real-secret"
        PUBLIC_BASE_URL = "https://cpd.hesma.example"
        SQLALCHEMY_DATABASE_URI = config_class.SQLALCHEMY_DATABASE_URI
        MAIL_OUTBOX = config_class.MAIL_OUTBOX
        EVIDENCE_DIR = config_class.EVIDENCE_DIR

    for name, value in settings.items():
        setattr(Production, name, value)
    return Production


def test_production_refuses_memory_storage_with_several_workers(config_class, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(SystemExit, match="memory:// but 4 workers"):
        create_app(_production(config_class, RATELIMIT_STORAGE_URI="memory://"))
    create_app(_production(config_class, RATELIMIT_STORAGE_URI=REDIS_URL))  # starts


def test_production_warns_about_memory_storage_with_one_worker(config_class, caplog, monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WIRED4EX_WORKERS", raising=False)
    with caplog.at_level(logging.WARNING, logger="wired4ex"):
        create_app(_production(config_class, RATELIMIT_STORAGE_URI="memory://"))
    assert "rate limits are counted per worker process" in caplog.text


# -- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_env(config_class, port: int, **extra) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WIRED4EX", "WEB_CONC"))},
        "WIRED4EX_CONFIG": "production",
        "SECRET_KEY": "rate-limit-tests-" + uuid.uuid4().hex,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": config_class.SQLALCHEMY_DATABASE_URI,
        "SESSION_COOKIE_SECURE": "0",
        "MAIL_OUTBOX": config_class.MAIL_OUTBOX,
        "EVIDENCE_DIR": config_class.EVIDENCE_DIR,
        **extra,
    }


def test_gunicorn_refuses_two_workers_on_memory_storage(config_class, app, tmp_path):
    port = free_port()
    env = gunicorn_env(config_class, port, RATELIMIT_STORAGE_URI="memory://")
    finished = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert finished.returncode != 0
    assert "memory:// but 2 workers" in finished.stdout + finished.stderr


@pytest.mark.skipif(not redis_available(), reason=f"no Redis server at {REDIS_URL}")
def test_verify_limit_holds_across_two_gunicorn_workers(config_class, app, tmp_path):
    port = free_port()
    prefix = f"w4x-test-{uuid.uuid4().hex}"
    access_log = tmp_path / "access.log"
    env = gunicorn_env(
        config_class, port, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
        VERIFY_RATE_LIMIT="6 per minute",
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log),
         "--access-logformat", "%(p)s %(s)s %(U)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "gunicorn exited"
            try:
                if requests.get(base + "/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.2)

        def verify(_n):
            # a new connection each time, so either worker may take it
            return requests.get(base + "/verify/ABCD-EFGH-JKLM", timeout=10).status_code

        def served_by() -> list[list[str]]:
            lines = [line.split() for line in access_log.read_text().splitlines()]
            return [line for line in lines if line[2].startswith("/verify/")]

        # Batches of parallel requests until both workers have answered some (on a loaded
        # machine one worker may take the first dozen alone), at most 96 requests.
        statuses: list[int] = []
        with ThreadPoolExecutor(max_workers=4) as pool:
            while len(statuses) < 96:
                statuses += list(pool.map(verify, range(12)))
                time.sleep(0.3)  # the access log is written after each answer
                if len({pid for pid, _status, _path in served_by()}) == 2:
                    break
        verify_lines = served_by()
        workers = {pid for pid, _status, _path in verify_lines}
        assert len(workers) == 2, f"only one worker answered: {verify_lines}"
        assert statuses.count(404) == 6  # the unknown code, while the limit allows
        # with per-worker counters, each worker would let 6 through (12 in all)
        assert statuses.count(429) == len(statuses) - 6
        per_worker_429 = {pid for pid, status, _path in verify_lines if status == "429"}
        assert per_worker_429, "no refusal logged"
        server = redis.Redis.from_url(REDIS_URL)
        assert list(server.scan_iter(f"*{prefix}*"))
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
    finally:
        process.terminate()
        process.wait(timeout=30)
