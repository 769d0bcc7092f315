"""Ledger arithmetic: caps, minimums, exemption, pace and cycle boundaries."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.services import summarise
from wired4ex.learning.models import LedgerEntry

POLICY = CpdPolicy.from_data(
    {
        "cycle": {"start_month": 1},
        "categories": [
            {"code": "structured", "name": "Structured", "cap": 40, "max_per_activity": 10},
            {"code": "conference", "name": "Conferences", "cap": 20},
            {"code": "association", "name": "Association", "cap": 10},
            {"code": "self_directed", "name": "Self-directed"},
        ],
        "targets": {
            "student": 10,
            "professional": 40,
            "associate": 30,
            "life": 20,
            "corporate": 30,
            "honorary": "exempt",
        },  # fmt: skip
        "minimums": {"association": 2},
    }
)
CYCLE_2026 = POLICY.cycle_starting(2026)


def entry(points, category="structured", day=date(2026, 5, 1)) -> LedgerEntry:
    return LedgerEntry(
        points=Decimal(str(points)), category=category, activity_date=day, title="t",
        provider="p", source="module", user_id=1,
    )  # fmt: skip


def totals(summary):
    return {t.code: (t.claimed, t.counted) for t in summary.categories}


def test_points_over_a_cap_are_kept_but_not_counted():
    entries = [entry(30, "conference"), entry(5, "association")]
    summary = summarise(POLICY, entries, "professional", CYCLE_2026, date(2026, 6, 1))
    assert totals(summary)["conference"] == (Decimal("30"), Decimal("20"))
    assert summary.claimed == Decimal("35") and summary.counted == Decimal("25")
    assert summary.categories[1].over_cap == Decimal("10")


def test_target_met_needs_the_category_minimum():
    entries = [entry(10), entry(10), entry(10), entry(10), entry(20, "conference")]
    summary = summarise(POLICY, entries, "professional", CYCLE_2026, date(2026, 12, 31))
    assert summary.counted == Decimal("60")
    assert not summary.target_met
    assert [t.code for t in summary.unmet_minimums] == ["association"]
    summary = summarise(POLICY, [*entries, entry(2, "association")], "professional", CYCLE_2026,
                        date(2026, 12, 31))  # fmt: skip
    assert summary.target_met and summary.still_needed == 0


def test_honorary_members_are_exempt():
    summary = summarise(POLICY, [], "honorary", CYCLE_2026, date(2026, 6, 1))
    assert summary.exempt and summary.target_met
    assert summary.unmet_minimums == [] and summary.expected_by_today is None


@pytest.mark.parametrize(
    ("category", "target"),
    [("student", 10), ("professional", 40), ("associate", 30), ("life", 20), ("corporate", 30)],
)
def test_targets_by_membership_category(category, target):
    summary = summarise(POLICY, [entry(4)], category, CYCLE_2026, date(2026, 6, 1))
    assert summary.target == Decimal(target)
    assert summary.still_needed == Decimal(target) - 4


def test_pace_is_the_share_of_the_cycle_elapsed():
    # 2 July is day 183 of 365: 40 * 183 / 365 = 20.05, shown to the half point.
    summary = summarise(POLICY, [entry(8)], "professional", CYCLE_2026, date(2026, 7, 2))
    assert summary.expected_by_today == Decimal("20")
    assert summary.behind_pace
    past = summarise(POLICY, [], "professional", CYCLE_2026, date(2027, 3, 1))
    assert past.expected_by_today == Decimal("40")


def test_negative_adjustments_reduce_but_never_below_zero():
    summary = summarise(POLICY, [entry(5), entry(-8)], "professional", CYCLE_2026, date(2026, 6, 1))
    assert totals(summary)["structured"] == (Decimal("-3"), Decimal("0"))
    assert summary.counted == 0


def test_entries_outside_the_cycle_do_not_count():
    entries = [entry(5, day=date(2025, 12, 31)), entry(3, day=date(2026, 1, 1)),
               entry(2, day=date(2026, 12, 31)), entry(7, day=date(2027, 1, 1))]  # fmt: skip
    summary = summarise(POLICY, entries, "professional", CYCLE_2026, date(2026, 6, 1))
    assert summary.counted == Decimal("5")


def test_cycle_with_another_start_month():
    policy = CpdPolicy.from_data({"cycle": {"start_month": 7}, "categories": [], "targets": {}})
    assert policy.cycle_for(date(2026, 6, 30)).label == "2025/26"
    cycle = policy.cycle_for(date(2026, 7, 1))
    assert (cycle.start, cycle.end, cycle.label) == (date(2026, 7, 1), date(2027, 6, 30), "2026/27")


def test_completion_at_midnight_east_africa_time_falls_in_the_right_cycle(app):
    from wired4ex.timeutil import local_date

    last_minute = datetime(2026, 12, 31, 20, 59, tzinfo=UTC)  # 23:59 in Nairobi
    first_minute = datetime(2026, 12, 31, 21, 0, tzinfo=UTC)  # 00:00 on 1 January
    assert POLICY.cycle_for(local_date(last_minute)).key == 2026
    assert POLICY.cycle_for(local_date(first_minute)).key == 2027
