"""The eligibility engine over the real programmes: every rule, what is missing word for word,
windows to the day, caps per cycle, and a query count that does not grow with the members."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
import yaml

from tests.certification.conftest import FINANCING, LEADERSHIP, LEADERSHIP_TITLE, QUALITY
from tests.conftest import ROOT
from wired4ex.auth.models import User
from wired4ex.certification.eligibility import (
    counted_points,
    evaluate,
    months_after,
    months_before,
)
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.extensions import db

TODAY = date(2026, 11, 22)


def result_for(member, programme, policy, today=TODAY):
    (result,) = evaluate([member], [programme], policy, today)[member.id]
    return result


def rule(result, kind, label=None):
    """The one rule of a kind (and label, when the programme has several of that kind)."""
    found = [r for r in result.rules if r.kind == kind and (label is None or label in r.label)]
    assert len(found) == 1, [r.label for r in result.rules]
    return found[0]


# -- what a new member is missing, word for word ------------------------------------------------


def test_a_new_member_sees_every_missing_rule_in_words(make_user, programmes, policy):
    member = make_user(category="professional")
    results = evaluate([member], list(programmes.values()), policy, TODAY)[member.id]
    missing = {result.programme_code: [r.missing for r in result.unmet] for result in results}
    assert missing == {
        "AHSM": [
            f"complete {LEADERSHIP_TITLE}",
            "20 more CPD points within the last 24 months",
            "4 more CPD points in Leadership and governance within the last 24 months",
        ],
        "DHSM": [
            "requires a valid Associate in Health Systems Management certification",
            "complete Health Financing for County Managers",
            "complete Quality Improvement and Patient Safety",
            "60 more CPD points within the last 36 months",
            "5 more CPD points in Financial management within the last 36 months",
            "5 more CPD points in Quality and patient safety within the last 36 months",
        ],
        "FHSM": [
            "requires a valid Diplomate in Health Systems Management certification",
            f"complete {LEADERSHIP_TITLE}",
            "complete Health Financing for County Managers",
            "complete Quality Improvement and Patient Safety",
            "complete Takwimu kwa Maamuzi ya Afya",
            "150 more CPD points within the last 60 months",
            "10 more CPD points in Leadership and governance within the last 60 months",
            "3 more CPD points in Data and information within the last 60 months",
        ],
    }
    assert not any(result.eligible for result in results)
    ahsm = results[0]
    assert [r.label for r in ahsm.rules] == [
        "Member in good standing",
        "Membership category",
        f"Complete {LEADERSHIP_TITLE}",
        "20 counted CPD points within 24 months",
        "4 points in Leadership and governance within 24 months",
    ]
    assert all(r.missing is None for r in ahsm.rules if r.met)


def test_a_member_with_everything_is_eligible_for_ahsm(
    make_user, programmes, policy, make_ahsm_eligible
):
    member = make_ahsm_eligible(make_user(), TODAY)
    result = result_for(member, programmes["AHSM"], policy)
    assert result.eligible and result.unmet == []
    assert rule(result, "cpd_points").have == "20"
    assert rule(result, "domain_points").have == "10"
    assert result.to_json()["eligible"] is True


# -- membership category ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "category", "allowed", "missing"),
    [
        (
            "DHSM",
            "student",
            False,
            "only for these membership categories: Professional, Associate, Life member, Corporate",
        ),
        (
            "DHSM",
            "honorary",
            False,
            "only for these membership categories: Professional, Associate, Life member, Corporate",
        ),
        ("DHSM", "associate", True, None),
        (
            "FHSM",
            "associate",
            False,
            "only for these membership categories: Professional, Life member, Honorary",
        ),
        ("FHSM", "honorary", True, None),
        ("AHSM", "student", True, None),
    ],
)
def test_membership_category(make_user, programmes, policy, code, category, allowed, missing):
    member = make_user(category=category)
    membership = rule(result_for(member, programmes[code], policy), "membership")
    assert membership.met is allowed
    assert membership.missing == missing
    assert membership.have == category


# -- prerequisite certification -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "met"),
    [
        ("valid", True),
        ("valid on its last day", True),
        ("expired yesterday", False),
        ("revoked", False),
        ("absent", False),
        ("held by someone else", False),
        ("another programme", False),
    ],
)
def test_prerequisite_certification(make_user, programmes, policy, give_certificate, held, met):
    member = make_user()
    if held == "valid":
        give_certificate(member, "AHSM", date(2025, 1, 10))
    elif held == "valid on its last day":
        give_certificate(member, "AHSM", date(2023, 11, 22), expires_on=TODAY)
    elif held == "expired yesterday":
        give_certificate(member, "AHSM", date(2023, 11, 21), expires_on=date(2026, 11, 21))
    elif held == "revoked":
        give_certificate(member, "AHSM", date(2025, 1, 10), status="revoked")
    elif held == "held by someone else":
        give_certificate(make_user(), "AHSM", date(2025, 1, 10))
    elif held == "another programme":
        give_certificate(member, "FHSM", date(2025, 1, 10))
    results = evaluate([member], list(programmes.values()), policy, TODAY)[member.id]
    dhsm = next(result for result in results if result.programme_code == "DHSM")
    prerequisite = rule(dhsm, "prerequisite")
    assert prerequisite.label == "Valid Associate in Health Systems Management certification"
    assert prerequisite.met is met
    assert prerequisite.missing == (
        None if met else "requires a valid Associate in Health Systems Management certification"
    )


def test_the_prerequisite_reads_the_same_when_one_programme_is_evaluated(
    make_user, programmes, policy
):
    """The admin's application page and `--programme` evaluate a single programme; what is missing
    must read as it does on the member's page, which evaluates them all."""
    member = make_user()
    alone = rule(result_for(member, programmes["DHSM"], policy), "prerequisite")
    assert alone.label == "Valid Associate in Health Systems Management certification"
    assert alone.missing == "requires a valid Associate in Health Systems Management certification"


