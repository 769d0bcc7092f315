"""Nobody decides their own case: an admin cannot verify their own claim, adjust their own
ledger or record their own audit outcome, in the services (the rule) or through the pages."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.auth.access import OwnCaseError
from wired4ex.cpd import services
from wired4ex.cpd.models import AuditSample, AuditSampleMember, Claim
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

REFUSAL = "another administrator must decide this"


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def admins(make_user, policy):
    """Two admins, each also a member with claims of their own."""
    first = make_user(email="first@hesma.example", roles=("member", "admin"))
    second = make_user(email="second@hesma.example", roles=("member", "admin"))
    return first, second


def entries(user_id: int) -> list[LedgerEntry]:
    return list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id)))


def test_an_admin_cannot_approve_their_own_claim(app, admins, make_claim):
    first, second = admins
    claim = make_claim(first)
    client = login(app, "first@hesma.example")
    page = client.get(f"/cpd/review/{claim.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and REFUSAL in text
    assert 'name="decision"' not in text  # the page shows the notice instead of the form
    assert REFUSAL in client.get(f"/cpd/claims/{claim.id}").get_data(as_text=True)
    refused = submit(
        client,
        f"/cpd/review/{claim.id}",
        {"decision": "approve", "points_approved": "8", "reason": "", "version": "1"},
    )
    assert refused.status_code == 403 and REFUSAL in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "submitted" and entries(first.id) == []
    with pytest.raises(OwnCaseError):
        services.decide_claim(claim, first, services.Decision(True, Decimal("8"), ""))
    # Another administrator may.
    other = login(app, "second@hesma.example")
    approved = submit(
        other, f"/cpd/review/{claim.id}", {"decision": "approve", "points_approved": "8"}
    )
    assert approved.status_code == 302
    assert [entry.points for entry in entries(first.id)] == [Decimal("8")]


def test_an_admin_cannot_adjust_their_own_ledger(app, admins):
    first, second = admins
    client = login(app, "first@hesma.example")
    page = client.get(f"/cpd/members/{first.id}").get_data(as_text=True)
    assert REFUSAL in page and 'name="points"' not in page
    form = {
        "points": "100",
        "category": "structured",
        "activity_date": local_today().isoformat(),
        "reason": "Generous",
    }
    refused = submit(
        client, f"/cpd/members/{first.id}/adjust", form, page=f"/cpd/members/{second.id}"
    )
    assert refused.status_code == 403 and REFUSAL in refused.get_data(as_text=True)
    assert entries(first.id) == []
    with pytest.raises(OwnCaseError):
        services.adjust(
            first, first, Decimal("100"), "structured", local_today(), "Generous", services_policy()
        )
    assert entries(first.id) == []
    allowed = submit(login(app, "second@hesma.example"), f"/cpd/members/{first.id}/adjust", form)
    assert allowed.status_code == 302 and len(entries(first.id)) == 1


def services_policy():
    from wired4ex.cpd.policy import load_policy

    return load_policy()


def test_an_admin_cannot_record_their_own_audit_outcome(app, admins, make_claim):
    first, second = admins
    make_claim(first, start_date=date(2026, 3, 10), end_date=date(2026, 3, 12))
    sample = AuditSample(
        cycle_start=date(2026, 1, 1), percentage=100, population=1, drawn_by_id=first.id
    )
    sample.members = [AuditSampleMember(user_id=first.id)]
    db.session.add(sample)
    db.session.commit()
    sampled_id = sample.members[0].id
    client = login(app, "first@hesma.example")
    page = client.get(f"/cpd/audits/{sample.id}").get_data(as_text=True)
    assert REFUSAL in page and 'name="outcome"' not in page
    url = f"/cpd/audits/{sample.id}/members/{sampled_id}"
    refused = submit(client, url, {"outcome": "passed"}, page="/cpd/audits")
    assert refused.status_code == 403 and REFUSAL in refused.get_data(as_text=True)
    db.session.expire_all()
    sampled = db.session.get(AuditSampleMember, sampled_id)
    assert sampled.outcome == "pending"
    with pytest.raises(OwnCaseError):
        services.record_audit_outcome(sampled, "passed", "", first)
    other = submit(
        login(app, "second@hesma.example"), url, {"outcome": "passed"}, page="/cpd/audits"
    )
    assert other.status_code == 302
    db.session.expire_all()
    assert db.session.get(AuditSampleMember, sampled_id).outcome == "passed"


def test_the_refusal_is_in_kiswahili_too(app, make_user, policy, make_claim):
    admin = make_user(email="mkuu@hesma.example", roles=("member", "admin"), language="sw")
    claim = make_claim(admin)
    page = login(app, "mkuu@hesma.example").get(f"/cpd/review/{claim.id}")
    text = page.get_data(as_text=True)
    assert REFUSAL not in text and "msimamizi mwingine" in text
