"""Pages marked @reads_only run their statements outside a transaction on PostgreSQL, the
signed-in user's load included, wherever the mark sits among the view's decorators; other pages
keep theirs, and the pooled connection goes back to transactions for the next request
(wired4ex/readonly.py)."""

import pytest
import sqlalchemy as sa
from flask_login import current_user, login_required
from sqlalchemy import event

from wired4ex.extensions import db
from wired4ex.readonly import reads_only


@pytest.fixture
def isolation_seen(app):
    """The isolation level each statement ran at, and whether it was the signed-in user's load
    (the statement that reads their session version)."""
    seen: list[tuple[str, str]] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        kind = "users" if "users.session_version" in statement else "other"
        autocommit = connection.connection.dbapi_connection.autocommit
        seen.append((kind, "AUTOCOMMIT" if autocommit else "TRANSACTION"))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def user_load(seen):
    return [level for kind, level in seen if kind == "users"]


@pytest.fixture
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are a PostgreSQL matter (SQLite has no round trip to save)")


def test_a_marked_page_loads_the_user_outside_a_transaction(
    postgresql_only, client, auth, make_user, isolation_seen
):
    make_user(email="reader@example.org")
    auth.login("reader@example.org")
    isolation_seen.clear()
    assert client.get("/pages/help").status_code == 200
    assert user_load(isolation_seen) == ["AUTOCOMMIT"]
    isolation_seen.clear()
    assert client.get("/dashboard").status_code == 200
    assert {level for _kind, level in isolation_seen} == {"AUTOCOMMIT"}


def test_other_pages_keep_their_transaction(
    postgresql_only, client, auth, make_user, isolation_seen
):
    make_user(email="writer@example.org")
    auth.login("writer@example.org")
    isolation_seen.clear()
    assert client.get("/profile").status_code == 200  # not marked
    assert user_load(isolation_seen) == ["TRANSACTION"]


def test_the_pool_gives_the_next_request_a_transaction_again(
    postgresql_only, app, client, auth, make_user, isolation_seen
):
    make_user(email="both@example.org")
    auth.login("both@example.org")
    client.get("/pages/help")
    isolation_seen.clear()
    client.get("/profile")
    assert user_load(isolation_seen) == ["TRANSACTION"]
    with db.engine.connect() as connection:
        assert not connection.connection.dbapi_connection.autocommit
        assert connection.execute(sa.text("select 1")).scalar() == 1


def test_the_mark_works_below_login_required(
    postgresql_only, app, client, auth, make_user, isolation_seen
):
    """login_required loads the user before the view's own wrapper runs: the hook must act first."""

    @login_required
    @reads_only
    def innermost():
        return current_user.email

    app.add_url_rule("/test-reads-only", "test_reads_only", innermost)
    make_user(email="inner@example.org")
    auth.login("inner@example.org")
    isolation_seen.clear()
    assert client.get("/test-reads-only").get_data(as_text=True) == "inner@example.org"
    assert user_load(isolation_seen) == ["AUTOCOMMIT"]
