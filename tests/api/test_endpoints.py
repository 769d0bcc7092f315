"""Every endpoint's data against the known fixture in conftest.py."""

import pytest

from wired4ex.cpd.verifiable import format_code


def test_catalog_lists_published_courses_with_totals_and_links(api_get):
    body = api_get("/catalog/courses?per_page=2").get_json()
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    assert [c["id"] for c in body["data"]] == [
        "eaihm/quality-improvement",
        "eaihm/takwimu-kwa-maamuzi",
    ]
    quality = body["data"][0]
    assert (quality["module_count"], quality["minutes"], quality["cpd_points"]) == (4, 210, 5.0)
    assert quality["institution"]["short_name"] == "EAIHM"
    assert quality["links"]["self"] == "/api/v1/courses/eaihm/quality-improvement"
    assert quality["other_edition"] == {
        "id": "eaihm/ubora-wa-huduma",
        "language": "sw",
        "links": {"self": "/api/v1/courses/eaihm/ubora-wa-huduma"},
    }
    assert body["data"][1]["other_edition"] is None  # takwimu-kwa-maamuzi has no other edition
    assert body["links"]["next"] == "/api/v1/catalog/courses?per_page=2&page=2"
    assert body["links"]["prev"] is None
    second = api_get(body["links"]["next"].removeprefix("/api/v1")).get_json()
    assert [c["id"] for c in second["data"]] == [
        "eaihm/ubora-wa-huduma",  # by institution, then title
        "lake-region-university/health-financing",
    ]
    assert [(c["minutes"], c["cpd_points"]) for c in second["data"]] == [(105, 2.5), (210, 7.0)]
    third = api_get(second["links"]["next"].removeprefix("/api/v1")).get_json()
    assert [c["id"] for c in third["data"]] == ["lake-region-university/county-health-leadership"]
    assert [(c["minutes"], c["cpd_points"]) for c in third["data"]] == [(190, 6.0)]
    assert third["links"]["next"] is None


@pytest.mark.parametrize(
    "query, ids",
    [
        ("language=sw", ["eaihm/takwimu-kwa-maamuzi", "eaihm/ubora-wa-huduma"]),
        ("institution=lake-region-university&language=en",
         ["lake-region-university/health-financing",
          "lake-region-university/county-health-leadership"]),
        ("competency=QS4",
         ["eaihm/quality-improvement", "lake-region-university/county-health-leadership"]),
        ("institution=nowhere", []),
    ],
)  # fmt: skip
def test_catalog_filters(api_get, query, ids):
    body = api_get(f"/catalog/courses?{query}").get_json()
    assert [c["id"] for c in body["data"]] == ids
    assert body["pagination"]["total"] == len(ids)


def test_course_overview_and_modules(api_get):
    body = api_get("/courses/eaihm/quality-improvement").get_json()
    assert body["title"] == "Quality Improvement and Patient Safety"
    modules = body["modules"]
    assert [m["id"] for m in modules] == [
        "what-is-quality", "improvement-cycles", "patient-safety", "standards-and-client-voice",
    ]  # fmt: skip
    assert [m["cpd_points"] for m in modules] == [1.0, 1.5, 1.5, 1.0]
    assert [m["minutes"] for m in modules] == [45, 60, 60, 45]
    assert modules[3]["pass_mark"] == 80 and modules[3]["knowledge_check"] is True
    assert "<script" not in body["overview_html"]
    assert api_get("/courses/eaihm/no-such-course").status_code == 404


def test_verify_statement_shows_the_snapshot(api_get, world):
    body = api_get(f"/verify/{format_code(world.statement_code).lower()}").get_json()
    assert body["type"] == "statement" and body["status"] == "valid"
    assert body["code"] == format_code(world.statement_code)
    assert body["member"] == {
        "name": "Alice Achieng", "membership_number": "HESMA/0001",
        "membership_category": "professional", "membership_state": "verified",
    }  # fmt: skip
    assert body["membership_today"]["state"] == "verified"
    assert body["membership_today"]["number"] == "HESMA/0001"
    assert (body["claimed"], body["counted"], body["target"]) == (55.0, 49.0, 40.0)
    assert body["target_met"] is False
    assert body["issued_at"] == "2026-01-10T07:00:00+00:00"
    assert body["period"] == {"start": "2025-01-01", "end": "2025-12-31", "label": "2025"}
    assert [(c["claimed"], c["counted"], c["cap"]) for c in body["categories"]] == [
        (46.0, 40.0, 40.0), (8.0, 8.0, 20.0), (1.0, 1.0, 10.0),
    ]  # fmt: skip
    assert "email" not in str(body)


