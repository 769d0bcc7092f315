"""A certificate's life: issued, expired, revoked, renewed; what the public verify page, the
dashboard and the member's page say at each step; and the Open Badges 3.0 credential."""

import base64
import json
from datetime import date, timedelta

import pytest
from flask_babel import format_date
from markupsafe import escape

from tests.certification.conftest import (
    AHSM_NAME,
    LEADERSHIP_TITLE,
    STATEMENT,
    applications,
    certificates,
    login,
    pdf_text,
    verify_path,
)
from tests.conftest import submit
from wired4ex.certification.eligibility import months_after
from wired4ex.certification.models import Application
from wired4ex.certification.services import decide_application
from wired4ex.cpd.verifiable import format_code
from wired4ex.extensions import db

NAME = "Baraka Mwangi"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture
def member(make_user, synced_content):
    return make_user(email="baraka@example.org", full_name=NAME)


@pytest.fixture
def admin(make_user):
    return make_user(
        email="secretariat@example.org", full_name="Secretariat", roles=("member", "admin")
    )


def shown(app, day: date) -> str:
    """A date as the pages print it."""
    with app.test_request_context():
        return format_date(day, "long")


def issue_through_the_pages(app) -> None:
    member = login(app, "baraka@example.org")
    assert submit(member, "/certification/AHSM/apply", {"statement": STATEMENT}).status_code == 302
    url = f"/certification/applications/{applications()[-1].id}"
    admin = login(app, "secretariat@example.org")
    assert submit(admin, url, {"decision": "approve", "reason": ""}).status_code == 302


# -- expiry ---------------------------------------------------------------------------------------


def test_state_on_each_side_of_the_expiry_date(member, give_certificate):
    certificate = give_certificate(member, "AHSM", date(2023, 5, 31), expires_on=date(2026, 5, 31))
    assert certificate.state_on(date(2023, 5, 31)) == "valid"
    assert certificate.state_on(date(2026, 5, 31)) == "valid"
    assert certificate.state_on(date(2026, 6, 1)) == "expired"
    certificate.status = "revoked"
    assert certificate.state_on(date(2024, 1, 1)) == "revoked"
    assert certificate.state_on(date(2027, 1, 1)) == "revoked"


def test_an_expired_certificate_says_so_on_the_verify_page(app, member, give_certificate, today):
    expired_on = today - timedelta(days=1)
    certificate = give_certificate(member, "AHSM", months_after(expired_on, -36), expired_on)
    response = app.test_client().get(verify_path(certificate))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Expired on {shown(app, expired_on)}: this certificate is no longer current." in page
    assert "Valid: this certificate" not in page
    assert NAME in page and AHSM_NAME in page
    own = login(app, "baraka@example.org").get("/certification/").get_data(as_text=True)
    assert "Previous certificate expired" in own


def test_a_certificate_on_its_last_day_is_still_valid(app, member, give_certificate, today):
    certificate = give_certificate(member, "AHSM", months_after(today, -36), today)
    page = app.test_client().get(verify_path(certificate)).get_data(as_text=True)
    assert "Valid: this certificate was issued by HeSMA East Africa." in page


# -- revocation -----------------------------------------------------------------------------------


def test_admin_revokes_with_a_reason_and_verify_says_so(
    app, member, admin, give_certificate, tmp_path, today
):
    certificate = give_certificate(member, "AHSM", today - timedelta(days=30))
    url = f"/certification/certificates/{certificate.id}/revoke"
    assert login(app, "baraka@example.org").get(url).status_code == 403
    admin_client = login(app, "secretariat@example.org")
    before = admin_client.get(verify_path(certificate)).get_data(as_text=True)
    assert "Revoke this certificate" in before
    no_reason = submit(admin_client, url, {"reason": ""})
    assert no_reason.status_code == 400
    assert certificates()[0].status == "valid"
    reason = "Issued on a forged course completion."
    response = submit(admin_client, url, {"reason": reason})
    assert response.status_code == 302
    assert response.location.endswith(verify_path(certificate))
    (certificate,) = certificates()
    assert certificate.status == "revoked" and certificate.revoked_reason == reason
    assert certificate.revoked_at is not None
    page = app.test_client().get(verify_path(certificate)).get_data(as_text=True)
    assert "Revoked on" in page and "this certificate is no longer valid." in page
    assert "Valid: this certificate" not in page
    again = admin_client.get(url).get_data(as_text=True)
    assert "Already revoked on" in again
    pdf = login(app, "baraka@example.org").get(f"/certification/certificates/{certificate.id}.pdf")
    assert "REVOKED — this certificate is not valid" in pdf_text(pdf.data, tmp_path)


