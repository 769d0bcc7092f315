"""`sNaN`, `NaN`, `Infinity`, `-Infinity` and `1e999` in any points or hours field are refused
with a message (never a 500): claims, review decisions, adjustments, the editor's preview and
save; the services refuse them too. One field (wired4ex.fields.PointsField) does it for all."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.authoring.conftest import MODULE, institution  # noqa: F401  (fixture)
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import PASSWORD, submit
from tests.cpd.conftest import PDF, claim_input, upload
from wired4ex.authoring.models import Draft
from wired4ex.cpd import services
from wired4ex.cpd.models import Claim
from wired4ex.cpd.policy import load_policy
from wired4ex.extensions import db
from wired4ex.fields import finite_decimal, is_whole_or_half
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

NOT_NUMBERS = ["sNaN", "NaN", "-nan", "Infinity", "-Infinity", "inf", "1e999", "-1E+999999"]
MESSAGE = "Enter a number, for example 2 or 1.5."
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
def people(make_user, synced_content, institution):  # noqa: F811
    member = make_user(email="claimant@example.org")
    admin = make_user(email="reviewer@hesma.example", roles=("member", "admin"))
    make_user(email="lecturer@lru.example", roles=("member", "faculty"),
              institution_id=institution.id)  # fmt: skip
    return member, admin


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_the_shared_parser_refuses_non_finite_numbers(value):
    with pytest.raises(ValueError, match="Enter a number"):
        finite_decimal(value)
    assert not is_whole_or_half(Decimal(value) if "999" not in value else value)
    assert finite_decimal(" 1.5 ".strip()) == Decimal("1.5")


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_claim_fields_refuse_non_finite_numbers(app, people, value):
    client = login(app, "claimant@example.org")
    for field in ("points_claimed", "hours"):
        response = submit(client, "/cpd/claims/new", {**CLAIM, field: value})
        assert response.status_code == 400, (field, value)
        assert MESSAGE in response.get_data(as_text=True)
    assert count(Claim) == 0


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_review_decisions_and_adjustments_refuse_non_finite_numbers(app, people, value):
    member, admin = people
    claim = services.save_claim(member, claim_input(), upload=upload(PDF), submit=True)
    client = login(app, "reviewer@hesma.example")
    decision = {"decision": "approve", "points_approved": value, "reason": "Checked."}
    response = submit(client, f"/cpd/review/{claim.id}", decision)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    adjustment = {"points": value, "category": "structured",
                  "activity_date": local_today().isoformat(), "reason": "Fix"}  # fmt: skip
    response = submit(client, f"/cpd/members/{member.id}/adjust", adjustment,
                      page=f"/cpd/members/{member.id}")  # fmt: skip
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "submitted" and count(LedgerEntry) == 0


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "1e999"])
def test_the_services_refuse_non_finite_numbers(people, value):
    member, admin = people
    policy = load_policy()
    number = Decimal(value)
    problems = services.check_claim(policy, claim_input(points_claimed=number, hours=number))
    assert {field for field, _ in problems} == {"points_claimed", "hours"}
    with pytest.raises(services.CpdError):
        services.save_claim(member, claim_input(points_claimed=number), policy=policy)
    claim = services.save_claim(member, claim_input(), upload=upload(PDF), submit=True)
    with pytest.raises(services.CpdError):
        services.decide_claim(claim, admin, services.Decision(True, number, "Checked."))
    with pytest.raises(services.CpdError):
        services.adjust(member, admin, number, "structured", date(2026, 3, 1), "Fix", policy)
    assert count(LedgerEntry) == 0


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_the_editor_refuses_non_finite_points(app, people, value):
    faculty = login(app, "lecturer@lru.example")
    course = create_course(faculty)
    url = new_draft(faculty, course)
    assert submit(faculty, url, {**MODULE, "save": "1"}).status_code == 302
    draft_id = int(url.rstrip("/").rsplit("/", 1)[1])
    preview = submit(faculty, f"{url}/preview", {**MODULE, "cpd_points": value}, page=url)
    assert preview.status_code == 400 and MESSAGE in str(preview.get_json())
    for action in ("preview", "save"):
        response = submit(faculty, url, {**MODULE, "cpd_points": value, action: "1"})
        assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Draft, draft_id).cpd_points == Decimal("1.5")
