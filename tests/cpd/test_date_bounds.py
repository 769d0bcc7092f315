"""Every date a person enters is bounded (claims and adjustments: 1990 to today; cycles and
statement periods: 1990 to next year), in the form, the service and the API; and a row dated
9999-12-30 written straight into the database breaks no page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, issue_statement, submit
from tests.cpd.conftest import claim_input
from wired4ex.cpd import services
from wired4ex.cpd.models import Claim, Statement
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

FAR = date(9999, 12, 30)
CLAIM = {
    "title": "Regional quality improvement summit",
    "provider": "East African Health Quality Network",
    "category": "conference",
    "start_date": "2026-03-10",
    "end_date": "2026-03-12",
    "hours": "18",
    "points_claimed": "8",
    "reflection": "We introduced weekly run charts in the maternity ward after the summit.",
    "save_draft": "1",
}


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def people(make_user, policy):
    member = make_user(email="claimant@example.org")
    admin = make_user(email="reviewer@hesma.example", roles=("member", "admin"))
    return member, admin


def out_of_bounds() -> list[str]:
    today = local_today()
    return ["9999-12-30", "1989-12-31", (today + timedelta(days=1)).isoformat(), "0001-01-01"]


def test_claim_dates_are_bounded_in_the_form(app, people):
    client = login(app, "claimant@example.org")
    for day in out_of_bounds():
        for field in ("start_date", "end_date"):
            data = {**CLAIM, field: day}
            if field == "start_date":
                data["end_date"] = day if day > CLAIM["end_date"] else CLAIM["end_date"]
            response = submit(client, "/cpd/claims/new", data)
            assert response.status_code == 400, (field, day)
            assert "Enter a date from January 1, 1990 to" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    edge = submit(client, "/cpd/claims/new", {**CLAIM, "start_date": "1990-01-01"})
    assert edge.status_code == 302


def test_claim_dates_are_bounded_in_the_service(people, policy):
    member, _admin = people
    for day in (FAR, date(1989, 12, 31), local_today() + timedelta(days=1)):
        data = claim_input(start_date=min(day, date(2026, 3, 10)), end_date=day)
        assert any(field == "end_date" for field, _ in services.check_claim(policy, data))
        with pytest.raises(services.CpdError):
            services.save_claim(member, data, policy=policy)
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0


def test_adjustment_dates_are_bounded_in_the_form_and_the_service(app, people, policy):
    member, admin = people
    client = login(app, "reviewer@hesma.example")
    for day in out_of_bounds():
        form = {"points": "2", "category": "structured", "activity_date": day, "reason": "Fix"}
        response = submit(client, f"/cpd/members/{member.id}/adjust", form,
                          page=f"/cpd/members/{member.id}")  # fmt: skip
        assert response.status_code == 400, day
        assert "Enter a date from January 1, 1990 to" in response.get_data(as_text=True)
        with pytest.raises(services.CpdError):
            services.adjust(member, admin, Decimal("2"), "structured", date.fromisoformat(day),
                            "Fix", policy)  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0


def test_cycle_and_period_inputs_are_bounded(app, people):
    client = login(app, "claimant@example.org")
    next_year, beyond = local_today().year + 1, local_today().year + 2
    assert client.get(f"/cpd/?cycle={next_year}").status_code == 200
    assert client.get("/cpd/?cycle=1990").status_code == 200
    for year in (1989, beyond, 9999):
        assert client.get(f"/cpd/?cycle={year}").status_code == 404
        assert client.get(f"/cpd/statement.pdf?cycle={year}").status_code == 400
        assert issue_statement(client, "pdf", cycle=year).status_code == 400
        assert client.get(f"/api/v1/me/cpd?cycle={year}").status_code == 400
    for start, end in (("1989-12-31", "1990-06-30"), ("2026-01-01", f"{beyond}-01-01")):
        assert client.get(f"/cpd/statement.pdf?start={start}&end={end}").status_code == 400
        refused = issue_statement(client, "pdf", start=start, end=end)
        assert refused.status_code == 400
        assert "Enter a date from January 1, 1990 to" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Statement.id))) == 0
    document = client.get("/api/v1/openapi.json").get_json()
    cycle = next(p for p in document["paths"]["/me/cpd"]["get"]["parameters"]
                 if p["name"] == "cycle")  # fmt: skip
    assert (cycle["schema"]["minimum"], cycle["schema"]["maximum"]) == (1990, next_year)


def test_rows_dated_year_9999_break_no_page(app, people, make_claim):
    """Rows written before the bounds (or by hand) still show; no page answers 500."""
    member, admin = people
    make_claim(member)  # an ordinary claim, so the member has something to see
    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(Claim.__table__).values(
                user_id=member.id, title="Dated far in the future", provider="Nobody",
                category="conference", start_date=FAR, end_date=FAR, hours=1, points_claimed=1,
                reflection="Inserted directly into the database.", competencies=[],
                status="submitted", version=1,
            )
        )  # fmt: skip
        connection.execute(
            sa.insert(LedgerEntry.__table__).values(
                user_id=member.id, source="adjustment", activity_date=FAR, title="Far",
                provider="Nobody", category="structured", points=Decimal("3"), competencies=[],
                reason="Inserted directly.", created_by_id=admin.id,
            )
        )  # fmt: skip
    far_claim = db.session.scalar(sa.select(Claim).where(Claim.end_date == FAR))
    own = login(app, "claimant@example.org")
    for url in ("/cpd/", "/cpd/statements", f"/cpd/claims/{far_claim.id}", "/",
                "/api/v1/me/cpd", "/certification/"):  # fmt: skip
        assert own.get(url).status_code == 200, url
    assert issue_statement(own, "pdf").status_code == 200
    assert issue_statement(own, "csv", start="2026-01-01", end="2026-06-30").status_code == 200
    secretariat = login(app, "reviewer@hesma.example")
    for url in (f"/cpd/members/{member.id}", f"/admin/members/{member.id}", "/cpd/review",
                f"/cpd/review/{far_claim.id}", f"/api/v1/members/{member.id}/cpd",
                "/admin/members", "/admin/", "/cpd/audits"):  # fmt: skip
        response = secretariat.get(url, follow_redirects=True)
        assert response.status_code == 200, url
    form = {"points": "2", "category": "structured", "activity_date": local_today().isoformat(),
            "reason": "Correction"}  # fmt: skip
    adjusted = submit(secretariat, f"/cpd/members/{member.id}/adjust", form,
                      page=f"/cpd/members/{member.id}")  # fmt: skip
    assert adjusted.status_code == 302
    refused = submit(secretariat, f"/cpd/members/{member.id}/adjust", {**form, "reason": ""},
                     page=f"/cpd/members/{member.id}")  # fmt: skip
    assert refused.status_code == 400


def test_the_audit_log_filter_dates_are_bounded(app, people):
    secretariat = login(app, "reviewer@hesma.example")
    for query in ("end=9999-12-31", "start=0001-01-01", "start=1989-01-01&end=9999-12-31"):
        for url in (f"/admin/audit?{query}", f"/admin/audit.csv?{query}"):
            assert secretariat.get(url).status_code == 200, url
    page = secretariat.get("/admin/audit?end=9999-12-31").get_data(as_text=True)
    assert "Enter a date from January 1, 1990 to" in page
