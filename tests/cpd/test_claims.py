"""External activity claims: drafts, submission, evidence, review, withdrawal, access control."""

import re
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, submit
from tests.cpd.conftest import PDF, PNG
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User
from wired4ex.cpd import services
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry

FORM = {
    "title": "Regional quality improvement summit",
    "provider": "East African Health Quality Network",
    "category": "conference",
    "start_date": "2026-03-10",
    "end_date": "2026-03-12",
    "hours": "18",
    "points_claimed": "8",
    "reflection": "We introduced weekly run charts in the maternity ward after the summit.",
    "competencies": ["QS1"],
}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
EXECUTABLE = b"MZ\x90\x00\x03" + b"\x00" * 200


def post_claim(
    client, data=None, file=(PDF, "certificate.pdf"), action="submit_claim", url="/cpd/claims/new"
):
    form = {**FORM, **(data or {}), action: "1", "csrf_token": csrf_token(client, url)}
    if file is not None:
        form["evidence"] = (__import__("io").BytesIO(file[0]), file[1])
    return client.post(url, data=form, content_type="multipart/form-data")


@pytest.fixture
def member(make_user, auth, policy):
    user = make_user(email="claimant@example.org")
    auth.login("claimant@example.org")
    return user


def claims() -> list[Claim]:
    return list(db.session.scalars(sa.select(Claim)))


def test_submit_a_claim_with_pdf_evidence(client, member, app):
    response = post_claim(client)
    assert response.status_code == 302
    (claim,) = claims()
    assert (claim.status, claim.points_claimed, claim.evidence_type) == (
        "submitted",
        Decimal("8"),
        "application/pdf",
    )
    assert claim.evidence_name == "certificate.pdf"
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", claim.evidence_stored_as)
    stored = app.config["EVIDENCE_DIR"]
    assert "static" not in stored
    download = client.get(f"/cpd/claims/{claim.id}/evidence")
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_save_as_draft_then_edit_then_submit(client, member):
    assert post_claim(client, file=None, action="save_draft").status_code == 302
    (claim,) = claims()
    assert claim.status == "draft" and claim.evidence_stored_as is None
    url = f"/cpd/claims/{claim.id}/edit"
    no_evidence = post_claim(client, {"title": "Renamed summit"}, file=None, url=url)
    assert "Attach the evidence" in no_evidence.get_data(as_text=True)
    assert post_claim(client, {"title": "Renamed summit"}, url=url).status_code == 302
    db.session.refresh(claim)
    assert (claim.title, claim.status) == ("Renamed summit", "submitted")


def test_withdraw(client, member):
    post_claim(client)
    (claim,) = claims()
    submit(client, f"/cpd/claims/{claim.id}/withdraw", {}, page=f"/cpd/claims/{claim.id}")
    db.session.refresh(claim)
    assert claim.status == "withdrawn"
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0


@pytest.mark.parametrize(
    ("data", "file", "message"),
    [
        (
            {"end_date": "2026-03-01"},
            (PDF, "c.pdf"),
            "The end date cannot be before the start date.",
        ),
        ({"points_claimed": "two"}, (PDF, "c.pdf"), "Enter a number"),
        ({"points_claimed": "-3"}, (PDF, "c.pdf"), "Number must be between 0 and 1000."),
        ({"points_claimed": "11"}, (PDF, "c.pdf"), "earns at most 10 points"),
        ({"points_claimed": "1.25"}, (PDF, "c.pdf"), "whole or half points"),
        ({"category": "partying"}, (PDF, "c.pdf"), "Not a valid choice"),
        ({"start_date": "yesterday"}, (PDF, "c.pdf"), "Not a valid date value."),
        ({}, (EXECUTABLE, "report.pdf"), "Evidence must be a PDF, JPEG or PNG file."),
        ({}, (SVG, "badge.svg"), "Evidence must be a PDF, JPEG or PNG file."),
        ({}, (b"%PDF-" + b"0" * (6 * 1024 * 1024), "big.pdf"), "larger than 5 MB"),
        ({"title": ""}, (PDF, "c.pdf"), "This field is required."),
    ],
)
def test_bad_claims_are_refused_with_a_message(client, member, app, data, file, message):
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    response = post_claim(client, data, file)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert claims() == []
    assert list(__import__("pathlib").Path(app.config["EVIDENCE_DIR"]).glob("*")) == []
    if data.get("title", "x"):
        assert 'value="East African Health Quality Network"' in page  # what was typed is kept


def test_a_path_in_the_file_name_is_harmless(client, member, app):
    post_claim(client, file=(PNG, "../../etc/passwd.png"))
    (claim,) = claims()
    assert claim.evidence_name == "passwd.png"
    assert "/" not in claim.evidence_stored_as and claim.evidence_type == "image/png"