def test_verify_certificates_valid_and_revoked(api_get, world):
    valid = api_get("/verify/ABCD-EFGH-JKMN").get_json()
    assert valid["type"] == "certificate" and valid["status"] == "valid"
    assert valid["holder"] == "Bob Baraka" and valid["programme"]["code"] == "AHSM"
    revoked = api_get(f"/verify/{world.revoked_certificate_code}").get_json()
    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"] == "2025-02-01T12:00:00+00:00"
    missing = api_get("/verify/AAAA-AAAA-AAAA")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_me(api_get):
    body = api_get("/me", as_="alice").get_json()
    assert body["email"] == "alice@example.org"
    assert body["roles"] == ["member"]
    assert body["membership_number"] == "HESMA/0001"
    assert body["created_at"].endswith("+00:00")


def test_my_enrolments_progress(api_get):
    [enrolment] = api_get("/me/enrolments", as_="alice").get_json()["data"]
    assert enrolment["course"]["id"] == "eaihm/quality-improvement"
    assert (enrolment["modules_done"], enrolment["modules_total"], enrolment["percent"]) == (
        1, 4, 25,
    )  # fmt: skip
    assert enrolment["status"] == "in_progress"
    assert enrolment["enrolled_at"] == "2025-05-01T08:00:00+00:00"
    assert enrolment["modules"][0]["completed_at"] == "2025-05-05T09:30:00+00:00"
    assert api_get("/me/enrolments", as_="bob").get_json() == {"data": []}


def test_my_cpd_for_a_cycle(api_get):
    body = api_get("/me/cpd?cycle=2025", as_="alice").get_json()
    assert body["cycle"] == {"year": 2025, "label": "2025", "start": "2025-01-01",
                             "end": "2025-12-31"}  # fmt: skip
    assert (body["claimed"], body["counted"], body["target"]) == (55.0, 49.0, 40.0)
    assert body["still_needed"] == 0.0
    assert body["target_met"] is False and body["unmet_minimums"] == ["association"]
    assert body["expected_by_today"] == 40.0  # a past cycle expects the whole target
    categories = {c["code"]: c for c in body["categories"]}
    assert (categories["structured"]["claimed"], categories["structured"]["counted"]) == (46, 40)
    assert categories["structured"]["over_cap"] == 6.0
    assert categories["association"]["minimum"] == 2.0
    assert categories["association"]["minimum_met"] is False
    assert [(e["date"], e["points"], e["source"]) for e in body["entries"]] == [
        ("2025-10-01", 1.0, "adjustment"), ("2025-09-10", 8.0, "adjustment"),
        ("2025-06-01", 15.0, "adjustment"), ("2025-05-05", 1.0, "module"),
        ("2025-03-01", 30.0, "adjustment"),
    ]  # fmt: skip
    earlier = api_get("/me/cpd?cycle=2024", as_="alice").get_json()
    assert (earlier["claimed"], earlier["counted"]) == (5.0, 5.0)


def test_my_cpd_defaults_to_the_current_cycle(api_get, world):
    from wired4ex.timeutil import local_today

    body = api_get("/me/cpd", as_="carol").get_json()
    assert body["cycle"]["year"] == local_today().year
    assert (body["claimed"], body["counted"], body["target"]) == (12.0, 12.0, 30.0)


def test_my_certifications_per_rule(api_get):
    [ahsm, dhsm, fhsm] = api_get("/me/certifications", as_="carol").get_json()["data"]
    assert [ahsm["programme"]["code"], dhsm["programme"]["code"], fhsm["programme"]["code"]] == [
        "AHSM", "DHSM", "FHSM",
    ]  # fmt: skip
    assert ahsm["eligible"] is False and ahsm["can_apply"] is False
    points = next(rule for rule in ahsm["rules"] if rule["kind"] == "cpd_points")
    assert (points["have"], points["need"], points["met"]) == ("12", "20", False)
    assert ahsm["missing"] == [
        "complete Leadership and Governance in County Health Systems",
        "8 more CPD points within the last 24 months",
        "4 more CPD points in Leadership and governance within the last 24 months",
    ]
    # Carol is an associate: the Fellow programme is not open to her category.
    assert (fhsm["rules"][0]["kind"], fhsm["rules"][0]["met"]) == ("good_standing", True)
    membership = fhsm["rules"][1]
    assert (membership["kind"], membership["met"]) == ("membership", False)


