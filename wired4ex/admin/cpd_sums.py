"""CPD sums per member, cycle and category, kept up to date with the ledger, for admin reports.

`cpd_sums` holds, per member, CPD cycle and ledger category, what category_sums() gives from the
ledger: the points claimed and the points allowed under the per-activity maximums. The M&E
dashboard and the member list's CPD filter read it instead of grouping the whole ledger.

Correctness:
- Every ledger entry the ORM inserts adds its points in the same transaction (a mapper event on
  LedgerEntry; every write path of the app builds LedgerEntry objects). The ledger is append-only
  (database triggers), so an insert is the only change to follow. Rows written with a Core
  INSERT (bulk loads such as bench/reports.py) bypass the event: rebuild after them.
- The sums depend on two parts of the CPD policy: the cycle's start month and each category's
  per-activity maximum. They record the ones they were built with (`cpd_sums_state`); a report
  uses them only when they are the current policy's, and otherwise computes from the ledger as
  before (same figures, slower). Syncing a CPD policy whose start month or maximums differ
  rebuilds them in the sync's transaction; `flask members rebuild-cpd-sums` rebuilds on demand.
- A rebuild locks the state table; an insert reads the state row with a share lock, so on
  PostgreSQL an insert never adds to sums a concurrent rebuild is replacing (SQLite has one writer).
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wired4ex.catalog.models import PolicyDocument
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry

STATE_ID = 1


class CpdSum(db.Model):
    """Claimed and allowed points of one member in one category of one CPD cycle."""

    __tablename__ = "cpd_sums"

    cycle_start: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    claimed: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    allowed: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    entries: Mapped[int] = mapped_column(sa.Integer)


class CpdSumsState(db.Model):
    """The policy parts the sums were built with (one row; none: never built)."""

    __tablename__ = "cpd_sums_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    start_month: Mapped[int] = mapped_column(sa.Integer)
    # {category code: per-activity maximum as text}, categories without a maximum left out.
    maximums: Mapped[dict] = mapped_column(sa.JSON)
    # What the per-member totals were built with (wired4ex/admin/cpd_totals.py); None: not built.
    totals: Mapped[dict | None] = mapped_column(sa.JSON)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def parameters(policy: CpdPolicy) -> tuple[int, dict[str, str]]:
    """The parts of the policy the sums depend on, as the state row stores them."""
    maximums = {
        code: str(category.max_per_activity)
        for code, category in policy.categories.items()
        if category.max_per_activity is not None
    }
    return policy.start_month, maximums


def _cycle_start(day: date, start_month: int) -> date:
    """As CpdPolicy.cycle_for(day).start."""
    return date(day.year if day.month >= start_month else day.year - 1, start_month, 1)


def _allowed(points: Decimal, category: str, source: str, maximums: dict[str, str]) -> Decimal:
    """As wired4ex.cpd.standing.activity_points()."""
    maximum = maximums.get(category)
    if maximum is None or source == "adjustment" or points <= Decimal(maximum):
        return points
    return Decimal(maximum)


def _upsert(connection: sa.Connection) -> sa.Insert:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CpdSum.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.cycle_start, table.c.user_id, table.c.category],
        set_={
            "claimed": table.c.claimed + statement.excluded.claimed,
            "allowed": table.c.allowed + statement.excluded.allowed,
            "entries": table.c.entries + statement.excluded.entries,
        },
    ).returning(table.c.allowed)


@sa.event.listens_for(LedgerEntry, "after_insert")
def _entry_inserted(_mapper, connection: sa.Connection, entry: LedgerEntry) -> None:
    """Add a new ledger entry to its sums, and to its member's totals, in the transaction that
    inserts it."""
    state = CpdSumsState.__table__
    query = sa.select(state.c.start_month, state.c.maximums, state.c.totals).where(
        state.c.id == STATE_ID
    )
    found = connection.execute(query.with_for_update(read=True)).first()
    if found is None:
        return  # never built: the reports read the ledger
    start_month, maximums, totals = found
    points = Decimal(str(entry.points))
    key = (_cycle_start(entry.activity_date, start_month), entry.user_id, entry.category)
    allowed = _allowed(points, entry.category, entry.source, maximums)
    after = connection.execute(
        _upsert(connection),
        {"cycle_start": key[0], "user_id": key[1], "category": key[2], "claimed": points,
         "allowed": allowed, "entries": 1},
    ).scalar_one()  # fmt: skip
    if totals is not None:  # the category's allowed points after the entry, and before it
        from wired4ex.admin import cpd_totals

        after = Decimal(str(after)).quantize(Decimal("0.1"))
        cpd_totals.add(connection, totals, key, points, after - allowed, after)


def _number(value) -> sa.ColumnElement:
    return sa.literal_column(str(Decimal(value)), sa.Numeric(10, 1))


def _cycle_start_sql(connection: sa.Connection, start_month: int) -> sa.ColumnElement:
    """SQL for _cycle_start() of LedgerEntry.activity_date."""
    day = LedgerEntry.activity_date
    if connection.dialect.name == "postgresql":
        year = sa.func.extract("year", day)
        month = sa.func.extract("month", day)
        first = sa.case((month >= start_month, year), else_=year - 1)
        return sa.func.make_date(sa.cast(first, sa.Integer), start_month, 1)
    year = sa.cast(sa.func.strftime("%Y", day), sa.Integer)
    month = sa.cast(sa.func.strftime("%m", day), sa.Integer)
    first = sa.case((month >= start_month, year), else_=year - 1)
    return sa.func.printf("%04d-%02d-01", first, start_month)


def rebuild(connection: sa.Connection, start_month: int, maximums: dict[str, str]) -> int:
    """Replace every sum by one computed from the whole ledger; the caller commits.

    Used by rebuild_all(), and by the migration that made the table (its backfill). The
    per-member totals (cpd_totals) are left marked not built: rebuild_all() rebuilds them too.
    Returns the rows written.
    """
    state = CpdSumsState.__table__
    if connection.dialect.name == "postgresql":  # waits for inserts holding a share lock
        connection.execute(sa.text("LOCK TABLE cpd_sums_state IN EXCLUSIVE MODE"))
    connection.execute(sa.delete(state))
    connection.execute(
        sa.insert(state).values(
            id=STATE_ID, start_month=start_month, maximums=maximums, built_at=utcnow()
        )
    )
    limits = [
        (
            sa.and_(
                LedgerEntry.category == code,
                LedgerEntry.source != "adjustment",
                LedgerEntry.points > _number(maximum),
            ),
            _number(maximum),
        )
        for code, maximum in maximums.items()
    ]
    allowed = sa.case(*limits, else_=LedgerEntry.points) if limits else LedgerEntry.points
    start = _cycle_start_sql(connection, start_month).label("cycle_start")
    grouped = sa.select(
        start,
        LedgerEntry.user_id,
        LedgerEntry.category,
        sa.func.sum(LedgerEntry.points),
        sa.func.sum(allowed),
        sa.func.count(),
    ).group_by(start, LedgerEntry.user_id, LedgerEntry.category)
    table = CpdSum.__table__
    connection.execute(sa.delete(table))
    connection.execute(
        sa.insert(table).from_select(
            ["cycle_start", "user_id", "category", "claimed", "allowed", "entries"], grouped
        )
    )
    return connection.scalar(sa.select(sa.func.count()).select_from(table))


def rebuild_all(connection: sa.Connection, policy: CpdPolicy) -> int:
    """rebuild() with the policy, then the per-member totals from the new sums; the caller
    commits. Used by `flask members rebuild-cpd-sums`, a policy sync that changes them and the
    benchmark. Returns the sums rows written."""
    from wired4ex.admin import cpd_totals

    count = rebuild(connection, *parameters(policy))
    cpd_totals.rebuild(connection, cpd_totals.parameters(policy))
    return count


def rebuild_for(policy: CpdPolicy) -> int:
    """rebuild_all() with the policy, in the app's session; commits."""
    count = rebuild_all(db.session.connection(), policy)
    db.session.commit()
    return count


