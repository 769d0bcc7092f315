"""Pooled PostgreSQL connections checked at checkout without a round trip when they are sound.

`pool_pre_ping` sends `SELECT 1` at every checkout: one more round trip to the database per
request, which a loaded machine makes costly. Here a connection is pinged only when it may be
dead: its socket has something to read while no query is outstanding (a server that restarts or
ends the session sends an error and closes the socket), or it has been idle in the pool longer
than IDLE_PING_SECONDS (a peer that went away without a word). A failed ping raises
DisconnectionError, and the pool replaces the connection (up to three tries), as with
`pool_pre_ping`: after a database restart each worker reconnects, no request fails.
"""

import select
import time

import sqlalchemy as sa
from sqlalchemy import exc

IDLE_PING_SECONDS = 10.0
IDLE_SINCE = "wired4ex.idle_since"


def install(engine: sa.Engine) -> None:
    """Check the engine's PostgreSQL connections at checkout (other databases: nothing)."""
    if engine.dialect.name != "postgresql":
        return

    def checked_in(dbapi_connection, record) -> None:
        if record is not None:
            record.info[IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection, record, proxy) -> None:
        since = record.info.pop(IDLE_SINCE, None)
        if since is None or not _may_be_dead(dbapi_connection, since):
            return  # just connected, or used a moment ago and nothing arrived since
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError() from error  # the pool reconnects

    sa.event.listen(engine, "checkin", checked_in)
    sa.event.listen(engine, "checkout", checked_out)


def _may_be_dead(dbapi_connection, idle_since: float) -> bool:
    if time.monotonic() - idle_since > IDLE_PING_SECONDS:
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return True
    return bool(readable)