def test_my_certifications_show_certificates(api_get):
    [ahsm, *_rest] = api_get("/me/certifications", as_="bob").get_json()["data"]
    assert ahsm["certificate"]["code"] == "ABCD-EFGH-JKMN"
    assert ahsm["certificate"]["status"] == "valid"


def test_my_statements(api_get, world):
    [statement] = api_get("/me/statements", as_="alice").get_json()["data"]
    assert statement["code"] == format_code(world.statement_code)
    assert (statement["claimed"], statement["counted"]) == (55.0, 49.0)
    assert statement["links"]["verify"] == f"/api/v1/verify/{format_code(world.statement_code)}"
    assert api_get("/me/statements", as_="bob").get_json() == {"data": []}


@pytest.mark.parametrize(
    "query, names",
    [
        ("", ["Ada Admin", "Alice Achieng", "Bob Baraka", "Carol Chebet", "Dan Dormant",
              "Faith Faculty"]),
        ("q=ali", ["Alice Achieng"]),
        ("q=HESMA%2F0001", ["Alice Achieng"]),
        ("q=EAIHM.EXAMPLE", ["Faith Faculty"]),
        ("q=%25", []),
        ("membership_category=student", ["Bob Baraka"]),
        ("role=admin", ["Ada Admin"]),
        ("institution=eaihm", ["Faith Faculty"]),
        ("country=ug", ["Bob Baraka"]),
        ("active=false", ["Dan Dormant"]),
        ("active=true&role=faculty", ["Faith Faculty"]),
    ],
)  # fmt: skip
def test_members_search_and_filters(api_get, query, names):
    body = api_get(f"/members?{query}", as_="ada").get_json()
    assert [m["full_name"] for m in body["data"]] == names
    assert body["pagination"]["total"] == len(names)


def test_members_pagination(api_get):
    body = api_get("/members?per_page=4&page=2", as_="ada").get_json()
    assert [m["full_name"] for m in body["data"]] == ["Dan Dormant", "Faith Faculty"]
    assert body["pagination"] == {"page": 2, "per_page": 4, "total": 6, "pages": 2}
    assert body["links"]["prev"] == "/api/v1/members?per_page=4&page=1"
    assert body["links"]["next"] is None
    beyond = api_get("/members?per_page=4&page=9", as_="ada").get_json()
    assert beyond["data"] == [] and beyond["pagination"]["total"] == 6


def test_member_cpd_for_admins(api_get, world):
    body = api_get(f"/members/{world.alice.id}/cpd?cycle=2025", as_="ada").get_json()
    assert body["member"]["full_name"] == "Alice Achieng"
    assert (body["claimed"], body["counted"]) == (55.0, 49.0)
    assert api_get("/members/999999/cpd", as_="ada").status_code == 404


def test_cpd_compliance_report(api_get):
    body = api_get("/reports/cpd-compliance?cycle=2025", as_="ada").get_json()
    assert body["counts"] == {"members": 5, "met": 1, "not_met": 3, "exempt": 1}
    rows = {row["member"]["full_name"]: row for row in body["data"]}
    assert list(rows) == ["Ada Admin", "Alice Achieng", "Bob Baraka", "Carol Chebet",
                          "Faith Faculty"]  # fmt: skip
    assert (rows["Alice Achieng"]["counted"], rows["Alice Achieng"]["target_met"]) == (49, False)
    assert (rows["Bob Baraka"]["counted"], rows["Bob Baraka"]["target_met"]) == (10.0, True)
    assert rows["Faith Faculty"]["exempt"] is True and rows["Faith Faculty"]["target"] is None
    met = api_get("/reports/cpd-compliance?cycle=2025&status=met", as_="ada").get_json()
    assert [row["member"]["full_name"] for row in met["data"]] == ["Bob Baraka"]
    assert met["counts"]["members"] == 5  # counts cover the whole cycle, not the page
    students = api_get(
        "/reports/cpd-compliance?cycle=2025&membership_category=student&per_page=1", as_="ada"
    ).get_json()
    assert students["counts"] == {"members": 1, "met": 1, "not_met": 0, "exempt": 0}
