"""The CPD sums the admin reports read (wired4ex/admin/cpd_sums.py) against the ledger itself.

A varied dataset (members of every kind, current and lapsed memberships, entries in three cycles,
every category, points over per-activity maximums and over caps, negative and large adjustments,
a category the policy does not know) is summed as the app keeps it (an ORM event per insert),
as a rebuild computes it, and as a straightforward computation from the ledger gives it; the
reports' figures are the same with the sums and without them (computed from the ledger).
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import g

from tests.admin.conftest import login
from wired4ex.admin import cpd_sums, reports, services
from wired4ex.admin.cpd_sums import CpdSum, CpdSumsState
from wired4ex.admin.headlines import on_track, points_awarded
from wired4ex.auth.models import User
from wired4ex.cpd.policy import CpdPolicy, load_policy
from wired4ex.cpd.standing import category_sums, member_summary
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.timeutil import local_today

CATEGORIES = ["structured", "conference", "teaching", "research", "association", "self_directed"]


def add_entry(user_id, category, points, day, source="adjustment"):
    db.session.add(
        LedgerEntry(user_id=user_id, source=source, category=category, points=Decimal(str(points)),
                    activity_date=day, title="Activity", provider="Provider",
                    reason="fixture" if source == "adjustment" else None)
    )  # fmt: skip


@pytest.fixture
def dataset(app, make_user, synced_content):
    """Thirty members and about six hundred entries, committed in several transactions."""
    rng = random.Random(23)
    today = local_today()
    categories = ["professional", "associate", "student", "life", "honorary", "corporate"]
    people = []
    for number in range(30):
        category = categories[number % len(categories)]
        user = make_user(full_name=f"Member {number:02d}", category=category,
                         country=["KE", "UG"][number % 2],
                         membership=None if number % 7 == 3 else "approved")  # fmt: skip
        people.append(user)
    db.session.commit()
    # Some memberships lapsed (beyond their grace), some just within it.
    by_id = sa.select(Membership).order_by(Membership.id)
    for index, membership in enumerate(db.session.scalars(by_id)):
        if membership.renews_on is not None and index % 4 == 1:
            membership.renews_on = today - timedelta(days=400 if index % 8 == 1 else 10)
    people[5].is_active_account = False
    db.session.commit()
    for batch in range(3):  # three transactions
        for user in people:
            for _ in range(rng.randrange(12)):
                source = rng.choice(["module", "claim", "adjustment", "event"])
                points = rng.choice([0.5, 1, 2.5, 4, 6, 8, 12, 15, 25])
                if source == "adjustment" and rng.random() < 0.5:
                    points = -points
                category = rng.choice(CATEGORIES + ["retired_category"] * (batch == 2))
                day = today - timedelta(days=rng.randrange(3 * 366))
                add_entry(user.id, category, points, day, source)
        db.session.commit()
    # Whatever the day the suite runs, one member met last cycle's target and minimum: points in
    # four categories, each well over its cap, so no random deduction brings them under it.
    last_cycle = date(today.year - 1, 9, 15)  # in the July cycle too
    for category, points in (("structured", 10), ("conference", 10), ("teaching", 5),
                             ("association", 5)):  # fmt: skip
        for _ in range(8):
            add_entry(people[0].id, category, points, last_cycle, "claim")
    db.session.commit()
    return people


def expected_sums(policy: CpdPolicy) -> dict:
    """(cycle start, user, category) -> (claimed, allowed, entries), straight from the ledger."""
    by_key: dict = {}
    for entry in db.session.scalars(sa.select(LedgerEntry)):
        key = (policy.cycle_for(entry.activity_date).start, entry.user_id)
        by_key.setdefault(key, []).append(entry)
    out = {}
    for (start, user_id), entries in by_key.items():
        for code, (claimed, allowed) in category_sums(policy, entries).items():
            count = sum(1 for e in entries if e.category == code)
            out[(start, user_id, code)] = (claimed, allowed, count)
    return out


def stored_sums() -> dict:
    return {
        (row.cycle_start, row.user_id, row.category): (
            Decimal(row.claimed).quantize(Decimal("0.1")),
            Decimal(row.allowed).quantize(Decimal("0.1")),
            row.entries,
        )
        for row in db.session.scalars(sa.select(CpdSum))
    }


def normalised(sums: dict) -> dict:
    q = Decimal("0.1")
    return {k: (Decimal(c).quantize(q), Decimal(a).quantize(q), n) for k, (c, a, n) in sums.items()}


def test_the_sums_kept_with_each_insert_are_the_ledgers(app, dataset):
    policy = load_policy()
    assert cpd_sums.current(policy)
    expected = normalised(expected_sums(policy))
    assert len(expected) > 100
    assert stored_sums() == expected
    # Some entries were cut by a maximum, some categories are over their cap or below zero.
    assert any(claimed != allowed for claimed, allowed, _ in expected.values())
    assert any(allowed < 0 for _, allowed, _ in expected.values())
    assert cpd_sums.rebuild_for(policy) == len(expected)
    assert stored_sums() == expected


def figures(policy, today):
    """Every CPD figure of the reports for three cycles."""
    out = {}
    for year in (today.year - 2, today.year - 1, today.year):
        cycle = policy.cycle_starting(year)
        users = list(db.session.scalars(sa.select(User.id)))
        out[year] = (
            reports.compliance_and_track(policy, cycle, today),
            reports.cpd_statuses(policy, cycle, users),
            on_track(policy, cycle, today),
            points_awarded(year, policy),
            {
                status: [
                    u.id
                    for u in db.session.scalars(
                        services.members_query(
                            services.MemberFilters(cpd=status, category=category, country=country),
                            policy,
                            cycle,
                        )
                    )
                ]  # fmt: skip
                for status in ("met", "not_met", "exempt")
                for category in ("", "professional", "student", "honorary")
                for country in ("", "KE")
            },
        )
    return out


def straightforward(policy, today) -> dict:
    """The compliance table per cycle from each member's own summary (summarise on the ledger)."""
    out = {}
    for year in (today.year - 2, today.year - 1, today.year):
        cycle = policy.cycle_starting(year)
        rows: dict = {}
        members = db.session.execute(
            sa.select(User, Membership.category).join(Membership, Membership.user_id == User.id)
            .where(User.is_active_account.is_(True))
        ).all()  # fmt: skip
        for user, category in members:
            summary = member_summary(policy, user, cycle, today)
            row = rows.setdefault(category, [0, 0, False])
            row[0] += 1
            row[1] += summary.target_met and not summary.exempt
            row[2] = row[2] or summary.exempt
        out[year] = rows
    return out


