"""Applying for a certification and deciding, through the pages: who may apply, what is stored,
one open application and one certificate however often the buttons are pressed, who sees what,
and the certificate PDF with its QR code."""

from io import BytesIO

import pytest
from markupsafe import escape

from tests.certification.conftest import (
    AHSM_NAME,
    CV_PDF,
    LEADERSHIP_TITLE,
    STATEMENT,
    applications,
    certificates,
    login,
    pdf_text,
    qr_of,
    verify_path,
)
from tests.conftest import submit
from wired4ex.certification.eligibility import months_after
from wired4ex.cpd.verifiable import format_code

NAME = "Wanjirũ Ng'ang'a"
APPLY = "/certification/AHSM/apply"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def member(make_user, synced_content):
    return make_user(email="wanjiru@example.org", full_name=NAME)


@pytest.fixture
def eligible(member, make_ahsm_eligible, today):
    return make_ahsm_eligible(member, today)


@pytest.fixture
def admin(make_user):
    return make_user(
        email="secretariat@example.org", full_name="Secretariat", roles=("member", "admin")
    )


def apply_as(app, **extra):
    """The member applies for AHSM with the statement (and any extra fields)."""
    client = login(app, "wanjiru@example.org")
    return client, submit(client, APPLY, {"statement": STATEMENT, **extra})


def decide(app, application_id, decision, reason=""):
    admin = login(app, "secretariat@example.org")
    url = f"/certification/applications/{application_id}"
    return submit(admin, url, {"decision": decision, "reason": reason})


# -- applying -------------------------------------------------------------------------------------


def test_a_member_who_is_not_eligible_cannot_apply(app, member):
    client = login(app, "wanjiru@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Not yet eligible" in page
    assert f"Apply for {AHSM_NAME}" not in page
    response = client.get(APPLY)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You cannot apply for this certification now." in text
    assert f"complete {LEADERSHIP_TITLE}" in text
    assert "20 more CPD points within the last 24 months" in text
    assert 'name="statement"' not in text
    refused = submit(client, APPLY, {"statement": STATEMENT}, page="/certification/")
    assert refused.status_code == 409
    assert "You cannot apply for this certification now." in refused.get_data(as_text=True)
    assert applications() == []


def test_an_eligible_member_applies_and_the_eligibility_is_stored(app, eligible):
    client = login(app, "wanjiru@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Eligible" in page and f"Apply for {AHSM_NAME}" in page
    form = client.get(APPLY).get_data(as_text=True)
    assert "You meet every rule of this programme." in form
    response = submit(client, APPLY, {"statement": STATEMENT, "cv": (BytesIO(CV_PDF), "my cv.pdf")})
    assert response.status_code == 302 and response.location.endswith("/certification/")
    (application,) = applications()
    assert application.user_id == eligible.id and application.programme_code == "AHSM"
    assert application.status == "submitted" and application.statement == STATEMENT
    assert application.cv_name == "my cv.pdf" and application.cv_size == len(CV_PDF)
    snapshot = application.eligibility
    assert snapshot["programme"] == "AHSM" and snapshot["name"] == AHSM_NAME
    assert snapshot["eligible"] is True
    assert [(r["kind"], r["met"]) for r in snapshot["rules"]] == [
        ("good_standing", True),
        ("membership", True),
        ("course", True),
        ("cpd_points", True),
        ("domain_points", True),
    ]
    assert snapshot["rules"][3]["have"] == "20"
    after = client.get("/certification/").get_data(as_text=True)
    assert "Your application has been submitted. The secretariat will review it." in after
    assert "Application under review" in after
    assert f"Apply for {AHSM_NAME}" not in after


def test_applying_twice_is_refused(app, eligible):
    client, first = apply_as(app)
    assert first.status_code == 302
    again = client.get(APPLY)
    assert "Your application is under review." in again.get_data(as_text=True)
    second = submit(client, APPLY, {"statement": STATEMENT}, page="/certification/")
    assert second.status_code == 409
    assert len(applications()) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"statement": ""}, "This field is required."),
        ({"statement": "I want it."}, "Field must be between 20 and 4000 characters long."),
        (
            {"statement": STATEMENT, "cv": (BytesIO(PNG), "cv.png")},
            "The CV must be a PDF file.",
        ),
        (
            {"statement": STATEMENT, "cv": (BytesIO(b"just text"), "cv.pdf")},
            "Evidence must be a PDF, JPEG or PNG file.",
        ),
    ],
)
def test_bad_applications_are_shown_again_with_the_error(app, eligible, data, error):
    client = login(app, "wanjiru@example.org")
    response = submit(client, APPLY, data)
    assert response.status_code == 400
    assert str(escape(error)) in response.get_data(as_text=True)
    assert applications() == []


# -- deciding -------------------------------------------------------------------------------------