def current(policy: CpdPolicy) -> bool:
    """Whether the sums were built with this policy's cycle and maximums (one query)."""
    found = db.session.execute(
        sa.select(CpdSumsState.start_month, CpdSumsState.maximums).where(
            CpdSumsState.id == STATE_ID
        )
    ).first()
    return found is not None and tuple(found) == parameters(policy)


@sa.event.listens_for(PolicyDocument, "after_insert")
@sa.event.listens_for(PolicyDocument, "after_update")
def _policy_synced(_mapper, connection: sa.Connection, document: PolicyDocument) -> None:
    """A CPD policy with another cycle start or other maximums: rebuild, in the sync's
    transaction; with other caps or minimums only: rebuild the per-member totals."""
    if document.name != "cpd":
        return
    from wired4ex.admin import cpd_totals

    policy = CpdPolicy.from_data(document.data)
    state = CpdSumsState.__table__
    found = connection.execute(
        sa.select(state.c.start_month, state.c.maximums, state.c.totals).where(
            state.c.id == STATE_ID
        )
    ).first()
    if found is None or tuple(found[:2]) != parameters(policy):
        rebuild_all(connection, policy)
    elif found[2] != cpd_totals.parameters(policy):
        cpd_totals.rebuild(connection, cpd_totals.parameters(policy))
