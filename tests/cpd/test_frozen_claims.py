"""A submitted claim is frozen, and a decision names the version the reviewer saw: a member
cannot change a claim under the reviewer's eyes, and a decision on a changed claim is refused."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from tests.cpd.conftest import PDF, claim_input
from wired4ex.auth.models import User
from wired4ex.cpd import services
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry

EDIT = {
    "title": "A different, bigger activity",
    "provider": "Someone else",
    "category": "conference",
    "start_date": "2026-03-10",
    "end_date": "2026-03-12",
    "hours": "40",
    "points_claimed": "10",
    "reflection": "Rewritten after the reviewer opened the claim, to get more points.",
    "save_draft": "1",
}


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def people(make_user, policy):
    member = make_user(email="claimant@example.org")
    make_user(email="reviewer@hesma.example", roles=("member", "admin"))
    return member


def stored(claim_id: int) -> Claim:
    db.session.expire_all()
    return db.session.get(Claim, claim_id)


def ledger() -> list[LedgerEntry]:
    return list(db.session.scalars(sa.select(LedgerEntry)))


def test_a_submitted_claim_cannot_be_edited_only_withdrawn(app, people, make_claim):
    claim = make_claim(people)
    member = login(app, "claimant@example.org")
    page = member.get(f"/cpd/claims/{claim.id}").get_data(as_text=True)
    assert "Edit claim" not in page and "Withdraw this claim" in page
    assert "can no longer be changed" in page
    assert member.get(f"/cpd/claims/{claim.id}/edit").status_code == 302
    edit = {**EDIT, "evidence": (__import__("io").BytesIO(PDF), "other.pdf")}
    refused = submit(member, f"/cpd/claims/{claim.id}/edit", edit, page=f"/cpd/claims/{claim.id}",
                     content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 409
    assert "can no longer be changed" in refused.get_data(as_text=True)
    after = stored(claim.id)
    assert (after.title, after.points_claimed, after.status) == (claim.title, 8, "submitted")
    assert after.evidence_stored_as == claim.evidence_stored_as and after.version == 1
    with pytest.raises(services.ClaimFrozen):
        services.save_claim(people, claim_input(title="Changed"), claim=after)
    assert stored(claim.id).title == claim.title
    withdrawn = submit(
        member, f"/cpd/claims/{claim.id}/withdraw", {}, page=f"/cpd/claims/{claim.id}"
    )
    assert withdrawn.status_code == 302 and stored(claim.id).status == "withdrawn"


def test_a_draft_can_still_be_edited_and_each_save_raises_its_version(app, people, make_claim):
    claim = make_claim(people, submit=False)
    member = login(app, "claimant@example.org")
    saved = submit(member, f"/cpd/claims/{claim.id}/edit", EDIT)
    assert saved.status_code == 302, re.findall(r'-error">([^<]*)', saved.get_data(as_text=True))
    after = stored(claim.id)
    assert after.title == EDIT["title"] and after.status == "draft" and after.version == 2


def test_a_decision_on_a_changed_claim_is_refused(app, people, make_claim):
    claim = make_claim(people)
    admin = login(app, "reviewer@hesma.example")
    page = admin.get(f"/cpd/review/{claim.id}").get_data(as_text=True)
    seen = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert seen == "1"
    # The claim changes after the reviewer opened it (any write raises the version).
    changed = stored(claim.id)
    changed.title = "A bigger activity than the one reviewed"
    db.session.commit()
    assert stored(claim.id).version == 2
    form = {"decision": "approve", "points_approved": "8", "reason": "", "version": seen}
    refused = submit(admin, f"/cpd/review/{claim.id}", form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "The claim changed; review it again." in text
    assert "A bigger activity than the one reviewed" in text  # the page shows it as it is now
    assert stored(claim.id).status == "submitted" and ledger() == []
    with pytest.raises(services.ClaimChanged):
        reviewer = db.session.scalar(sa.select(User).where(User.email == "reviewer@hesma.example"))
        services.decide_claim(
            stored(claim.id), reviewer, services.Decision(True, 8, ""), seen_version=1
        )
    # Reviewed again (the page carries the new version), the decision goes through.
    again = submit(
        admin, f"/cpd/review/{claim.id}", {k: v for k, v in form.items() if k != "version"}
    )
    assert again.status_code == 302
    assert stored(claim.id).status == "approved"
    (entry,) = ledger()
    assert entry.title == "A bigger activity than the one reviewed"


def test_a_decision_without_a_version_is_refused(app, people, make_claim):
    claim = make_claim(people)
    admin = login(app, "reviewer@hesma.example")
    token_page = admin.get(f"/cpd/review/{claim.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page).group(1)
    response = admin.post(f"/cpd/review/{claim.id}", data={
        "csrf_token": token, "decision": "approve", "points_approved": "8"})  # fmt: skip
    assert response.status_code == 409 and stored(claim.id).status == "submitted"


def test_the_red_team_sequence_approves_what_the_reviewer_saw(app, people, make_claim):
    """The reviewer opens the claim; the member tries to rewrite it; the approval applies to the
    claim as reviewed."""
    claim = make_claim(people)
    admin = login(app, "reviewer@hesma.example")
    admin.get(f"/cpd/review/{claim.id}")
    member = login(app, "claimant@example.org")
    edit = submit(member, f"/cpd/claims/{claim.id}/edit", {**EDIT, "submit_claim": "1"},
                  page=f"/cpd/claims/{claim.id}")  # fmt: skip
    assert edit.status_code == 409
    form = {"decision": "approve", "points_approved": "8", "reason": ""}
    assert submit(admin, f"/cpd/review/{claim.id}", form).status_code == 302
    (entry,) = ledger()
    assert entry.title == claim.title and entry.points == 8


def test_the_changed_message_is_in_kiswahili(app, make_user, people, make_claim):
    claim = make_claim(people)
    make_user(email="mkaguzi@hesma.example", roles=("member", "admin"), language="sw")
    admin = login(app, "mkaguzi@hesma.example")
    form = {"decision": "approve", "points_approved": "8", "reason": "", "version": "7"}
    text = submit(admin, f"/cpd/review/{claim.id}", form).get_data(as_text=True)
    assert "The claim changed" not in text and "Dai limebadilika" in text
