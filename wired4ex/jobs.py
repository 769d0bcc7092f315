"""The job queue (huey): one queue object for the web app, `flask jobs worker` and huey_consumer.

The queue's storage follows the app's configuration: a SQLite file in the instance folder by
default (`SqliteHuey`), Redis when `JOBS_URL=redis://...` (`RedisHuey`, any number of consumers on
any number of machines), huey's immediate mode when `JOBS_IMMEDIATE` is on (tests about content).
Every task runs inside an application context: the consumer's own app, built by create_app() from
the environment, or the app that configured the queue in this process.
"""

import contextlib
import functools
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

# In memory until init_app() points it at the app's storage (create_app() does).
huey = Huey("wired4ex", results=False, utc=True, storage_class=MemoryStorage)

_app: dict[str, Flask] = {}


def storage_settings(config) -> tuple[type, dict, str]:
    """(storage class, its arguments, queue name) for an app's configuration."""
    name = config.get("JOBS_QUEUE_NAME") or "wired4ex"
    url = config.get("JOBS_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}, name
    filename = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    return SqliteStorage, {"filename": filename or config["JOBS_SQLITE_PATH"]}, name


def init_app(app: Flask) -> None:
    """Point the queue at this app's storage; tasks run in this app's context."""
    if not app.config.get("JOBS_SQLITE_PATH"):
        app.config["JOBS_SQLITE_PATH"] = str(Path(app.instance_path) / "jobs.sqlite")
    storage_class, kwargs, name = storage_settings(app.config)
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    with contextlib.suppress(Exception):  # a storage that never connected has nothing to close
        huey.storage.close()
    huey.name, huey.storage_class, huey.storage_kwargs = name, storage_class, kwargs
    huey._immediate = immediate
    huey.storage = huey.create_storage()
    _app["app"] = app


def queue_app() -> Flask:
    """The app tasks run in: the one that configured the queue, or one built from the
    environment (huey_consumer imports this module without an app)."""
    if "app" not in _app:
        from wired4ex import create_app

        create_app()  # init_app() registers it
    return _app["app"]


def in_app_context(func):
    """Run a task inside an application context of its own, with its own database session (in
    immediate mode too, where it runs inside the request that queued it)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        # In immediate mode the job runs in the app that queued it (its own configuration).
        app = current_app._get_current_object() if has_app_context() else queue_app()
        with app.app_context():
            return func(*args, **kwargs)

    return wrapper


def consumer(workers: int = 2, periodic: bool = True):
    """A huey consumer of this app's queue, with worker threads."""
    if huey.immediate:
        raise RuntimeError("JOBS_IMMEDIATE is on: no queue.")  # untranslated: CLI
    return huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                check_worker_health=True)  # fmt: skip


def describe(app: Flask | None = None) -> str:
    """Where the queue is, for people (passwords left out)."""
    config = (app or current_app).config
    storage_class, kwargs, name = storage_settings(config)
    if storage_class is RedisStorage:
        parts = urlsplit(kwargs["url"])
        return f"Redis {parts.hostname or 'localhost'}:{parts.port or 6379} queue {name!r}"
    return f"SQLite {kwargs['filename']} queue {name!r}"
