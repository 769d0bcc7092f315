"""Pages that only read: on PostgreSQL their statements run outside a transaction.

A transaction costs two round trips to the database (BEGIN before the first statement, ROLLBACK
at the end of the request), and on a loaded machine each waits for PostgreSQL's process to be
scheduled. At PostgreSQL's READ COMMITTED level each statement of a transaction already sees the
data committed when that statement starts, so a page that only reads shows the same without one.
Only for views that write nothing, or whose one write is a single statement (atomic by itself in
autocommit mode): several writes would each commit on their own.

`@reads_only` marks the view. A hook that runs before the other before_request functions
(`init_app`) switches the request's database session to autocommit for a GET or HEAD of a marked
view, so the signed-in user's load is outside the transaction too, whether it happens in
`login_required` (above or below the mark) or anywhere before the view. A POST keeps its
transaction.
"""

import functools

from flask import Flask, current_app, request

from wired4ex.extensions import db

MARK = "wired4ex_reads_only"
READING_METHODS = frozenset({"GET", "HEAD"})


def autocommit_session() -> None:
    """Run this request's statements in autocommit mode on PostgreSQL; nothing changes on other
    databases or when a transaction has begun already."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def reads_only(view):
    """Mark a view whose GET and HEAD requests only read. The mark is an attribute, which
    decorators built with functools.wraps (login_required) carry outwards."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method in READING_METHODS:
            autocommit_session()  # without the hook: a view called on its own
        return view(*args, **kwargs)

    setattr(wrapper, MARK, True)
    return wrapper


def init_app(app: Flask) -> None:
    """Install the hook; call it before anything else registers a before_request function."""

    @app.before_request
    def _autocommit_reads() -> None:
        if request.method not in READING_METHODS or request.endpoint is None:
            return
        view = current_app.view_functions.get(request.endpoint)
        if view is not None and getattr(view, MARK, False):
            autocommit_session()
