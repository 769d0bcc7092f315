"""SIGKILL gunicorn workers in the middle of a burst of module completions and claim approvals.

Members complete modules (marking done, passing knowledge checks) and two admins approve submitted
claims, all at once through real sessions against gunicorn with three sync workers. Twice during
the burst a worker is killed:

1. deterministically half-way through a transaction: the test locks the ledger table, waits until
   workers are blocked on their ledger INSERT (their completion row or claim decision already
   written, uncommitted), and kills them;
2. at a random moment, preferring a worker that is inside a transaction.

Requests cut off by a kill are retried with the same form (same tokens), as a browser would.
Afterwards gunicorn has replaced the workers, and the database holds exactly one completion and one
ledger entry per module, one ledger entry per approved claim, and nothing half-written or doubled.
"""

import os
import random
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

from tests.faults.conftest import (
    COURSE,
    INSTITUTION,
    PLAIN_MODULES,
    QUIZ_MODULES,
    Browser,
    create_member,
    csrf_of,
    points,
    wait_for,
)
from wired4ex.catalog.models import Course, Module
from wired4ex.cpd.models import Claim
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning import services as learning

MEMBERS = 5
CLAIMS_PER_MEMBER = 2
ADMINS = 2
SHEET = re.compile(r'name="token" type="hidden" value="([^"]+)"')


@dataclass
class Tally:
    """What the actors did, shared between threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    done: int = 0
    retries: int = 0
    errors: list = field(default_factory=list)

    def step(self) -> None:
        with self.lock:
            self.done += 1

    def retried(self) -> None:
        with self.lock:
            self.retries += 1


def with_retries(tally: Tally, send) -> tuple[requests.Response, bool]:
    """Send a request; when the worker dies under it, send the very same request again.
    Returns the response and whether it took a retry."""
    for attempt in range(8):
        try:
            return send(), attempt > 0
        except requests.ConnectionError:
            tally.retried()
            time.sleep(0.2)
    raise AssertionError("the request failed 8 times in a row")


def member_journey(browser: Browser, email: str, quizzes: dict, tally: Tally) -> None:
    base = f"/courses/{INSTITUTION}/{COURSE}/"
    browser.login(email)
    for key in PLAIN_MODULES + QUIZ_MODULES:
        page, _ = with_retries(tally, lambda key=key: browser.get(base + key))
        assert page.status_code == 200, (key, page.status_code)
        if key in quizzes:
            question_id, right = quizzes[key]
            form = {"csrf_token": csrf_of(page.text), "token": SHEET.search(page.text).group(1),
                    question_id: right}  # fmt: skip
            path = base + key + "/quiz"
        else:
            form = {"csrf_token": csrf_of(page.text)}
            path = base + key + "/complete"
        response, _ = with_retries(tally, lambda path=path, form=form: browser.post(path, form))
        assert response.status_code in (302, 303), (key, response.status_code)
        tally.step()


def admin_journey(browser: Browser, email: str, claims: list[tuple[int, str]], tally: Tally):
    browser.login(email)
    page, _ = with_retries(tally, lambda: browser.get(f"/cpd/review/{claims[0][0]}"))
    assert page.status_code == 200, page.status_code
    token = csrf_of(page.text)  # one per session: the queue is worked through without reloading
    for claim_id, claimed in claims:
        path = f"/cpd/review/{claim_id}"
        # "version": the claim as the reviewer saw it (submitted in one save: version 1)
        form = {"csrf_token": token, "decision": "approve", "points_approved": claimed,
                "reason": "", "version": "1"}  # fmt: skip
        response, retried = with_retries(
            tally, lambda path=path, form=form: browser.post(path, form)
        )
        # 409 ("already decided") only when a retry finds the first attempt's decision committed.
        status = response.status_code
        assert status in (302, 303) or (retried and status == 409), (claim_id, status)
        tally.step()


def run(tally: Tally, journey, *args) -> threading.Thread:
    def target():
        try:
            journey(*args)
        except BaseException as error:  # reported by the test, not lost in the thread
            tally.errors.append(repr(error))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def backends(engine: sa.Engine, database: str) -> list[dict]:
    """The gunicorn workers' database sessions: worker pid, state, what they wait for."""
    query = sa.text(
        "SELECT pid, application_name, state, wait_event_type, query FROM pg_stat_activity "
        "WHERE datname = :name AND application_name LIKE 'w4x-worker-%'"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"name": database}).mappings().all()
    return [{**row, "worker": int(row["application_name"].rsplit("-", 1)[1])} for row in rows]


