"""More information asked about a claim: the secretariat's question, the member's answer (with new
evidence or not), several rounds, withdrawal; refused transitions, stale versions, the own-claim
rule; the notification and mail written with the question; the pages and the API."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from markupsafe import escape as _escape

from tests.conftest import PASSWORD, csrf_token, submit
from tests.cpd.conftest import PNG, upload
from wired4ex.admin.queue import work_queue_counts
from wired4ex.audit import AuditEvent
from wired4ex.auth.access import OwnCaseError
from wired4ex.auth.tokens import create_token
from wired4ex.cpd import evidence, services
from wired4ex.cpd.models import Claim, ClaimInfoRequest
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.notifications.models import MailMessage, Notification

QUESTION = "The certificate does not name the summit's organiser. Who signed it?"
REPLY = "It was signed by the network's chair, Dr Achieng; the letterhead is on page two."


def escape(text: str) -> str:
    """As the pages write it (Jinja's escaping)."""
    return str(_escape(text))


@pytest.fixture
def people(make_user, policy):
    member = make_user(email="claimant@example.org", full_name="Neema Claimant")
    admin = make_user(email="secretariat@example.org", roles=("member", "admin"),
                      full_name="Asha Admin")  # fmt: skip
    return member, admin


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("claim.%")).order_by(AuditEvent.id)))  # fmt: skip


def fresh(claim_id: int) -> Claim:
    db.session.expire_all()
    return db.session.get(Claim, claim_id)


# -- the services ---------------------------------------------------------------------------------


def test_ask_answer_ask_answer_approve(people, make_claim, outbox):
    member, admin = people
    claim = make_claim(member)
    version = claim.version
    services.request_info(claim, admin, f"  {QUESTION}  ")
    claim = fresh(claim.id)
    assert (claim.status, claim.version) == ("info_requested", version + 1)
    assert claim.open_request.question == QUESTION and claim.open_request.round == 1
    assert claim.withdrawable and not claim.editable
    # The member's notification and mail, with the question, in the same commit.
    (note,) = db.session.scalars(sa.select(Notification).where(Notification.user_id == member.id))
    assert note.kind == "claim_info_requested" and note.link == f"/cpd/claims/{claim.id}"
    (mail,) = outbox.messages()
    assert mail["To"] == "claimant@example.org"
    assert mail["Subject"] == "More information is needed about your CPD claim"
    assert QUESTION in mail.get_content() and f"/cpd/claims/{claim.id}" in mail.get_content()

    services.answer_info_request(member, claim, REPLY)
    claim = fresh(claim.id)
    assert (claim.status, claim.version, claim.open_request) == ("submitted", version + 2, None)
    assert claim in services.pending_claims()
    services.request_info(claim, admin, "And the hours: were both days full days?")
    services.answer_info_request(member, fresh(claim.id), "Yes, 09:00 to 17:00 both days.")
    services.decide_claim(fresh(claim.id), admin, services.Decision(True, Decimal("8"), ""))
    claim = fresh(claim.id)
    assert claim.status == "approved"
    rounds = [(r.round, r.question[:3], r.reply[:3]) for r in claim.info_requests]
    assert rounds == [(1, "The", "It "), (2, "And", "Yes")]
    assert actions() == ["claim.info_requested", "claim.info_answered"] * 2 + ["claim.approved"]
    asked = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "claim.info_requested")
    )
    assert asked.after == {"status": "info_requested", "round": 1, "question": QUESTION}
    assert asked.actor_id == admin.id and asked.member_id == member.id


def test_the_question_mail_is_in_the_members_language(make_user, make_claim, policy, outbox):
    member = make_user(email="mwanachama@example.org", language="sw")
    admin = make_user(roles=("member", "admin"))
    services.request_info(make_claim(member), admin, QUESTION)
    (mail,) = outbox.messages()
    assert mail["Subject"] == "Maelezo zaidi yanahitajika kuhusu dai lako la CPD"
    assert "Sekretarieti inahitaji maelezo zaidi" in mail.get_content()
    assert QUESTION in mail.get_content()


@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "withdrawn", "info_requested"])
def test_only_a_submitted_claim_can_be_asked_about(people, make_claim, status, outbox):
    member, admin = people
    claim = make_claim(member, submit=status != "draft")
    if status in ("approved", "rejected"):
        services.decide_claim(claim, admin, services.Decision(status == "approved",
                                                              Decimal("8"), "No."))  # fmt: skip
    elif status == "withdrawn":
        services.withdraw_claim(member, claim)
    elif status == "info_requested":
        services.request_info(claim, admin, QUESTION)
    claim = fresh(claim.id)
    before = (claim.version, actions(), len(outbox.messages()))
    with pytest.raises(services.ClaimAlreadyDecided):
        services.request_info(claim, admin, "Another question?")
    claim = fresh(claim.id)
    assert (claim.version, actions(), len(outbox.messages())) == before
    assert claim.status == status


