"""The per-member CPD totals the compliance figures read (wired4ex/admin/cpd_totals.py) against
the ledger itself, on the varied dataset of test_cpd_sums: kept with each insert, rebuilt, after
a policy sync, and the reports' figures the same from the totals, from the sums and from the
ledger."""

import threading
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import g

from tests.admin.test_cpd_sums import add_entry, dataset, figures  # noqa: F401  (a fixture)
from wired4ex.admin import cpd_sums, cpd_totals, reports
from wired4ex.admin.cpd_sums import CpdSumsState
from wired4ex.admin.cpd_totals import CpdTotal
from wired4ex.catalog.models import PolicyDocument
from wired4ex.cpd.policy import CpdPolicy, load_policy
from wired4ex.cpd.standing import category_sums, standing_from_sums
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

Q = Decimal("0.1")


def expected_totals(policy: CpdPolicy) -> dict:
    """(cycle start, user) -> (claimed, counted, minimum_0..2), from each member's ledger with the
    one CPD arithmetic (standing_from_sums)."""
    by_key: dict = {}
    for entry in db.session.scalars(sa.select(LedgerEntry)):
        cycle = policy.cycle_for(entry.activity_date)
        by_key.setdefault((cycle.start, entry.user_id), (cycle, []))[1].append(entry)
    out = {}
    for key, (cycle, entries) in by_key.items():
        summary = standing_from_sums(
            policy, category_sums(policy, entries), None, cycle, local_today()
        )
        by_code = {total.code: total.counted for total in summary.categories}
        minimums = [by_code.get(code, Decimal(0)) for code in policy.minimums]
        minimums += [Decimal(0)] * (cpd_totals.MINIMUMS - len(minimums))
        out[key] = tuple(
            Decimal(v).quantize(Q) for v in (summary.claimed, summary.counted, *minimums)
        )
    return out


def stored_totals() -> dict:
    return {
        (row.cycle_start, row.user_id): tuple(
            Decimal(v).quantize(Q)
            for v in (row.claimed, row.counted, row.minimum_0, row.minimum_1, row.minimum_2)
        )
        for row in db.session.scalars(sa.select(CpdTotal))
    }


def forget_request_cache() -> None:
    g.pop("cpd_sums_current", None)
    g.pop("cpd_totals_current", None)


def test_the_totals_kept_with_each_insert_are_the_ledgers(app, dataset):  # noqa: F811
    policy = load_policy()
    assert cpd_totals.current(policy)
    expected = expected_totals(policy)
    assert len(expected) > 50
    # Some members are over a cap, some categories below zero, some short of the minimum.
    assert any(counted < claimed for claimed, counted, *_ in expected.values())
    assert any(minimum == 0 for _c, _n, minimum, *_ in expected.values())
    assert stored_totals() == expected
    cpd_sums.rebuild_for(policy)
    assert stored_totals() == expected


def test_reports_give_the_same_figures_from_the_totals_the_sums_and_the_ledger(app, dataset):  # noqa: F811
    policy = load_policy()
    today = local_today()
    assert reports.totals_current(policy)
    from_totals = figures(policy, today)
    db.session.execute(sa.update(CpdSumsState).values(totals=None))  # totals not built
    db.session.flush()
    forget_request_cache()
    assert reports.sums_current(policy) and not reports.totals_current(policy)
    from_sums = figures(policy, today)
    db.session.execute(sa.delete(CpdSumsState))  # nor the sums: the ledger
    db.session.flush()
    forget_request_cache()
    assert not reports.sums_current(policy)
    from_ledger = figures(policy, today)
    db.session.rollback()
    assert from_totals == from_sums == from_ledger
    assert any(row.met for row in from_totals[today.year - 1][0][0])


def synced(data: dict) -> CpdPolicy:
    document = db.session.get(PolicyDocument, "cpd")
    document.data = data
    db.session.flush()
    forget_request_cache()
    return CpdPolicy.from_data(data)


