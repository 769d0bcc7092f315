"""The queue for `huey_consumer wired4ex.huey_app.huey`: builds the app from the environment
(WIRED4EX_CONFIG, DATABASE_URL, JOBS_URL, ...) and registers every task."""

from wired4ex import create_app
from wired4ex.jobs import huey

app = create_app()

__all__ = ["app", "huey"]