def test_a_claim_waiting_on_its_member_cannot_be_decided_or_edited(people, make_claim):
    member, admin = people
    claim = make_claim(member)
    services.request_info(claim, admin, QUESTION)
    with pytest.raises(services.ClaimAlreadyDecided):
        services.decide_claim(fresh(claim.id), admin, services.Decision(True, Decimal("8"), ""))
    from tests.cpd.conftest import claim_input

    with pytest.raises(services.ClaimFrozen, match="answer it on the claim's page"):
        services.save_claim(member, claim_input(title="Changed"), claim=fresh(claim.id))
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0
    assert fresh(claim.id).title != "Changed"


def test_only_a_question_waiting_can_be_answered_and_only_by_the_member(people, make_claim,
                                                                         make_user):  # fmt: skip
    member, admin = people
    claim = make_claim(member)
    with pytest.raises(services.ClaimConflict):
        services.answer_info_request(member, claim, REPLY)  # nothing was asked
    services.request_info(claim, admin, QUESTION)
    with pytest.raises(services.CpdError):
        services.answer_info_request(make_user(), fresh(claim.id), REPLY)
    with pytest.raises(services.CpdError, match="Write your answer"):
        services.answer_info_request(member, fresh(claim.id), "   ")
    with pytest.raises(services.CpdError, match="at most 5000"):
        services.answer_info_request(member, fresh(claim.id), "x" * 5001)
    assert fresh(claim.id).status == "info_requested"


def test_the_question_is_required_and_limited(people, make_claim):
    member, admin = people
    claim = make_claim(member)
    for question, message in (("  ", "Write the question"), ("x" * 2001, "at most 2000")):
        with pytest.raises(services.CpdError, match=message):
            services.request_info(fresh(claim.id), admin, question)
    assert fresh(claim.id).status == "submitted" and actions() == []


def test_nobody_asks_about_their_own_claim(make_user, make_claim, policy, outbox):
    admin = make_user(roles=("member", "admin"))
    claim = make_claim(admin)
    with pytest.raises(OwnCaseError):
        services.request_info(claim, admin, QUESTION)
    assert fresh(claim.id).status == "submitted" and outbox.messages() == []


def test_stale_versions_are_refused_and_change_nothing(people, make_claim, outbox):
    member, admin = people
    claim = make_claim(member)
    seen = claim.version
    services.request_info(claim, admin, QUESTION)
    services.answer_info_request(member, fresh(claim.id), REPLY)
    # The reviewer's page was opened before the first round: the claim changed since.
    with pytest.raises(services.ClaimChanged):
        services.request_info(fresh(claim.id), admin, "Stale?", seen_version=seen)
    services.request_info(fresh(claim.id), admin, "Second question")
    stale = fresh(claim.id).version - 1
    with pytest.raises(services.ClaimChanged):
        services.answer_info_request(member, fresh(claim.id), REPLY, seen_version=stale)
    claim = fresh(claim.id)
    assert claim.status == "info_requested" and len(claim.info_requests) == 2
    assert len(outbox.messages()) == 2  # one mail per question asked, none for the refusals


def test_a_reviewer_who_acts_second_is_told_the_claim_moved_on(people, make_claim, outbox):
    """Two reviewers loaded the submitted claim and one asked first: the other's question or
    decision passes the checks on what they loaded, and its guarded UPDATE finds the claim gone
    from "submitted" and says it waits on the member (not "already decided"); nothing is
    written."""
    member, admin = people
    claim_id = make_claim(member).id

    def loaded() -> Claim:  # the claim as a reviewer's request loaded it before the other acted
        claim = fresh(claim_id)
        db.session.expunge(claim)
        return claim

    asking, deciding = loaded(), loaded()
    services.request_info(fresh(claim_id), admin, QUESTION)
    with pytest.raises(services.ClaimAlreadyDecided, match="The member has been asked"):
        services.request_info(asking, admin, "Another question?")
    with pytest.raises(services.ClaimAlreadyDecided, match="The member has been asked"):
        services.decide_claim(deciding, admin, services.Decision(True, Decimal("8"), ""))
    claim = fresh(claim_id)
    assert claim.status == "info_requested" and len(claim.info_requests) == 1
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 0
    assert actions() == ["claim.info_requested"] and len(outbox.messages()) == 1