def test_reports_give_the_same_figures_with_the_sums_and_from_the_ledger(app, dataset):
    policy = load_policy()
    today = local_today()
    assert reports.sums_current(policy)
    fast = figures(policy, today)
    db.session.execute(sa.delete(CpdSumsState))  # the sums unusable: the reports read the ledger
    db.session.flush()
    g.pop("cpd_sums_current", None)
    assert not reports.sums_current(policy)
    slow = figures(policy, today)
    db.session.rollback()
    assert fast == slow
    # And the compliance is what every member's own page says.
    for year, rows in straightforward(policy, today).items():
        table = {row.category: row for row in fast[year][0][0] if row.members}
        assert {c: (r.members, r.met, r.exempt) for c, r in table.items()} == {
            c: tuple(v) for c, v in rows.items()
        }
    assert any(row.met for row in fast[today.year - 1][0][0])
    # The compliance query's "on track" pass (flags per member, then counted) gives what
    # headlines.on_track() gives on its own, role and active account checked there.
    for year, (compliance_and_track, _statuses, tracked, *_rest) in fast.items():
        assert compliance_and_track[1] == tracked, year


def test_a_policy_with_other_maximums_or_cycle_does_not_read_stale_sums(app, dataset):
    policy = load_policy()
    assert cpd_sums.current(policy)
    changed = CpdPolicy(7, policy.categories, policy.targets, policy.minimums)
    assert not cpd_sums.current(changed)
    cycle = changed.cycle_starting(local_today().year - 1)
    assert cycle.start.month == 7
    # The reports fall back to the ledger for it; after a rebuild with it they read the sums.
    users = list(db.session.scalars(sa.select(User.id)))
    from_ledger = reports.cpd_statuses(changed, cycle, users)
    assert not reports.sums_current(changed)
    cpd_sums.rebuild_for(changed)
    g.pop("cpd_sums_current", None)
    assert reports.sums_current(changed) and not cpd_sums.current(policy)
    assert reports.cpd_statuses(changed, cycle, users) == from_ledger
    assert set(from_ledger.values()) == {"met", "not_met", "exempt"}
    assert stored_sums() == normalised(expected_sums(changed))


def test_syncing_a_policy_with_other_maximums_rebuilds_in_the_same_transaction(app, dataset):
    from wired4ex.catalog.models import PolicyDocument

    document = db.session.get(PolicyDocument, "cpd")
    data = dict(document.data)
    data["categories"] = [
        {**item, "max_per_activity": 3} if item["code"] == "structured" else item
        for item in data["categories"]
    ]
    document.data = data
    db.session.flush()
    changed = CpdPolicy.from_data(data)
    assert cpd_sums.current(changed)
    assert stored_sums() == normalised(expected_sums(changed))
    db.session.rollback()


def test_the_rebuild_command(app, dataset):
    db.session.execute(sa.delete(CpdSum))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["members", "rebuild-cpd-sums"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the CPD sums" in result.output
    assert stored_sums() == normalised(expected_sums(load_policy()))


def test_the_dashboard_and_filtered_list_pages_read_the_sums(app, dataset, make_user):
    make_user(email="admin@example.org", roles=("member", "admin"))
    db.session.commit()
    admin = login(app, "admin@example.org")
    year = local_today().year - 1
    assert admin.get(f"/admin/dashboard?year={year}").status_code == 200
    page = admin.get(f"/admin/members?category=professional&cpd=met&cycle={year}")
    assert page.status_code == 200


def test_a_bulk_insert_is_summed_by_the_next_rebuild(app, dataset):
    user = dataset[0]
    db.session.execute(
        sa.insert(LedgerEntry),
        [{"user_id": user.id, "source": "event", "category": "teaching", "points": Decimal("9"),
          "activity_date": date.today() - timedelta(days=3), "title": "Bulk",
          "provider": "Provider", "competencies": []}],
    )  # fmt: skip
    db.session.commit()
    policy = load_policy()
    assert stored_sums() != normalised(expected_sums(policy))
    cpd_sums.rebuild_for(policy)
    assert stored_sums() == normalised(expected_sums(policy))