def written_tables(engine: sa.Engine, backend_pid: int) -> set[str]:
    """Tables this backend holds a write lock on: what its open transaction has written."""
    query = sa.text(
        "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE l.pid = :pid AND l.mode = 'RowExclusiveLock' AND l.granted"
    )
    with engine.connect() as connection:
        return set(connection.scalars(query, {"pid": backend_pid}))


def prepare(setup_app) -> tuple[list, list, dict, dict]:
    """Members enrolled, admins, submitted claims; the right answer of each knowledge check."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    members = [create_member(f"burst.member{n}@example.org") for n in range(MEMBERS)]
    admins = [create_member(f"burst.admin{n}@example.org", roles=("member", "admin"))
              for n in range(ADMINS)]  # fmt: skip
    for member in members:
        learning.enrol(member, course)
    now = utcnow()
    claims = []
    for member in members:
        for n in range(CLAIMS_PER_MEMBER):
            claim = Claim(
                user_id=member.id, title=f"County health forum {n}", provider="County of Kisumu",
                category="conference", start_date=now.date(), end_date=now.date(),
                hours=6, points_claimed=n + 1, reflection="What I learnt and will change.",
                competencies=[], status="submitted", submitted_at=now,
                evidence_name="certificate.pdf", evidence_stored_as=f"burst-{member.id}-{n}.pdf",
                evidence_type="application/pdf", evidence_size=1000,
            )  # fmt: skip
            db.session.add(claim)
            claims.append(claim)
    db.session.commit()
    quizzes = {}
    for module in db.session.scalars(sa.select(Module).where(Module.key.in_(QUIZ_MODULES))):
        question = module.current_version.quiz[0]
        right = [option["id"] for option in question["options"] if option["correct"]]
        quizzes[module.key] = (question["id"], right[0])
    claim_rows = [(claim.id, str(claim.points_claimed)) for claim in claims]
    return [m.email for m in members], [a.email for a in admins], quizzes, claim_rows


def test_killed_workers_leave_no_half_written_records(
    pg_cluster, fault_database, setup_app, gunicorn
):
    member_emails, admin_emails, quizzes, claims = prepare(setup_app)
    db.session.remove()
    server = gunicorn(fault_database)
    first_workers = server.wait_for_workers()
    watcher = pg_cluster.engine(fault_database)
    tally = Tally()
    total = MEMBERS * (len(PLAIN_MODULES) + len(QUIZ_MODULES)) + len(claims)

    random.Random(11).shuffle(claims)
    threads = [
        run(tally, member_journey, Browser(server.base_url), email, quizzes, tally)
        for email in member_emails
    ]
    threads += [
        run(tally, admin_journey, Browser(server.base_url), email, claims[n::ADMINS], tally)
        for n, email in enumerate(admin_emails)
    ]

    # 1. Half-way through transactions: hold the ledger, kill the workers waiting to write to it.
    wait_for(lambda: tally.done >= total // 5 or tally.errors, 60, message="the burst to start")
    assert not tally.errors, tally.errors
    locker = watcher.connect()
    try:
        locker.execute(sa.text("BEGIN"))
        locker.execute(sa.text("LOCK TABLE ledger_entries IN SHARE ROW EXCLUSIVE MODE"))

        def blocked():
            waiting = [b for b in backends(watcher, fault_database)
                       if b["wait_event_type"] == "Lock" and "ledger_entries" in b["query"]]  # fmt: skip
            return waiting if len(waiting) >= 2 else None

        victims = wait_for(blocked, 30, message="two workers blocked on their ledger INSERT")
        for victim in victims:
            # The transaction has already written its completion or its claim decision.
            assert written_tables(watcher, victim["pid"]) & {"module_completions", "cpd_claims"}
            assert victim["worker"] in server.worker_pids()
            os.kill(victim["worker"], signal.SIGKILL)
    finally:
        locker.execute(sa.text("ROLLBACK"))
        locker.close()
    killed = {victim["worker"] for victim in victims}
    killed_backends = {victim["pid"] for victim in victims}
    wait_for(
        lambda: not {b["pid"] for b in backends(watcher, fault_database)} & killed_backends,
        30,
        message="the killed workers' database sessions to end",
    )

    # 2. At a random moment, preferably inside a transaction.
    wait_for(lambda: tally.done >= total * 3 // 5 or tally.errors, 90, message="the burst")
    busy = []
    deadline = time.monotonic() + 3
    while not busy and time.monotonic() < deadline:
        busy = [b["worker"] for b in backends(watcher, fault_database)
                if b["state"] in ("active", "idle in transaction")
                and b["worker"] in server.worker_pids()]  # fmt: skip
    victim = busy[0] if busy else sorted(server.worker_pids())[0]
    os.kill(victim, signal.SIGKILL)
    killed.add(victim)

    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "the burst did not finish"
    assert not tally.errors, tally.errors
    assert tally.done == total
    assert tally.retries >= 2, "the requests cut off by the kills were retried"

    # Gunicorn replaced the killed workers and serves on.
    workers = server.wait_for_workers(60, exclude=killed)
    assert workers != first_workers and server.process.poll() is None
    assert requests.get(server.base_url + "/", timeout=30).status_code == 200
    assert "Worker (pid:" in server.log_text() or "SIGKILL" in server.log_text()

    check_records(watcher, claims)


def check_records(engine: sa.Engine, claims: list[tuple[int, str]]) -> None:
    modules = len(PLAIN_MODULES) + len(QUIZ_MODULES)
    with engine.connect() as connection:
        rows = lambda sql: connection.execute(sa.text(sql)).mappings().all()  # noqa: E731

        completions = rows("SELECT id, user_id, module_id, module_version_id, via, attempt_id "
                           "FROM module_completions")  # fmt: skip
        assert len(completions) == MEMBERS * modules
        assert len({(c["user_id"], c["module_id"]) for c in completions}) == len(completions)

        module_entries = rows("SELECT completion_id, user_id, points, module_version_id "
                              "FROM ledger_entries WHERE source = 'module'")  # fmt: skip
        per_completion = Counter(entry["completion_id"] for entry in module_entries)
        assert set(per_completion) == {c["id"] for c in completions}
        assert set(per_completion.values()) == {1}
        version_points = {r["id"]: r["cpd_points"]
                          for r in rows("SELECT id, cpd_points FROM module_versions")}  # fmt: skip
        by_id = {c["id"]: c for c in completions}
        for entry in module_entries:
            completion = by_id[entry["completion_id"]]
            assert entry["user_id"] == completion["user_id"]
            assert entry["module_version_id"] == completion["module_version_id"]
            assert points(entry["points"]) == points(version_points[entry["module_version_id"]])

        # Each knowledge check was stored once, however often its form was resent.
        attempts = rows("SELECT user_id, module_id, passed FROM quiz_attempts")
        assert len(attempts) == MEMBERS * len(QUIZ_MODULES) and all(a["passed"] for a in attempts)
        assert sum(c["via"] == "quiz" for c in completions) == len(attempts)

        course_completions = rows("SELECT user_id FROM course_completions")
        assert len(course_completions) == MEMBERS
        assert len({c["user_id"] for c in course_completions}) == MEMBERS

        decided = rows("SELECT id, status, points_claimed, points_approved, user_id "
                       "FROM cpd_claims")  # fmt: skip
        assert len(decided) == len(claims)
        assert all(c["status"] == "approved" for c in decided)
        claim_entries = rows("SELECT claim_id, user_id, points FROM ledger_entries "
                             "WHERE source = 'claim'")  # fmt: skip
        per_claim = Counter(entry["claim_id"] for entry in claim_entries)
        assert set(per_claim) == {c["id"] for c in decided}
        assert set(per_claim.values()) == {1}
        approved = {c["id"]: c for c in decided}
        for entry in claim_entries:
            claim = approved[entry["claim_id"]]
            assert entry["user_id"] == claim["user_id"]
            assert points(entry["points"]) == points(claim["points_approved"])
            assert points(claim["points_approved"]) == points(claim["points_claimed"])

        # The audit trail was written in the same transactions: one event per decision.
        events = Counter(
            e["subject_id"]
            for e in rows("SELECT subject_id FROM audit_events WHERE action = 'claim.approved'")
        )
        assert events == Counter({str(claim_id): 1 for claim_id, _ in claims})

        total = rows("SELECT count(*) AS n FROM ledger_entries")[0]["n"]
        assert total == len(completions) + len(claims)
