"""The module page reads outside a transaction on PostgreSQL (@reads_only) and writes, when it
does (first visit, another module, a new attempt), in a transaction of its own: no write runs
statement by statement in autocommit mode. The page's autocommit mode is set before the
signed-in user is loaded (wired4ex/readonly.py's hook, for views marked @reads_only)."""

import pytest
import sqlalchemy as sa

from tests.learning.conftest import QUIZ_URL, READING_URL
from tests.learning.test_learning_flow import enrolled_member
from wired4ex.extensions import db
from wired4ex.learning.models import ModuleProgress, QuizAttempt


@pytest.fixture
def autocommit_reads(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are for PostgreSQL")


def statements_of(client, url: str) -> list[tuple[str, bool]]:
    """(statement, whether its connection was in autocommit mode) for one GET of the page."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(
            (statement.lstrip().split()[0].upper(), conn.connection.dbapi_connection.autocommit)
        )

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("url", [QUIZ_URL, READING_URL])
def test_reads_in_autocommit_writes_in_a_transaction(
    app, client, auth, make_user, course, autocommit_reads, url
):
    user = enrolled_member(client, auth, make_user)
    first = statements_of(client, url)  # first visit (and, with a quiz, a new attempt)
    writes = [autocommit for kind, autocommit in first if kind in ("INSERT", "UPDATE")]
    assert writes and not any(writes), first
    assert first[0] == ("SELECT", True)  # the user's load: outside a transaction
    again = statements_of(client, url)
    assert again and all(kind == "SELECT" and autocommit for kind, autocommit in again), again
    assert db.session.scalar(sa.select(ModuleProgress.id).where(ModuleProgress.user_id == user.id))
    attempts = db.session.scalar(
        sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.user_id == user.id)
    )
    assert attempts == (1 if url == QUIZ_URL else 0)
