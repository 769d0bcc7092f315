"""gunicorn reads this file when started from the project folder without --config.

It refuses to start production with several workers on per-process rate limits (memory://),
whatever way the worker count was given (--workers, WEB_CONCURRENCY, this file)."""

import os

from wired4ex.deployment import rate_limit_storage_problem


def on_starting(server):
    if os.environ.get("WIRED4EX_CONFIG") != "production":
        return
    problem = rate_limit_storage_problem(
        os.environ.get("RATELIMIT_STORAGE_URI"), server.cfg.workers
    )
    if problem:
        server.log.error(problem)
        raise SystemExit(problem)
