"""`flask certification evaluate` in chunks: a fixed number of SQL statements per chunk whatever
the number of members, and every decision the same as the member's own page works out (the
single-member path: one member, their status as the request reads it)."""

import csv
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.certification.conftest import FINANCING, LEADERSHIP, QUALITY
from tests.learning.test_dashboard_queries import count_queries
from wired4ex.auth.models import User
from wired4ex.certification.eligibility import evaluate_with_certificates, load_programmes
from wired4ex.extensions import db
from wired4ex.membership.models import Membership, MembershipApplication

CATEGORIES = ["professional", "student", "life", "associate"]


@pytest.fixture
def many(make_user, add_points, complete_course, give_certificate, today):
    """Build members with varied records: build(count) adds `count` more."""
    made: list[User] = []

    def build(count: int) -> list[User]:
        for _ in range(count):
            n = len(made)
            kind = n % 6
            user = make_user(
                email=f"batch{n}@example.org", full_name=f"Batch Member {n:02d}",
                category=CATEGORIES[n % 4], membership=None if kind == 0 else "approved",
            )  # fmt: skip
            if kind == 0 and n % 12 == 0:  # an application waiting for the secretariat
                db.session.add(MembershipApplication(user_id=user.id, category="professional"))
            if kind == 1:  # lapsed long ago
                membership = db.session.scalar(
                    sa.select(Membership).where(Membership.user_id == user.id)
                )
                membership.renews_on = date(2023, 1, 31)
            db.session.commit()
            for step in range(n % 5 + 1):
                day = today - timedelta(days=97 * step + n)
                add_points(user, 4 + step * 3, day, "structured", ["LG1", "FM2"][: step % 3])
                add_points(user, 12, day - timedelta(days=400), "conference", ["QS1", "DI3"])
            if n % 7 == 3:
                add_points(user, -2, today - timedelta(days=30), "structured", source="adjustment")
            for key in (LEADERSHIP, FINANCING, QUALITY)[: n % 4]:
                complete_course(user, key)
            if n % 3 == 0:
                give_certificate(user, "AHSM", issued_on=today - timedelta(days=200 + 300 * (n % 4)),
                                 status="revoked" if n % 9 == 0 else "valid")  # fmt: skip
            made.append(user)
        return made

    return build


def evaluate_counting(runner, chunk: int, out) -> int:
    with count_queries() as seen:
        result = runner.invoke(
            args=["certification", "evaluate", "--chunk", str(chunk), "--out", str(out)]
        )
    assert result.exit_code == 0, result.output
    return len(seen)


def test_statements_grow_with_chunks_not_members(runner, many, synced_content, tmp_path):
    many(3)
    out = tmp_path / "out.csv"
    evaluate_counting(runner, 3, out)  # warm: the course structure read once per version
    three_in_one = evaluate_counting(runner, 3, out)
    many(27)
    thirty_in_one = evaluate_counting(runner, 30, out)
    thirty_in_two = evaluate_counting(runner, 15, out)
    thirty_in_ten = evaluate_counting(runner, 3, out)
    print(three_in_one, thirty_in_one, thirty_in_two, thirty_in_ten)  # shown with -s
    assert three_in_one == thirty_in_one  # ten times the members, one chunk: the same count
    per_chunk = thirty_in_two - thirty_in_one
    assert 1 <= per_chunk <= 3
    assert thirty_in_ten == thirty_in_one + 9 * per_chunk


def single_path(member: User, programmes, policy, today) -> list[dict]:
    results, _held = evaluate_with_certificates([member], programmes, policy, today)
    return [result.to_json() for result in results[member.id]]


def test_batch_decisions_are_the_single_member_path(runner, many, programmes, policy, today,
                                                   tmp_path):  # fmt: skip
    members = many(30)
    every = load_programmes()
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["certification", "evaluate", "--chunk", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {(int(row["member_id"]), row["programme"]): row for row in csv.DictReader(handle)}
    assert len(rows) == 30 * len(every)
    batch, _held = evaluate_with_certificates(members, every, policy, today)
    states = set()
    for member in members:
        single = single_path(member, every, policy, today)
        assert [r.to_json() for r in batch[member.id]] == single, member.full_name
        for decision in single:
            row = rows[(member.id, decision["programme"])]
            unmet = [rule for rule in decision["rules"] if not rule["met"]]
            assert row["eligible"] == ("yes" if decision["eligible"] else "no")
            assert int(row["rules_total"]) == len(decision["rules"])
            assert int(row["rules_met"]) == len(decision["rules"]) - len(unmet)
            assert row["missing"] == "; ".join(rule["missing"] for rule in unmet)
            states |= {
                rule["have"] for rule in decision["rules"] if rule["kind"] == "good_standing"
            }
    # The records cover what the rules look at: every membership state, some members eligible.
    assert states == {"verified", "lapsed", "pending", "not_verified"}
    assert any(row["eligible"] == "yes" for row in rows.values())
