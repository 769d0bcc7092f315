"""Login throttling shared by every worker through Redis (RATELIMIT_STORAGE_URI)."""

import os
import uuid

import pytest
import redis

from tests.conftest import FreshContextClient, submit
from wired4ex import create_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_available(), reason=f"no Redis server at {REDIS_URL}")
def test_two_workers_share_the_login_throttle(config_class, app, make_user):
    make_user(email="amina@example.org")
    prefix = f"w4x-test-{uuid.uuid4().hex}"

    class RedisConfig(config_class):
        RATELIMIT_STORAGE_URI = REDIS_URL
        RATELIMIT_KEY_PREFIX = prefix

    workers = [create_app(RedisConfig), create_app(RedisConfig)]
    clients = []
    for worker in workers:
        worker.test_client_class = FreshContextClient
        clients.append(worker.test_client())
    wrong = {"email": "amina@example.org", "password": "not-the-password"}
    for attempt in range(5):
        response = submit(clients[attempt % 2], "/login", wrong)
        assert response.status_code == 200
    assert submit(clients[0], "/login", wrong).status_code == 429
    assert submit(clients[1], "/login", wrong).status_code == 429
    server = redis.Redis.from_url(REDIS_URL)
    assert list(server.scan_iter(f"*{prefix}*"))
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
