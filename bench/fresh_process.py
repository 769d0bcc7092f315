"""A `flask` command measured in a fresh process, so the peak memory printed is the command's own.

The benchmark script runs itself again as a child (`in_fresh_process`, with the arguments that
tell it to measure); the child runs the command (`run_command`) and prints its figures as JSON on
its last line, which the parent reads back.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from wired4ex.extensions import db


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited through the
    fork and exec that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_command(app, args: list[str]) -> dict:
    """Run `flask <args>` in the app context the caller holds: the wall and CPU seconds, the SQL
    statements it ran, the peak memory after it and how much it grew during it, and its output.
    Exits with the output when the command fails."""
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    rss_before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = app.test_cli_runner().invoke(args=args)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss_after = peak_rss_mb()
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return {"seconds": seconds, "cpu": cpu, "statements": len(statements), "rss_mb": rss_after,
            "rss_run_mb": rss_after - rss_before, "output": result.output}  # fmt: skip


def in_fresh_process(script: str, *args: str) -> dict:
    """Run `python script args...` and return the JSON its last line prints; exit with the
    child's output when it fails."""
    child = subprocess.run(
        [sys.executable, script, *args],
        capture_output=True, text=True, check=False, env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    if child.returncode != 0:
        raise SystemExit(child.stdout + child.stderr)
    return json.loads(child.stdout.strip().splitlines()[-1])