# -- required courses ---------------------------------------------------------------------------


def test_required_courses_count_only_the_members_own_completions(
    make_user, programmes, policy, complete_course
):
    member, other = make_user(), make_user()
    complete_course(member, FINANCING)
    complete_course(other, QUALITY)
    complete_course(other, LEADERSHIP)
    dhsm = result_for(member, programmes["DHSM"], policy)
    financing = rule(dhsm, "course", "Health Financing")
    quality = rule(dhsm, "course", "Quality Improvement")
    assert financing.met and financing.missing is None
    assert not quality.met
    assert quality.missing == "complete Quality Improvement and Patient Safety"
    ahsm = result_for(member, programmes["AHSM"], policy)
    assert rule(ahsm, "course").missing == f"complete {LEADERSHIP_TITLE}"
    assert rule(result_for(other, programmes["AHSM"], policy), "course").met


# -- counted CPD points: caps per cycle, windows to the day ----------------------------------------


def test_thirty_conference_points_in_one_cycle_count_as_twenty(
    make_user, programmes, policy, add_points
):
    member = make_user()
    add_points(member, 10, date(2026, 3, 1), "conference")
    add_points(member, 10, date(2026, 6, 1), "conference")
    add_points(member, 10, date(2026, 9, 1), "conference")
    points = rule(result_for(member, programmes["AHSM"], policy), "cpd_points")
    assert (points.have, points.need, points.met, points.missing) == ("20", "20", True, None)


def test_caps_apply_per_cycle_not_per_window(make_user, programmes, policy, add_points):
    member = make_user()
    for day in (date(2025, 2, 1), date(2025, 8, 1), date(2026, 2, 1), date(2026, 8, 1)):
        add_points(member, 10, day, "conference")  # 20 in 2025 and 20 in 2026: both at the cap
    add_points(member, 10, date(2026, 8, 2), "conference")  # over the 2026 cap
    dhsm = rule(result_for(member, programmes["DHSM"], policy), "cpd_points")
    assert dhsm.have == "40"
    assert dhsm.missing == "20 more CPD points within the last 36 months"


