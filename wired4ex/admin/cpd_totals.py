"""CPD totals per member and cycle, kept up to date with the CPD sums, for the compliance figures.

`cpd_totals` holds, per member and CPD cycle, what cpd_status.cpd_standing() computes from the
sums of wired4ex/admin/cpd_sums.py: the points counted towards the target (each category's allowed
points between zero and its cap, added up), the counted points of each category the policy sets
a minimum for (minimum_0 to minimum_2, in the policy's order), and the points claimed. The M&E
dashboard's compliance and "on track" figures, the member list's CPD filter and the CPD status
column then read one row per member instead of grouping the sums.

Correctness:
- They depend on the sums and on two more parts of the policy: each category's cap and the
  categories with a minimum. The state row of the sums records the ones they were built with
  (`cpd_sums_state.totals`, NULL when not built); a report reads them only when those are the
  current policy's and the sums are current, and otherwise groups the sums (same figures).
- Every ledger entry the ORM inserts changes one sums row (cpd_sums._entry_inserted); in the same
  transaction the member's totals row gets the difference that change makes (the category's
  counted points after and before, from the sums row as the upsert left it). Each is an additive
  upsert of a row the transaction then holds locked, so concurrent inserts add up correctly.
- Rebuilt from the sums after every rebuild of the sums, and when a synced policy changes only
  caps or minimums, with the state table locked as the sums' rebuild locks it (on PostgreSQL
  the inserts in flight finish first). A policy with more than MINIMUMS minimums has no totals
  (the reports group the sums instead).
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wired4ex.admin.cpd_sums import STATE_ID, CpdSum, CpdSumsState
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.extensions import db

MINIMUMS = 3  # minimum_0 .. minimum_2


class CpdTotal(db.Model):
    """Claimed and counted points of one member in one CPD cycle."""

    __tablename__ = "cpd_totals"

    cycle_start: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    claimed: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    counted: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    minimum_0: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    minimum_1: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))
    minimum_2: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1))


def parameters(policy: CpdPolicy) -> dict | None:
    """The parts of the policy the totals depend on beyond the sums', as the state row stores
    them: every category's cap (None: no cap) and the codes with a minimum, in order; None when
    the policy has more minimums than the table has columns."""
    if len(policy.minimums) > MINIMUMS:
        return None
    caps = {
        code: None if category.cap is None else str(category.cap)
        for code, category in policy.categories.items()
    }
    return {"caps": caps, "minimums": list(policy.minimums)}


def _number(value) -> sa.ColumnElement:
    return sa.literal_column(str(Decimal(value)), sa.Numeric(8, 1))


def _counted_sql(allowed, cap: str | None) -> sa.ColumnElement:
    """As cpd_status._counted(): a category counts between zero and its cap."""
    zero = _number(0)
    if cap is None:
        return sa.case((allowed < zero, zero), else_=allowed)
    return sa.case((allowed < zero, zero), (allowed > _number(cap), _number(cap)), else_=allowed)


def _clamp(allowed: Decimal, cap: str | None) -> Decimal:
    """_counted_sql() in Python."""
    if allowed < 0:
        return Decimal(0)
    if cap is not None and allowed > Decimal(cap):
        return Decimal(cap)
    return allowed


def _upsert(connection: sa.Connection) -> sa.Insert:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CpdTotal.__table__
    statement = insert(table)
    columns = ("claimed", "counted", "minimum_0", "minimum_1", "minimum_2")
    return statement.on_conflict_do_update(
        index_elements=[table.c.cycle_start, table.c.user_id],
        set_={name: table.c[name] + statement.excluded[name] for name in columns},
    )


def add(
    connection: sa.Connection,
    params: dict,
    key: tuple[date, int, str],
    points: Decimal,
    allowed_before: Decimal,
    allowed_after: Decimal,
) -> None:
    """Add to a member's totals what one new ledger entry changed: its points claimed, and the
    difference in its category's counted points (allowed_before/after: the category's allowed
    points in the cycle before and after the entry). Called from cpd_sums._entry_inserted."""
    cycle_start, user_id, category = key
    caps = params["caps"]
    cap = caps.get(category)
    if caps:
        difference = _clamp(allowed_after, cap) - _clamp(allowed_before, cap)
    else:  # as cpd_standing() of a policy without categories: no floor at zero
        difference = allowed_after - allowed_before
    row = {"cycle_start": cycle_start, "user_id": user_id, "claimed": points,
           "counted": difference}  # fmt: skip
    codes = params["minimums"]
    for index in range(MINIMUMS):
        in_code = index < len(codes) and codes[index] == category
        row[f"minimum_{index}"] = (
            _clamp(allowed_after, cap) - _clamp(allowed_before, cap) if in_code else Decimal(0)
        )
    connection.execute(_upsert(connection), row)


def _grouped(params: dict) -> sa.Select:
    """The totals of every member and cycle, grouped from the sums (as cpd_standing())."""
    sums = CpdSum.__table__
    caps = params["caps"]
    capped = [(sums.c.category == code, _counted_sql(sums.c.allowed, cap))
              for code, cap in caps.items()]  # fmt: skip
    counted_sql = (
        sa.case(*capped, else_=_counted_sql(sums.c.allowed, None)) if capped else sums.c.allowed
    )
    columns = [sums.c.cycle_start, sums.c.user_id, sa.func.sum(sums.c.claimed),
               sa.func.sum(counted_sql)]  # fmt: skip
    for index in range(MINIMUMS):
        codes = params["minimums"]
        if index < len(codes):
            code = codes[index]
            in_code = sa.case(
                (sums.c.category == code, _counted_sql(sums.c.allowed, caps.get(code))),
                else_=_number(0),
            )
            columns.append(sa.func.sum(in_code))
        else:
            columns.append(_number(0))
    return sa.select(*columns).group_by(sums.c.cycle_start, sums.c.user_id)


def rebuild(connection: sa.Connection, params: dict | None) -> int:
    """Replace every total by one grouped from the sums (which must be current); the caller
    commits. params None (a policy with too many minimums): the totals are emptied and marked
    not built. Returns the rows written."""
    table = CpdTotal.__table__
    state = CpdSumsState.__table__
    if connection.dialect.name == "postgresql":  # as cpd_sums.rebuild(): inserts in flight
        connection.execute(sa.text("LOCK TABLE cpd_sums_state IN EXCLUSIVE MODE"))  # finish first
    connection.execute(sa.update(state).where(state.c.id == STATE_ID).values(totals=params))
    connection.execute(sa.delete(table))
    if params is None:
        return 0
    names = ["cycle_start", "user_id", "claimed", "counted", "minimum_0", "minimum_1", "minimum_2"]
    connection.execute(sa.insert(table).from_select(names, _grouped(params)))
    return connection.scalar(sa.select(sa.func.count()).select_from(table))


def current(policy: CpdPolicy) -> bool:
    """Whether the totals were built with this policy (its sums' parts and its own; one query)."""
    from wired4ex.admin.cpd_sums import parameters as sums_parameters

    params = parameters(policy)
    if params is None:
        return False
    found = db.session.execute(
        sa.select(CpdSumsState.start_month, CpdSumsState.maximums, CpdSumsState.totals).where(
            CpdSumsState.id == STATE_ID
        )
    ).first()
    return found is not None and tuple(found) == (*sums_parameters(policy), params)
