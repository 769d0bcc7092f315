"""`flask certification evaluate [--programme CODE] [--out FILE.csv]`: everyone's eligibility in
one run, as a summary and a CSV."""

import csv

import pytest

from tests.certification.conftest import LEADERSHIP_TITLE

COLUMNS = [
    "member_id",
    "name",
    "email",
    "programme",
    "eligible",
    "rules_met",
    "rules_total",
    "missing",
]


@pytest.fixture
def members(make_user, make_ahsm_eligible, synced_content, today):
    ready = make_ahsm_eligible(
        make_user(email="ready@example.org", full_name="Ready Member"), today
    )
    new = make_user(email="new@example.org", full_name="New Member", category="student")
    return ready, new


def read_csv(path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_evaluate_writes_one_row_per_member_and_programme(runner, members, tmp_path):
    ready, new = members
    out = tmp_path / "eligibility.csv"
    result = runner.invoke(args=["certification", "evaluate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "members evaluated" in result.output
    header, rows = read_csv(out)
    assert set(COLUMNS) <= set(header), header
    assert sorted((row["email"], row["programme"]) for row in rows) == [
        ("new@example.org", "AHSM"),
        ("new@example.org", "DHSM"),
        ("new@example.org", "FHSM"),
        ("ready@example.org", "AHSM"),
        ("ready@example.org", "DHSM"),
        ("ready@example.org", "FHSM"),
    ]
    by_key = {(row["email"], row["programme"]): row for row in rows}
    ready_ahsm = by_key[("ready@example.org", "AHSM")]
    assert ready_ahsm["member_id"] == str(ready.id) and ready_ahsm["name"] == "Ready Member"
    assert (ready_ahsm["eligible"], ready_ahsm["rules_met"], ready_ahsm["rules_total"]) == (
        "yes",
        "5",
        "5",
    )
    assert ready_ahsm["missing"] == ""
    new_ahsm = by_key[("new@example.org", "AHSM")]
    assert new_ahsm["member_id"] == str(new.id)
    assert (new_ahsm["eligible"], new_ahsm["rules_met"], new_ahsm["rules_total"]) == (
        "no",
        "2",
        "5",
    )
    assert f"complete {LEADERSHIP_TITLE}" in new_ahsm["missing"]
    assert "20 more CPD points within the last 24 months" in new_ahsm["missing"]
    new_dhsm = by_key[("new@example.org", "DHSM")]
    assert (
        "only for these membership categories: Professional, Associate, Life member, Corporate"
        in new_dhsm["missing"]
    )
    assert all(row["eligible"] == "no" for row in rows if row["programme"] != "AHSM")


def test_evaluate_one_programme(runner, members, tmp_path):
    out = tmp_path / "ahsm.csv"
    result = runner.invoke(
        args=["certification", "evaluate", "--programme", "AHSM", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "members evaluated" in result.output
    _header, rows = read_csv(out)
    assert sorted((row["email"], row["programme"], row["eligible"]) for row in rows) == [
        ("new@example.org", "AHSM", "no"),
        ("ready@example.org", "AHSM", "yes"),
    ]


def test_evaluate_without_a_file_prints_the_summary(runner, members):
    result = runner.invoke(args=["certification", "evaluate"])
    assert result.exit_code == 0, result.output
    assert "2 members evaluated" in result.output


def test_an_unknown_programme_is_refused(runner, members, tmp_path):
    out = tmp_path / "none.csv"
    result = runner.invoke(
        args=["certification", "evaluate", "--programme", "NOPE", "--out", str(out)]
    )
    assert result.exit_code != 0
    assert "NOPE" in result.output