def test_cap_applies_to_the_part_of_a_cycle_inside_the_window(
    make_user, programmes, policy, add_points
):
    member = make_user()
    add_points(member, 10, date(2024, 6, 1), "conference")  # outside the 24 months ...
    add_points(member, 10, date(2024, 7, 1), "conference")  # ... already at the 2024 cap
    add_points(member, 10, date(2024, 11, 30), "conference")  # inside, same 2024 cycle
    add_points(member, 4, date(2024, 12, 1), "structured", ["LG1"])
    points = rule(result_for(member, programmes["AHSM"], policy), "cpd_points")
    assert points.have == "14"
    assert points.missing == "6 more CPD points within the last 24 months"


def test_every_category_is_capped_and_fractions_are_kept(make_user, programmes, policy, add_points):
    member = make_user()
    for _ in range(5):
        add_points(member, 10, date(2026, 5, 4), "structured")  # 50, capped at 40
    add_points(member, 5, date(2026, 5, 4), "teaching")  # one activity earns at most 5
    add_points(member, 2.5, date(2026, 5, 5), "teaching")
    add_points(member, 1.5, date(2025, 5, 4), "self_directed")
    points = rule(result_for(member, programmes["DHSM"], policy), "cpd_points")
    assert points.have == "49"
    assert points.missing == "11 more CPD points within the last 36 months"
    member_two = make_user()
    for _ in range(3):
        add_points(member_two, 1.5, date(2026, 5, 4), "structured")
    points = rule(result_for(member_two, programmes["AHSM"], policy), "cpd_points")
    assert (points.have, points.missing) == (
        "4.5",
        "15.5 more CPD points within the last 24 months",
    )


def test_adjustments_reduce_the_counted_points(make_user, programmes, policy, add_points):
    member = make_user()
    add_points(member, 10, date(2026, 5, 4), "structured")
    add_points(member, -4, date(2026, 6, 4), "structured", source="adjustment")
    assert rule(result_for(member, programmes["AHSM"], policy), "cpd_points").have == "6"


@pytest.mark.parametrize(
    ("day", "counts"),
    [
        (date(2024, 11, 21), False),  # 24 months and a day before 22 November 2026
        (date(2024, 11, 22), True),  # exactly 24 months before: inside
        (date(2026, 11, 22), True),  # today
        (date(2026, 11, 23), False),  # a date in the future is not yet an activity
    ],
)
def test_the_window_to_the_day(make_user, programmes, policy, add_points, day, counts):
    member = make_user()
    add_points(member, 5, day, "structured", ["LG2"])
    result = result_for(member, programmes["AHSM"], policy)
    points, domain = rule(result, "cpd_points"), rule(result, "domain_points")
    if counts:
        assert (points.have, domain.have) == ("5", "5")
        assert points.missing == "15 more CPD points within the last 24 months"
        assert domain.met and domain.missing is None
    else:
        assert (points.have, domain.have) == ("0", "0")
        assert points.missing == "20 more CPD points within the last 24 months"
        assert domain.missing == (
            "4 more CPD points in Leadership and governance within the last 24 months"
        )


def test_the_window_from_the_last_day_of_february(make_user, programmes, policy, add_points):
    """On 29 February 2028, 24 months back is 28 February 2026 (there is no 29th in 2026)."""
    member = make_user()
    add_points(member, 3, date(2026, 2, 27), "structured")
    add_points(member, 5, date(2026, 2, 28), "structured")
    points = rule(result_for(member, programmes["AHSM"], policy, date(2028, 2, 29)), "cpd_points")
    assert points.have == "5"