def test_answer_with_new_evidence_replaces_the_file_and_bad_files_change_nothing(
    people, make_claim
):
    member, admin = people
    claim = make_claim(member)
    old = claim.evidence_stored_as
    services.request_info(claim, admin, QUESTION)
    bad = upload(b"MZ\x90\x00" + b"\x00" * 64, "list.pdf")
    with pytest.raises(evidence.EvidenceError):
        services.answer_info_request(member, fresh(claim.id), REPLY, upload=bad)
    assert fresh(claim.id).status == "info_requested" and evidence.path_of(old).is_file()
    services.answer_info_request(member, fresh(claim.id), REPLY,
                                 upload=upload(PNG, "attendance list.png"))  # fmt: skip
    claim = fresh(claim.id)
    assert claim.evidence_name == "attendance list.png" and claim.evidence_type == "image/png"
    assert (
        not evidence.path_of(old).is_file() and evidence.path_of(claim.evidence_stored_as).is_file()
    )
    assert claim.info_requests[0].reply_evidence_name == "attendance list.png"


def test_the_member_may_withdraw_instead_of_answering(people, make_claim):
    member, admin = people
    claim = make_claim(member)
    services.request_info(claim, admin, QUESTION)
    services.withdraw_claim(member, fresh(claim.id))
    claim = fresh(claim.id)
    assert claim.status == "withdrawn" and claim.open_request is None
    assert actions() == ["claim.info_requested", "claim.withdrawn"]
    with pytest.raises(services.ClaimConflict):
        services.answer_info_request(member, claim, REPLY)


def test_claims_waiting_on_members_are_not_the_secretariats_work(people, make_claim):
    member, admin = people
    waiting, asked = make_claim(member), make_claim(member, title="Asked about")
    services.request_info(asked, admin, QUESTION)
    counts = {label: count for label, count, _endpoint in work_queue_counts()}
    assert counts["Claims to verify"] == 1
    assert services.pending_claims() == [fresh(waiting.id)]


# -- the pages ------------------------------------------------------------------------------------


def login(app, email):
    client = app.test_client()
    submit(client, "/login", {"email": email, "password": PASSWORD})
    return client


def test_the_exchange_through_the_pages(app, people, make_claim, outbox):
    member, admin = people
    claim = make_claim(member)
    staff, own = login(app, "secretariat@example.org"), login(app, "claimant@example.org")
    review = f"/cpd/review/{claim.id}"
    page = staff.get(review).get_data(as_text=True)
    assert '<label for="question">Your question to the member</label>' in page
    ask = f"{review}/ask"
    empty = submit(staff, ask, {"question": "  "}, page=review)
    assert (
        empty.status_code == 400
        and "Write the question the member should answer." in empty.get_data(as_text=True)
    )
    long = submit(staff, ask, {"question": "x" * 2001}, page=review)
    assert long.status_code == 400 and fresh(claim.id).status == "submitted"
    assert submit(staff, ask, {"question": QUESTION}, page=review).status_code == 302
    queue = staff.get("/cpd/review").get_data(as_text=True)
    assert claim.title not in queue and "1 claim waits for its member" in queue
    waiting = staff.get("/cpd/review?on=member").get_data(as_text=True)
    assert claim.title in waiting and "Information asked for" in waiting
    assert "Waiting for the member" in staff.get(review).get_data(as_text=True)
    decided = submit(staff, review, {"decision": "approve", "points_approved": "8"}, page=review)
    assert decided.status_code == 409
    assert "The member has been asked about this claim" in decided.get_data(as_text=True)

    centre = own.get("/notifications").get_data(as_text=True)
    assert "More information is needed about your CPD claim" in centre
    mine = own.get("/cpd/").get_data(as_text=True)
    assert "The secretariat has a question about 1 of your claims" in mine
    assert escape(QUESTION[:40]) in mine
    shown = own.get(f"/cpd/claims/{claim.id}").get_data(as_text=True)
    assert "The secretariat needs more information" in shown and escape(QUESTION) in shown
    assert '<label for="reply">Your answer</label>' in shown
    assert '<label for="evidence">New evidence (optional)</label>' in shown
    answer = f"/cpd/claims/{claim.id}/answer"
    page = f"/cpd/claims/{claim.id}"
    blank = submit(own, answer, {"reply": ""}, page=page)
    assert blank.status_code == 400
    assert "Write your answer to the secretariat" in blank.get_data(as_text=True)
    sent = submit(own, answer, {"reply": REPLY}, page=page, follow_redirects=True)
    assert "back with the secretariat" in sent.get_data(as_text=True)
    assert fresh(claim.id).status == "submitted"
    again = submit(own, answer, {"reply": "Twice?"}, page=page)
    assert again.status_code == 409

    thread = staff.get(review).get_data(as_text=True)
    assert "Questions and answers" in thread
    assert escape(QUESTION) in thread and escape(REPLY) in thread
    assert 'name="decision"' in thread
    log = staff.get("/admin/audit").get_data(as_text=True)
    assert "Asha Admin asked Neema Claimant for more information about claim" in log
    assert "Neema Claimant answered the secretariat&#39;s question about claim" in log


