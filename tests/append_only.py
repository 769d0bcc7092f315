"""Setting the append-only triggers aside, for test clean-up only.

The database refuses UPDATE and DELETE on the ledger, the audit log and issued documents
(migration c4d1e7a90b21). Tests still empty every table after each test, so this clean-up sets the
triggers aside inside its own transaction, in ways the application can never use:

- PostgreSQL: `SET LOCAL session_replication_role = replica`, under which ordinary triggers do
  not fire. Only a superuser may set it (the test server's `postgres`; an application's role is
  not one), and it ends with the transaction.
- SQLite: the triggers are dropped and re-created from their own stored SQL around the clean-up;
  the application never runs DDL.
"""

from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def triggers_suspended(connection: sa.Connection):
    """Run the body with the append-only triggers set aside; the caller's transaction commits."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        yield
        connection.execute(sa.text("SET LOCAL session_replication_role = origin"))
        return
    triggers = connection.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    ).all()
    for name, _sql in triggers:
        connection.execute(sa.text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