def test_counted_points_directly():
    policy = CpdPolicy.from_data(yaml.safe_load((ROOT / "content/policy/cpd.yml").read_text()))
    entries = [
        # Adjustments: no per-activity maximum applies to a correction.
        (date(2025, 12, 31), "conference", Decimal("15"), (), "adjustment"),
        (date(2026, 1, 1), "conference", Decimal("15"), (), "adjustment"),
        (date(2026, 1, 2), "conference", Decimal("15"), (), "adjustment"),
        (date(2026, 1, 3), "unknown-category", Decimal("2"), (), "claim"),
    ]
    assert counted_points(policy, entries, date(2025, 1, 1), date(2026, 12, 31)) == Decimal("37")
    assert counted_points(policy, entries, date(2026, 1, 1), date(2026, 12, 31)) == Decimal("22")
    assert counted_points(policy, entries, date(2026, 1, 2), date(2026, 1, 2)) == Decimal("15")
    # An activity counts at most the category's max_per_activity (conference: 10).
    activity = [(date(2026, 1, 2), "conference", Decimal("15"), (), "module")]
    assert counted_points(policy, activity, date(2026, 1, 1), date(2026, 12, 31)) == Decimal("10")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 22), 24, date(2024, 11, 22)),
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 31), 1, date(2025, 12, 31)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2028, 2, 29), 24, date(2026, 2, 28)),
        (date(2026, 11, 22), 0, date(2026, 11, 22)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 22), 36, date(2029, 11, 22)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 10, 31), 60, date(2031, 10, 31)),
    ],
)
def test_months_after(day, months, expected):
    assert months_after(day, months) == expected


# -- competency domain points ---------------------------------------------------------------------


def test_domain_points_count_activities_addressing_the_domain(
    make_user, programmes, policy, add_points
):
    member = make_user()
    add_points(member, 1.5, date(2026, 5, 4), "structured", ["LG1", "LG2"])  # counts once
    add_points(member, 1, date(2026, 5, 5), "structured", ["LG3", "FM1"])
    add_points(member, 6, date(2026, 5, 6), "structured", ["FM1", "QS1"])  # no LG
    add_points(member, 9, date(2026, 5, 7), "conference")  # no competency at all
    domain = rule(result_for(member, programmes["AHSM"], policy), "domain_points")
    assert domain.label == "4 points in Leadership and governance within 24 months"
    assert (domain.have, domain.need, domain.met) == ("2.5", "4", False)
    assert domain.missing == (
        "1.5 more CPD points in Leadership and governance within the last 24 months"
    )
    dhsm = result_for(member, programmes["DHSM"], policy)
    finance = rule(dhsm, "domain_points", "Financial management")
    quality = rule(dhsm, "domain_points", "Quality and patient safety")
    assert (finance.have, finance.met) == ("7", True)
    assert (quality.have, quality.met) == ("6", True)


def test_domain_points_use_each_rules_own_window(make_user, programmes, policy, add_points):
    member = make_user()
    add_points(member, 5, date(2022, 11, 22), "structured", ["DI1"])  # 48 months back
    add_points(member, 5, date(2021, 11, 21), "structured", ["DI2"])  # 60 months and a day
    fhsm = result_for(member, programmes["FHSM"], policy)
    data = rule(fhsm, "domain_points", "Data and information")
    assert (data.have, data.met) == ("5", True)
    assert rule(fhsm, "cpd_points").have == "5"  # the 60-month window too
    ahsm = result_for(member, programmes["AHSM"], policy)
    assert rule(ahsm, "cpd_points").have == "0"


# -- queries ---------------------------------------------------------------------------------------


def _statements_for(member_ids, programmes, policy) -> int:
    db.session.commit()
    db.session.expunge_all()
    members = list(db.session.scalars(sa.select(User).where(User.id.in_(member_ids))))
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        results = evaluate(members, programmes, policy, TODAY)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert set(results) == set(member_ids)
    assert all(len(r) == len(programmes) for r in results.values())
    return len(seen)


def test_evaluate_does_not_query_per_member_or_rule(
    make_user, programmes, policy, add_points, complete_course, give_certificate
):
    members = []
    for number in range(30):
        member = make_user(category=("professional", "student", "life")[number % 3])
        add_points(member, 10, date(2026, 5, 4), "structured", ["LG1", "FM1"])
        add_points(member, 5, date(2025, 5, 4), "conference", ["QS1", "DI1"])
        complete_course(member, LEADERSHIP)
        if number % 2:
            complete_course(member, FINANCING)
            give_certificate(member, "AHSM", date(2025, 1, 10))
        members.append(member.id)
    all_programmes = list(programmes.values())
    one = _statements_for(members[:1], all_programmes, policy)
    thirty = _statements_for(members, all_programmes, policy)
    assert one == thirty, (one, thirty)
    assert thirty <= 10, thirty