def test_syncing_other_caps_or_minimums_rebuilds_the_totals(app, dataset):  # noqa: F811
    data = dict(db.session.get(PolicyDocument, "cpd").data)
    data["categories"] = [
        {**item, "cap": 4} if item["code"] == "teaching" else item for item in data["categories"]
    ]
    data["minimums"] = {"association": 2, "teaching": 3, "research": 1}
    changed = synced(data)
    assert cpd_totals.current(changed) and cpd_sums.current(changed)
    assert stored_totals() == expected_totals(changed)
    # New entries add to them with the new policy's caps and minimums.
    user = dataset[1]
    for category, points in (("teaching", 3), ("research", -30), ("teaching", 6)):
        add_entry(user.id, category, points, local_today() - timedelta(days=1))
        db.session.flush()
    assert stored_totals() == expected_totals(changed)
    today = local_today()
    from_totals = figures(changed, today)
    db.session.execute(sa.update(CpdSumsState).values(totals=None))
    db.session.flush()
    forget_request_cache()
    assert figures(changed, today) == from_totals
    db.session.rollback()


def test_a_policy_with_more_minimums_than_columns_reads_the_sums(app, dataset):  # noqa: F811
    data = dict(db.session.get(PolicyDocument, "cpd").data)
    data["minimums"] = {"association": 1, "teaching": 1, "research": 1, "conference": 1}
    changed = synced(data)
    assert cpd_sums.current(changed) and not cpd_totals.current(changed)
    assert not reports.totals_current(changed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CpdTotal)) == 0
    today = local_today()
    from_sums = figures(changed, today)
    db.session.execute(sa.delete(CpdSumsState))
    db.session.flush()
    forget_request_cache()
    assert figures(changed, today) == from_sums
    db.session.rollback()


def test_concurrent_entries_of_one_member_add_up(app, dataset):  # noqa: F811
    """Two transactions adding to the same member's cycle at once (on PostgreSQL the second waits
    for the first's row locks; on SQLite for the one writer): the totals hold both."""
    user_id = dataset[2].id
    day = local_today() - timedelta(days=2)
    db.session.commit()
    first_inserted, errors = threading.Event(), []

    def add(category, points, hold: bool):
        with app.app_context():
            try:
                add_entry(user_id, category, points, day, "module")
                db.session.flush()
                if hold:
                    first_inserted.set()
                    threading.Event().wait(0.5)  # the other transaction starts meanwhile
                db.session.commit()
            except Exception as error:  # reported below, not lost in the thread
                errors.append(repr(error))
                first_inserted.set()
            finally:
                db.session.remove()

    first = threading.Thread(target=add, args=("association", 4, True))
    first.start()
    first_inserted.wait(timeout=30)
    second = threading.Thread(target=add, args=("structured", 8, False))
    second.start()
    for thread in (first, second):
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert stored_totals() == expected_totals(load_policy())


def test_the_migration_backfill_builds_the_totals(app, dataset):  # noqa: F811
    """What the migration's backfill runs: the totals from the sums, marked built."""
    policy = load_policy()
    db.session.execute(sa.delete(CpdTotal))
    db.session.execute(sa.update(CpdSumsState).values(totals=None))
    db.session.commit()
    assert not cpd_totals.current(policy)
    cpd_totals.rebuild(db.session.connection(), cpd_totals.parameters(policy))
    db.session.commit()
    assert cpd_totals.current(policy)
    assert stored_totals() == expected_totals(policy)


def test_the_migration_backfills_the_totals_from_the_sums(app, dataset):  # noqa: F811
    """Down to the revision before the totals, and up again (`flask db upgrade`): the migration
    makes the table and fills it from the sums, marked built with the synced policy."""
    from flask_migrate import downgrade, upgrade

    from tests.conftest import ROOT

    policy = load_policy()
    expected = expected_totals(policy)
    db.session.commit()
    db.session.remove()
    directory = str(ROOT / "migrations")
    try:
        downgrade(directory=directory, revision="f25a1b2c3d4e")
        assert "cpd_totals" not in sa.inspect(db.engine).get_table_names()
    finally:
        upgrade(directory=directory)
    assert cpd_totals.current(policy)
    assert stored_totals() == expected
