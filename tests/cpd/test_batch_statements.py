"""`flask cpd statements` in chunks: a fixed number of SQL statements per chunk whatever the
number of members (first run and again unchanged), and each member's statement the one their own
statements page issues (same code and figures, the same text read back from the PDF)."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, issue_statement, submit
from tests.documents import pdf_text
from tests.learning.test_dashboard_queries import count_queries
from wired4ex.cpd.models import Statement
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership

YEAR = 2026
CATEGORIES = ["structured", "conference", "teaching", "research"]


@pytest.fixture
def members(make_user, policy):
    """build(count): members with a few activities each in the 2026 cycle, memberships current,
    lapsed or none."""

    def build(count: int, offset: int = 0):
        made = []
        for n in range(offset, offset + count):
            user = make_user(
                email=f"stmt{n}@example.org", full_name=f"Statement Member {n:02d}",
                membership=None if n % 5 == 4 else "approved",
            )  # fmt: skip
            if n % 5 == 3:
                membership = db.session.scalar(
                    sa.select(Membership).where(Membership.user_id == user.id)
                )
                membership.renews_on = date(2023, 1, 31)
            for step in range(n % 4 + 1):
                db.session.add(LedgerEntry(
                    user_id=user.id, source="claim" if step % 2 else "module",
                    points=Decimal(str(2 + 4 * step)), category=CATEGORIES[(n + step) % 4],
                    activity_date=date(YEAR, 2, 1) + timedelta(days=40 * step + n),
                    title=f"Activity {step} of member {n}", provider="Lake Region University",
                    competencies=[["LG1"], ["FM2", "QS1"], []][step % 3],
                ))  # fmt: skip
            db.session.commit()
            made.append(user)
        return made

    return build


def run(runner, out, chunk: int, *extra: str) -> tuple[int, str]:
    args = ["cpd", "statements", "--cycle", str(YEAR), "--out", str(out), "--chunk", str(chunk)]
    with count_queries() as seen:
        result = runner.invoke(args=[*args, *extra])
    assert result.exit_code == 0, result.output
    return len(seen), result.output


def test_statements_grow_with_chunks_not_members(runner, members, tmp_path):
    made = members(30)
    out = tmp_path / "out"
    three, output = run(runner, out, 3, "--last-id", str(made[2].id))
    assert "3 members: 3 statements issued, 0 unchanged" in output
    rest, output = run(runner, out, 27, "--first-id", str(made[3].id))
    assert "27 members: 27 statements issued, 0 unchanged" in output
    assert three == rest  # nine times the members in one chunk: the same count
    one_chunk, output = run(runner, out, 30)
    assert "30 members: 0 statements issued, 30 unchanged and reused" in output
    two_chunks, _ = run(runner, out, 15)
    ten_chunks, _ = run(runner, out, 3)
    print(three, rest, one_chunk, two_chunks, ten_chunks)  # shown with -s
    per_chunk = two_chunks - one_chunk
    # members (with their roles), their ledger entries, the members' lock (as issue_statement
    # takes it), the statements issued for their figures
    assert 1 <= per_chunk <= 5
    assert ten_chunks == one_chunk + 9 * per_chunk
    assert len(list(out.glob("*.pdf"))) == 30


def page_pdf(app, member) -> bytes:
    client = app.test_client()
    assert (
        submit(client, "/login", {"email": member.email, "password": PASSWORD}).status_code == 302
    )
    response = issue_statement(client, "pdf", cycle=YEAR)
    assert response.status_code == 200
    return response.data


def codes() -> dict[int, str]:
    db.session.rollback()
    return dict(db.session.execute(sa.select(Statement.user_id, Statement.code)).all())


def test_batch_statements_are_the_members_own(app, runner, members, tmp_path):
    made = members(6)
    first, later = made[:3], made[3:]
    from_page = {member.id: page_pdf(app, member) for member in first}
    out = tmp_path / "out"
    _count, output = run(runner, out, 4)
    assert "6 members: 3 statements issued, 3 unchanged and reused" in output
    from_page |= {member.id: page_pdf(app, member) for member in later}
    issued = codes()
    assert len(issued) == 6  # the page reused what the batch issued, and the other way round
    for member in made:
        (written,) = out.glob(f"*-{issued[member.id][:4]}-*.pdf")
        batch_text = pdf_text(written.read_bytes(), tmp_path)
        assert batch_text == pdf_text(from_page[member.id], tmp_path), member.full_name
        assert member.full_name in batch_text
        assert "Activity 0 of member" in batch_text  # the activities are there


def test_a_member_issuing_during_the_batch_gets_no_duplicate(app, runner, members, tmp_path):
    """The member issues their statement (the page, in another thread and connection) just after
    the batch looked for the statements already issued and before it inserts its own: the
    member's issue waits for the batch's lock of the member, then reuses the batch's statement."""
    (member,) = members(1)
    email = member.email
    db.session.commit()
    with app.app_context():
        engine = db.engine
    outcome: dict = {}
    page_done = threading.Event()
    started: list[threading.Thread] = []

    def member_issues():
        try:
            client = app.test_client()
            assert (
                submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
            )
            outcome["status"] = issue_statement(client, "pdf", cycle=YEAR).status_code
        except Exception as error:  # reported below, not lost in the thread
            outcome["error"] = repr(error)
        finally:
            page_done.set()

    def batch_looked(conn, cursor, statement, parameters, context, executemany):
        batch = threading.current_thread() is threading.main_thread()
        if batch and not started and statement.lstrip().startswith("SELECT cpd_statements."):
            thread = threading.Thread(target=member_issues)
            started.append(thread)
            thread.start()
            page_done.wait(timeout=3)  # without the batch's lock the page issues meanwhile

    sa.event.listen(engine, "after_cursor_execute", batch_looked)
    try:
        _count, output = run(runner, tmp_path / "out", 10)
    finally:
        sa.event.remove(engine, "after_cursor_execute", batch_looked)
    assert started
    started[0].join(timeout=60)
    assert outcome == {"status": 200}
    assert "1 members: 1 statements issued, 0 unchanged" in output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Statement.id))) == 1
