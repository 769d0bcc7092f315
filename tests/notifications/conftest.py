"""Delivery tests: a real SMTP server (aiosmtpd) on a free loopback port and the real huey
consumer (its scheduler and worker threads) against SqliteHuey or Redis, each test with a queue of
its own (a file in its temporary folder, or a Redis queue name of its own)."""

import socket
import threading
import time
import uuid
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from tests.auth.test_throttling_redis import REDIS_URL, redis_available
from tests.authoring.conftest import admin, faculty, institution  # noqa: F401  (fixtures)
from tests.conftest import FreshContextClient, ReadMail
from tests.cpd.conftest import make_claim, policy  # noqa: F401  (fixtures for these tests)
from tests.membership.conftest import applicant, apply  # noqa: F401  (fixtures)
from wired4ex import create_app
from wired4ex.jobs import huey


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """aiosmtpd handler: keeps every mail it accepts."""

    def __init__(self):
        self.mails = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, _class=ReadMail, policy=email_policy.default)
        with self.lock:
            self.mails.append((tuple(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that a test stops and starts again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collector()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def mails(self):
        with self.handler.lock:
            return list(self.handler.mails)

    def wait_for(self, count: int, timeout: float = 60) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.mails) < count:
            time.sleep(0.1)
        return self.mails


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


QUEUES = ["sqlite", pytest.param("redis", marks=pytest.mark.skipif(
    not redis_available(), reason=f"no Redis server at {REDIS_URL}"))]  # fmt: skip


@pytest.fixture(params=QUEUES)
def queue_kind(request):
    return request.param


@pytest.fixture
def delivery_app(app, config_class, smtp, queue_kind, tmp_path):
    """The app with a real SMTP server and a real queue (no immediate mode); retries after 1 to
    3 seconds instead of minutes."""
    name = f"w4x-test-{uuid.uuid4().hex}"

    class DeliveryConfig(config_class):
        JOBS_IMMEDIATE = False
        JOBS_QUEUE_NAME = name
        JOBS_URL = REDIS_URL if queue_kind == "redis" else ""
        JOBS_SQLITE_PATH = str(tmp_path / "jobs.sqlite")
        MAIL_SERVER = "127.0.0.1"
        MAIL_PORT = smtp.port
        MAIL_USE_TLS = False
        MAIL_RETRY_DELAYS = [1, 2, 3, 3, 3]

    delivery = create_app(DeliveryConfig)
    delivery.test_client_class = FreshContextClient
    with delivery.app_context():
        yield delivery
        huey.flush()  # the Redis queue's keys go with the test
        huey.storage.close()


class RunningConsumer:
    """huey's consumer (scheduler and worker threads) running in this process."""

    def __init__(self, workers: int = 2):
        self.consumer = huey.create_consumer(
            workers=workers, worker_type="thread", periodic=False, scheduler_interval=1,
            initial_delay=0.05, max_delay=0.5,
        )  # fmt: skip

    def __enter__(self):
        # Consumer.start() without its signal handlers (those belong to the main program).
        self.consumer.scheduler.start()
        for _, worker in self.consumer.worker_threads:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.consumer.stop(graceful=True)


@pytest.fixture
def consumer(delivery_app):
    with RunningConsumer() as running:
        yield running
