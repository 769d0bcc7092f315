"""Certificates and certification mail in the member's language: a Swahili member's certificate PDF
is in Swahili (long Swahili dates, the state warning), an English reader of the same certificate
gets English, and the decision mail follows the member's language, not the deciding admin's."""

from datetime import date

import pytest

from tests.certification.conftest import STATEMENT, applications, login, pdf_text
from tests.conftest import submit

NAME = "Neema Mushi"
ENGLISH = (
    "Certificate of Professional Certification",
    "This certifies that",
    "has met the requirements",
    "Issued",
    "valid until",
    "Certificate code",
    "Verify at",
    "November",
    "March",
    "Associate in Health Systems Management",
)


@pytest.fixture
def mwanachama(make_user, synced_content):
    return make_user(email="neema@example.org", full_name=NAME, language="sw")


@pytest.fixture
def admin(make_user):
    return make_user(
        email="secretariat@example.org", full_name="Secretariat", roles=("member", "admin")
    )


def test_a_swahili_member_downloads_a_swahili_certificate(
    app, mwanachama, admin, give_certificate, tmp_path
):
    certificate = give_certificate(
        mwanachama, "AHSM", issued_on=date(2025, 11, 10), expires_on=date(2035, 3, 1)
    )
    url = f"/certification/certificates/{certificate.id}.pdf"
    text = pdf_text(login(app, "neema@example.org").get(url).data, tmp_path)
    for swahili in (
        "Cheti cha Uthibitisho wa Kitaaluma",
        "Hii ni kuthibitisha kwamba",
        NAME,
        "ametimiza masharti ya chama kwa ajili ya",
        "Kimetolewa 10 Novemba 2025 · ni halali hadi 1 Machi 2035",
        "Msimbo wa cheti:",
        "Thibitisha kwenye",
        "Mshirika katika Usimamizi wa Mifumo ya Afya",  # the programme's name_sw
    ):
        assert swahili in text, swahili
    for english in ENGLISH:
        assert english not in text, english
    assert "si halali" not in text  # a valid certificate carries no warning

    english = pdf_text(login(app, "secretariat@example.org").get(url).data, tmp_path)
    assert "Certificate of Professional Certification" in english
    assert "Issued November 10, 2025 · valid until March 1, 2035" in english
    assert "Novemba" not in english and "Kimetolewa" not in english


def test_an_expired_certificate_says_so_in_swahili(app, mwanachama, give_certificate, tmp_path):
    certificate = give_certificate(
        mwanachama, "AHSM", issued_on=date(2022, 1, 10), expires_on=date(2025, 1, 10)
    )
    pdf = login(app, "neema@example.org").get(f"/certification/certificates/{certificate.id}.pdf")
    text = pdf_text(pdf.data, tmp_path)
    assert "MUDA WAKE UMEKWISHA — cheti hiki si halali" in text
    assert "EXPIRED" not in text and "not valid" not in text
    assert "ni halali hadi 10 Januari 2025" in text


def test_an_english_admin_decides_and_the_member_reads_swahili(
    app, mwanachama, admin, make_ahsm_eligible, today, outbox
):
    make_ahsm_eligible(mwanachama, today)
    client = login(app, "neema@example.org")
    assert submit(client, "/certification/AHSM/apply", {"statement": STATEMENT}).status_code == 302
    (application,) = applications()
    secretariat = login(app, "secretariat@example.org")
    url = f"/certification/applications/{application.id}"
    assert "Waiting for a decision" in secretariat.get(url).get_data(as_text=True)
    reason = "Maelezo yako hayaonyeshi nafasi ya usimamizi."
    assert submit(secretariat, url, {"decision": "reject", "reason": reason}).status_code == 302
    (message,) = outbox.messages()
    assert message["To"] == "neema@example.org"
    assert message["Subject"] == "Ombi lako la uthibitisho wa kitaaluma limeamuliwa"
    body = message.get_content()
    assert f"Mpendwa {NAME}," in body and "halikuidhinishwa" in body
    assert f"Sababu: {reason}" in body and "Sekretarieti ya HeSMA East Africa" in body
    for english in ("Hello", "was not approved", "Reason:", "See your certifications"):
        assert english not in body, english
    page = secretariat.get(url).get_data(as_text=True)
    assert "Not approved" in page  # the admin's page stays in English
