"""Pages that only read: on PostgreSQL their statements run outside a transaction.

A transaction costs two round trips to the database (BEGIN before the first statement, ROLLBACK
at the end of the request), and on a loaded machine each waits for PostgreSQL's process to be
scheduled. At PostgreSQL's READ COMMITTED level each statement of a transaction already sees the
data committed when that statement starts, so a page that only reads shows the same without one.
Only for views that write nothing (a write would commit at once, statement by statement).
"""

import functools

from wired4ex.extensions import db


def reads_only(view):
    """Run the view's statements (the signed-in user's load included) in autocommit mode on
    PostgreSQL; nothing changes on other databases or when a transaction has begun already."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    return wrapper