def test_a_stale_answer_form_keeps_what_was_typed(app, people, make_claim):
    member, admin = people
    claim = make_claim(member)
    services.request_info(claim, admin, QUESTION)
    own = login(app, "claimant@example.org")
    page = f"/cpd/claims/{claim.id}"
    token = csrf_token(own, page)
    version = fresh(claim.id).version
    services.withdraw_claim(member, fresh(claim.id))  # in another tab
    response = own.post(f"{page}/answer", data={"reply": REPLY, "version": str(version),
                                                "csrf_token": token})  # fmt: skip
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "not waiting for your answer" in text or "changed while you were answering" in text
    assert escape(REPLY) in text  # shown again, to copy


def test_a_stale_question_form_is_409_and_keeps_the_question(app, people, make_claim):
    member, admin = people
    claim = make_claim(member)
    staff = login(app, "secretariat@example.org")
    review = f"/cpd/review/{claim.id}"
    token, version = csrf_token(staff, review), claim.version
    services.withdraw_claim(member, claim)
    gone = staff.post(f"{review}/ask", data={"question": QUESTION, "version": str(version),
                                             "csrf_token": token})  # fmt: skip
    assert gone.status_code == 409
    other = make_claim(member, title="Second claim")
    review = f"/cpd/review/{other.id}"
    stale = staff.post(f"{review}/ask", data={"question": QUESTION, "version": "0",
                                              "csrf_token": csrf_token(staff, review)})  # fmt: skip
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "The claim changed; review it again." in text
    assert re.search(r'<textarea[^>]*name="question"[^>]*>\s*' + re.escape(escape(QUESTION)), text)
    assert fresh(other.id).status == "submitted"


def test_nobody_else_answers_and_admins_do_not_ask_about_their_own(app, people, make_claim,
                                                                  make_user):  # fmt: skip
    member, admin = people
    claim = make_claim(member)
    services.request_info(claim, admin, QUESTION)
    make_user(email="other@example.org")
    other = login(app, "other@example.org")
    assert other.post(f"/cpd/claims/{claim.id}/answer", data={"reply": "Mine now"}).status_code in (
        400, 404)  # fmt: skip
    staff = login(app, "secretariat@example.org")
    mine = make_claim(admin, title="My own activity")
    review = f"/cpd/review/{mine.id}"
    refused = staff.post(f"{review}/ask", data={"question": QUESTION,
                                                "csrf_token": csrf_token(staff, review)})  # fmt: skip
    assert refused.status_code == 403 and fresh(mine.id).status == "submitted"
    assert staff.post("/cpd/review/999999/ask", data={}).status_code in (400, 404)


def test_the_api_shows_the_status_and_the_open_question(client, people, make_claim):
    member, admin = people
    claim = make_claim(member)
    services.request_info(claim, admin, QUESTION)
    _token, secret = create_token(member, "phone")
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/me/claims?status=info_requested", headers=headers).get_json()
    (item,) = listed["data"]
    assert item["status"] == "info_requested" and item["open_question"]["question"] == QUESTION
    assert item["open_question"]["round"] == 1
    one = client.get(f"/api/v1/me/claims/{claim.id}", headers=headers).get_json()
    assert one == item
    assert client.get("/api/v1/me/claims?status=nope", headers=headers).status_code == 400
    services.answer_info_request(member, fresh(claim.id), REPLY)
    again = client.get(f"/api/v1/me/claims/{claim.id}", headers=headers).get_json()
    assert again["status"] == "submitted" and again["open_question"] is None
    _other, other_secret = create_token(admin, "desk")
    assert client.get(f"/api/v1/me/claims/{claim.id}",
                      headers={"Authorization": f"Bearer {other_secret}"}).status_code == 404  # fmt: skip


def test_nothing_is_written_for_an_upload_of_the_wrong_kind_through_the_page(
    app, people, make_claim
):
    member, admin = people
    claim = make_claim(member)
    services.request_info(claim, admin, QUESTION)
    own = login(app, "claimant@example.org")
    page = f"/cpd/claims/{claim.id}"
    response = own.post(f"{page}/answer", content_type="multipart/form-data", data={
        "reply": REPLY, "version": str(fresh(claim.id).version), "csrf_token": csrf_token(own, page),
        "evidence": (BytesIO(b"<svg onload=alert(1)>"), "x.svg")})  # fmt: skip
    assert response.status_code == 400 and fresh(claim.id).status == "info_requested"
    assert db.session.scalar(sa.select(sa.func.count(ClaimInfoRequest.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 1  # the question's only