def test_a_revoked_prerequisite_no_longer_opens_the_next_level(
    app, member, admin, give_certificate, today
):
    certificate = give_certificate(member, "AHSM", today - timedelta(days=30))
    client = login(app, "baraka@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    assert "requires a valid Associate in Health Systems Management certification" not in page
    submit(
        login(app, "secretariat@example.org"),
        f"/certification/certificates/{certificate.id}/revoke",
        {"reason": "Issued in error."},
    )
    page = client.get("/certification/").get_data(as_text=True)
    assert "requires a valid Associate in Health Systems Management certification" in page
    assert "Previous certificate revoked" in page


# -- renewal --------------------------------------------------------------------------------------


def test_renewal_opens_within_ninety_days_of_expiry(
    app, member, admin, give_certificate, make_ahsm_eligible, today
):
    make_ahsm_eligible(member, today)
    old = give_certificate(
        member,
        "AHSM",
        months_after(today, -36) + timedelta(days=60),
        expires_on=today + timedelta(days=60),
    )
    client = login(app, "baraka@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Due for renewal soon." in page and f"Apply for {AHSM_NAME}" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    notice = f"Your {AHSM_NAME} certificate expires on {shown(app, old.expires_on)}."
    assert notice in dashboard
    issue_through_the_pages(app)
    new = certificates()[-1]
    assert new.id != old.id and new.issued_on == today
    assert new.expires_on == months_after(today, 36)
    page = client.get("/certification/").get_data(as_text=True)
    assert "Due for renewal soon." not in page
    assert f"valid until {shown(app, new.expires_on)}" in page
    # Renewed: the old certificate's expiry is no longer news.
    assert notice not in client.get("/dashboard").get_data(as_text=True)


def test_no_renewal_before_ninety_days(app, member, give_certificate, make_ahsm_eligible, today):
    make_ahsm_eligible(member, today)
    give_certificate(
        member, "AHSM", today - timedelta(days=400), expires_on=today + timedelta(days=91)
    )
    client = login(app, "baraka@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Certified" in page
    assert "Due for renewal soon." not in page and f"Apply for {AHSM_NAME}" not in page
    assert "expires on" not in client.get("/dashboard").get_data(as_text=True)
    apply_page = client.get("/certification/AHSM/apply").get_data(as_text=True)
    assert "You already hold this certification." in apply_page
    refused = submit(
        client, "/certification/AHSM/apply", {"statement": STATEMENT}, page="/certification/"
    )
    assert refused.status_code == 409 and applications() == []


@pytest.mark.parametrize(
    ("days_left", "noticed"), [(0, True), (90, True), (91, False), (-1, False)]
)
def test_dashboard_notice_window(app, member, give_certificate, today, days_left, noticed):
    expires_on = today + timedelta(days=days_left)
    give_certificate(member, "AHSM", expires_on - timedelta(days=1000), expires_on=expires_on)
    page = login(app, "baraka@example.org").get("/dashboard").get_data(as_text=True)
    notice = f"Your {AHSM_NAME} certificate expires on {shown(app, expires_on)}."
    assert (notice in page) is noticed


def test_a_renewing_member_must_still_be_eligible(app, member, give_certificate, today):
    give_certificate(
        member, "AHSM", today - timedelta(days=1000), expires_on=today + timedelta(days=30)
    )
    client = login(app, "baraka@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Due for renewal soon." in page and f"Apply for {AHSM_NAME}" not in page
    assert f"complete {LEADERSHIP_TITLE}" in page
    refused = submit(
        client, "/certification/AHSM/apply", {"statement": STATEMENT}, page="/certification/"
    )
    assert refused.status_code == 409 and applications() == []


# -- Open Badges 3.0 --------------------------------------------------------------------------------


@pytest.fixture
def issued(app, member, admin, make_ahsm_eligible, today):
    make_ahsm_eligible(member, today)
    issue_through_the_pages(app)
    (certificate,) = certificates()
    return certificate


class Badge:
    """A certificate's Open Badge as served: the signed credential, and its payload decoded."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.headers = response.headers
        self.data = b"{}"
        if response.status_code == 200:
            payload = response.get_data(as_text=True).split(".")[1]
            self.data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def badge_of(app, code: str):
    return Badge(app.test_client().get(f"/certification/badges/{code}.jwt"))


def test_the_open_badge_is_an_open_badge_credential(app, issued, today):
    response = badge_of(app, issued.code)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vc+jwt")
    badge = json.loads(response.data)
    assert "https://www.w3.org/ns/credentials/v2" in badge["@context"]
    assert badge["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert OB_CONTEXT in badge["@context"]
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(badge["type"])
    issuer = badge["issuer"]
    assert issuer["id"].startswith("http") and issuer["type"] == ["Profile"]
    assert issuer["name"].startswith("HeSMA East Africa")
    assert badge["validFrom"].startswith(today.isoformat())
    assert badge["validUntil"].startswith(months_after(today, 36).isoformat())
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["id"].startswith("http") and achievement["type"] == ["Achievement"]
    assert achievement["name"] == AHSM_NAME
    narrative = achievement["criteria"]["narrative"]
    assert LEADERSHIP_TITLE in narrative
    assert "20 counted CPD points within 24 months" in narrative
    assert "4 points in Leadership and governance within 24 months" in narrative
    (alignment,) = achievement["alignment"]
    assert alignment["type"] == ["Alignment"]
    assert alignment["targetName"] and alignment["targetUrl"].startswith("http")
    assert alignment.get("targetCode") == "LG"


def alignment_of(app, certificate) -> dict:
    badge = json.loads(badge_of(app, certificate.code).data)
    (alignment,) = badge["credentialSubject"]["achievement"]["alignment"]
    return alignment


def test_badge_alignment_is_named_after_the_domain(app, issued):
    """A badge consumer (a wallet, an employer) shows targetName to people: the domain's name,
    not its code (which is targetCode)."""
    assert alignment_of(app, issued)["targetName"] == "Leadership and governance"


def test_badge_alignment_links_to_a_public_description_of_the_domain(app, issued):
    """targetUrl is followed by people and programs without an account on Wired4EX."""
    url = alignment_of(app, issued)["targetUrl"]
    target = app.test_client().get(url.replace("http://localhost", ""))
    assert target.status_code == 200, (url, target.status_code, target.location)
    assert "Leadership and governance" in target.get_data(as_text=True)


def test_the_badge_of_each_programme_aligns_to_its_domains(app, make_user, programmes, today):
    admin = make_user(roles=("member", "admin"))
    expected = {"AHSM": {"LG"}, "DHSM": {"FM", "QS"}, "FHSM": {"LG", "DI"}}
    for programme in programmes.values():
        member = make_user()
        application = Application(
            user_id=member.id,
            programme_code=programme.code,
            statement=STATEMENT,
            eligibility={"programme": programme.code, "name": programme.name, "rules": []},
        )
        db.session.add(application)
        db.session.commit()
        certificate = decide_application(application, admin, True, "", programme, today)
        badge = json.loads(badge_of(app, certificate.code).data)
        alignments = badge["credentialSubject"]["achievement"]["alignment"]
        assert {a["targetCode"] for a in alignments} == expected[programme.code]
        assert all(a["type"] == ["Alignment"] and a["targetUrl"] for a in alignments)


def test_the_verify_page_links_to_the_badge_and_unknown_badges_are_404(app, issued):
    page = app.test_client().get(verify_path(issued)).get_data(as_text=True)
    assert f'href="/certification/badges/{issued.code}.jwt"' in page
    assert "Open Badges 3.0 credential, signed by HeSMA East Africa" in page
    assert badge_of(app, "ABCD-EFGH-JKMN").status_code == 404
    assert badge_of(app, "not-a-code").status_code == 404
    assert badge_of(app, format_code(issued.code)).status_code == 200


def test_the_member_page_links_to_pdf_verify_page_and_badge(app, issued):
    page = login(app, "baraka@example.org").get("/certification/").get_data(as_text=True)
    assert f'href="/certification/certificates/{issued.id}.pdf"' in page
    assert f'href="{verify_path(issued)}"' in page
    assert f'href="/certification/badges/{issued.code}.jwt?download=1"' in page
    assert str(escape(NAME)) in app.test_client().get(verify_path(issued)).get_data(as_text=True)
