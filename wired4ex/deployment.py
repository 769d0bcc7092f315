"""Start-up checks for settings that only go wrong with several worker processes."""

import os

SHARED_STORAGE_HINT = (
    "point RATELIMIT_STORAGE_URI at Redis (redis://host:6379/0) so every worker counts the "
    "same attempts"
)


def configured_workers(environ=os.environ) -> int:
    """The number of worker processes the deployment says it runs: WEB_CONCURRENCY (gunicorn's
    default for --workers) or WIRED4EX_WORKERS; 1 when neither is set."""
    for name in ("WIRED4EX_WORKERS", "WEB_CONCURRENCY"):
        value = (environ.get(name) or "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def rate_limit_storage_problem(storage_uri: str | None, workers: int) -> str | None:
    """Why the rate-limit storage cannot work for this many workers, or None.

    memory:// keeps counters inside each process: with N workers a limit of 5 becomes 5 x N,
    and a restart forgets them all."""
    if (storage_uri or "memory://").startswith("memory://") and workers > 1:
        return (
            f"Wired4EX: RATELIMIT_STORAGE_URI is memory:// but {workers} workers are configured: "
            f"each would count on its own (login, registration, verify and API limits x "
            f"{workers}); {SHARED_STORAGE_HINT}."
        )
    return None