def test_request_above_the_size_limit_is_413(client, member, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = post_claim(client, file=(b"%PDF-" + b"0" * (2 * 1024 * 1024), "big.pdf"))
    assert response.status_code == 413


def test_another_members_claim_and_evidence_are_404(client, member, make_user, make_claim, auth):
    other = make_user(email="other@example.org")
    theirs = make_claim(other)
    assert client.get(f"/cpd/claims/{theirs.id}").status_code == 404
    assert client.get(f"/cpd/claims/{theirs.id}/evidence").status_code == 404
    assert client.get(f"/cpd/claims/{theirs.id}/edit").status_code == 404
    token = csrf_token(client, "/cpd/")
    assert (
        client.post(f"/cpd/claims/{theirs.id}/withdraw", data={"csrf_token": token}).status_code
        == 404
    )
    db.session.refresh(theirs)
    assert theirs.status == "submitted"


def test_members_cannot_open_the_review_pages(client, member, make_claim):
    claim = make_claim(member)
    assert client.get("/cpd/review").status_code == 403
    assert client.get(f"/cpd/review/{claim.id}").status_code == 403
    assert client.get(f"/cpd/members/{member.id}").status_code == 403
    assert client.get("/cpd/audits").status_code == 403


def decide(client, claim_id, **data):
    return submit(client, f"/cpd/review/{claim_id}", data)


def test_queue_lists_pending_claims_oldest_first(admin_client, make_user, make_claim):
    first = make_claim(make_user(full_name="First Claimant"), title="Older activity")
    second = make_claim(make_user(full_name="Second Claimant"), title="Newer activity")
    make_claim(make_user(), submit=False, title="A draft")
    page = admin_client.get("/cpd/review").get_data(as_text=True)
    assert page.index("Older activity") < page.index("Newer activity")
    assert "A draft" not in page
    assert first.id != second.id


def test_approve_with_reduction_needs_a_reason_and_writes_one_entry(
    admin_client, make_user, make_claim, outbox
):
    member = make_user(email="claimant@example.org")
    claim = make_claim(member)
    refused = decide(admin_client, claim.id, decision="approve", points_approved="5", reason="")
    assert refused.status_code == 400
    assert "Give a reason when you approve fewer points" in refused.get_data(as_text=True)
    ok = decide(
        admin_client,
        claim.id,
        decision="approve",
        points_approved="5",
        reason="Day two was a site visit.",
    )
    assert ok.status_code == 302
    db.session.refresh(claim)
    assert (claim.status, claim.points_approved) == ("approved", Decimal("5"))
    (entry,) = db.session.scalars(sa.select(LedgerEntry))
    assert (entry.source, entry.points, entry.claim_id, entry.category) == (
        "claim",
        Decimal("5"),
        claim.id,
        "conference",
    )
    assert entry.activity_date == claim.end_date
    (message,) = outbox.messages()
    assert message["To"] == "claimant@example.org" and "5 points" in message.get_content()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "claim.approved"))
    assert event.member_id == member.id and event.after["points_approved"] == "5.0"


def test_reject_needs_a_reason(admin_client, make_user, make_claim):
    claim = make_claim(make_user())
    assert "Give a reason for rejecting" in decide(
        admin_client, claim.id, decision="reject", reason=""
    ).get_data(as_text=True)
    decide(
        admin_client, claim.id, decision="reject", reason="The certificate is for another person."
    )
    db.session.refresh(claim)
    assert claim.status == "rejected" and claim.decision_reason.startswith("The certificate")
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0


def test_cannot_approve_more_than_claimed(admin_client, make_user, make_claim):
    claim = make_claim(make_user())
    response = decide(admin_client, claim.id, decision="approve", points_approved="9", reason="")
    assert "more points than were claimed" in response.get_data(as_text=True)


def test_deciding_an_already_decided_claim_changes_nothing(admin_client, make_user, make_claim):
    claim = make_claim(make_user())
    decide(admin_client, claim.id, decision="approve", points_approved="8", reason="")
    again = decide(admin_client, claim.id, decision="reject", reason="Changed my mind")
    assert again.status_code == 409
    db.session.refresh(claim)
    assert claim.status == "approved"
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 1


def test_two_admins_approving_at_once_give_one_entry(app, make_user, make_claim):
    claim = make_claim(make_user())
    admins = [
        make_user(email=f"admin{i}@example.org", roles=("member", "admin")).id for i in range(2)
    ]
    claim_id = claim.id
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(admin_id):
        with app.app_context():
            admin = db.session.get(User, admin_id)
            target = db.session.get(Claim, claim_id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                services.decide_claim(target, admin, services.Decision(True, Decimal("8"), ""))
                outcomes.append("approved")
            except services.CpdError as error:
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(admin_id,)) for admin_id in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["This claim has already been decided.", "approved"]
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 1


def test_decided_claim_cannot_be_edited_or_withdrawn(client, member, make_claim, make_user):
    claim = make_claim(member)
    admin = make_user(roles=("member", "admin"))
    services.decide_claim(claim, admin, services.Decision(True, Decimal("8"), ""))
    edit = client.get(f"/cpd/claims/{claim.id}/edit", follow_redirects=True)
    assert "can no longer be changed" in edit.get_data(as_text=True)
    response = submit(
        client,
        f"/cpd/claims/{claim.id}/withdraw",
        {},
        page=f"/cpd/claims/{claim.id}",
        follow_redirects=True,
    )
    assert "Only a draft or a claim waiting for review can be withdrawn." in response.get_data(
        as_text=True
    )
    db.session.refresh(claim)
    assert claim.status == "approved"


def test_admin_can_download_evidence(admin_client, make_user, make_claim):
    claim = make_claim(make_user())
    assert admin_client.get(f"/cpd/claims/{claim.id}/evidence").data == PDF