def test_admin_approves_and_the_certificate_is_issued(app, eligible, admin, outbox, today):
    apply_as(app)
    (application,) = applications()
    queue = login(app, "secretariat@example.org").get("/certification/applications")
    assert str(escape(NAME)) in queue.get_data(as_text=True)
    page = login(app, "secretariat@example.org").get(
        f"/certification/applications/{application.id}"
    )
    assert STATEMENT in page.get_data(as_text=True)
    response = decide(app, application.id, "approve")
    assert response.status_code == 302
    (certificate,) = certificates()
    (application,) = applications()
    assert application.status == "approved" and application.decided_by_id == admin.id
    assert len(certificate.code) == 12
    assert certificate.user_id == eligible.id and certificate.application_id == application.id
    assert certificate.holder_name == NAME and certificate.programme_name == AHSM_NAME
    assert certificate.issued_on == today
    assert certificate.expires_on == months_after(today, 36)
    assert certificate.state_on(today) == "valid"
    decision, issued = outbox.messages()
    assert decision["To"] == issued["To"] == "wanjiru@example.org"
    body = decision.get_content()
    assert "has been approved" in body and "a separate e-mail" in body
    assert issued["Subject"].strip() == f"Your certificate {AHSM_NAME} has been issued"
    body = issued.get_content()
    assert format_code(certificate.code) in body
    assert f"/certification/certificates/{certificate.id}.pdf" in body
    assert f"/verify/{format_code(certificate.code)}" in body
    page = login(app, "wanjiru@example.org").get("/certification/").get_data(as_text=True)
    assert "Certified" in page and "Download the certificate (PDF)" in page


def test_approving_twice_issues_one_certificate(app, eligible, admin, outbox):
    apply_as(app)
    (application,) = applications()
    assert decide(app, application.id, "approve").status_code == 302
    again = decide(app, application.id, "approve")
    assert again.status_code == 409
    assert "This application has already been decided." in again.get_data(as_text=True)
    assert len(certificates()) == 1
    assert len(outbox.messages()) == 2  # the decision and the certificate, once each


def test_rejecting_needs_a_reason_and_tells_the_member(app, eligible, admin, outbox):
    apply_as(app)
    (application,) = applications()
    no_reason = decide(app, application.id, "reject", "  ")
    assert no_reason.status_code == 400
    assert "Give a reason for rejecting the application." in no_reason.get_data(as_text=True)
    assert applications()[0].status == "submitted"
    assert outbox.messages() == []
    reason = "Your statement does not describe a management role; please add one."
    assert decide(app, application.id, "reject", reason).status_code == 302
    (application,) = applications()
    assert application.status == "rejected" and application.decision_reason == reason
    assert certificates() == []
    (message,) = outbox.messages()
    assert message["To"] == "wanjiru@example.org"
    body = message.get_content()
    assert f"Your application for {AHSM_NAME} was not approved." in body and reason in body
    # Rejected, the member may apply again.
    _client, again = apply_as(app)
    assert again.status_code == 302 and len(applications()) == 2


def test_a_decision_must_be_chosen(app, eligible, admin):
    apply_as(app)
    (application,) = applications()
    admin_client = login(app, "secretariat@example.org")
    url = f"/certification/applications/{application.id}"
    response = submit(admin_client, url, {"reason": "ok"})
    assert response.status_code == 400
    assert "Choose approve or reject." in response.get_data(as_text=True)
    assert applications()[0].status == "submitted"


# -- who sees what --------------------------------------------------------------------------------


def test_members_cannot_open_the_queue_or_decide(app, eligible, make_user):
    client, _response = apply_as(app)
    (application,) = applications()
    assert client.get("/certification/applications").status_code == 403
    assert client.get(f"/certification/applications/{application.id}").status_code == 403
    url = f"/certification/applications/{application.id}"
    refused = submit(client, url, {"decision": "approve"}, page="/certification/")
    assert refused.status_code == 403
    assert applications()[0].status == "submitted"
    anonymous = app.test_client().get("/certification/applications")
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_the_cv_is_for_the_member_and_the_secretariat_only(app, eligible, admin, make_user):
    apply_as(app, cv=(BytesIO(CV_PDF), "cv.pdf"))
    (application,) = applications()
    url = f"/certification/applications/{application.id}/cv"
    own = login(app, "wanjiru@example.org").get(url)
    assert own.status_code == 200 and own.data == CV_PDF
    assert login(app, "secretariat@example.org").get(url).data == CV_PDF
    make_user(email="other@example.org")
    assert login(app, "other@example.org").get(url).status_code == 404


def test_certificate_pdfs_are_private_to_their_holder(app, eligible, admin, make_user):
    apply_as(app)
    decide(app, applications()[0].id, "approve")
    (certificate,) = certificates()
    url = f"/certification/certificates/{certificate.id}.pdf"
    make_user(email="other@example.org")
    assert login(app, "other@example.org").get(url).status_code == 404
    assert (
        login(app, "other@example.org").get("/certification/certificates/999999.pdf").status_code
        == 404
    )
    assert app.test_client().get(url).status_code == 302  # to the login page
    assert login(app, "secretariat@example.org").get(url).status_code == 200


def test_the_certificate_pdf_names_the_holder_and_its_qr_opens_the_verify_page(
    app, eligible, admin, tmp_path
):
    apply_as(app)
    decide(app, applications()[0].id, "approve")
    (certificate,) = certificates()
    response = login(app, "wanjiru@example.org").get(
        f"/certification/certificates/{certificate.id}.pdf"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.data, tmp_path)
    assert NAME in text and AHSM_NAME in text
    assert format_code(certificate.code) in text
    decoded = qr_of(response.data, tmp_path)
    assert decoded.startswith("http") and decoded.endswith(verify_path(certificate)), decoded
    verify = app.test_client().get(decoded.replace("http://localhost", ""))
    page = verify.get_data(as_text=True)
    assert verify.status_code == 200
    assert "Valid: this certificate was issued by HeSMA East Africa." in page
    assert str(escape(NAME)) in page and AHSM_NAME in page
