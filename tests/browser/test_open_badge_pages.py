"""A certified member on a phone finds their signed Open Badge and a link to share; the share
link opens the public verification page, which links to the credential and the programme page."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, assert_no_horizontal_scroll, log_in
from wired4ex.certification.models import Certificate
from wired4ex.cpd.verifiable import format_code, new_code
from wired4ex.extensions import db


def give_certificate(member) -> Certificate:
    found = Certificate(
        code=new_code(), user_id=member.id, programme_code="AHSM",
        programme_name="Associate in Health Systems Management", level=1,
        holder_name=member.full_name, competencies=["LG"], criteria="Awarded for the rules.",
        issued_on=date.today(), expires_on=date(date.today().year + 3, 1, 10),
    )  # fmt: skip
    db.session.add(found)
    db.session.commit()
    return found


def test_member_shares_the_badge_and_a_stranger_follows_it(
    page, desktop_page, synced_content, make_user, tmp_path
):
    member = make_user(email="otieno@example.org", full_name="Otieno Achieng' Wanjirũ")
    certificate = give_certificate(member)
    log_in(page, "otieno@example.org")
    page.goto("/certification/")
    share = page.get_by_label("Share link (anyone can check your certificate with it)")
    link = share.input_value()
    assert link.endswith(f"/verify/{format_code(certificate.code)}")
    download = page.get_by_role("link", name="Download the Open Badge (signed credential)")
    assert download.get_attribute("href").endswith(f"{certificate.code}.jwt?download=1")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "certifications-360.png", full_page=True)

    stranger = desktop_page
    stranger.goto(link)
    expect(
        stranger.get_by_text("Valid: this certificate was issued by HeSMA East Africa.")
    ).to_be_visible()
    credential = stranger.get_by_role(
        "link", name="Open Badges 3.0 credential, signed by HeSMA East Africa"
    )
    served = stranger.request.get(credential.get_attribute("href"))
    assert served.ok and served.headers["content-type"] == "application/vc+jwt"
    assert served.text().count(".") == 2  # a compact JWS
    stranger.get_by_role("link", name="About this certification").click()
    expect(
        stranger.get_by_role("heading", name="Associate in Health Systems Management (AHSM)")
    ).to_be_visible()
    stranger.screenshot(path=tmp_path / "programme-1280.png", full_page=True)
    stranger.get_by_role("link", name="HeSMA East Africa", exact=True).click()
    expect(
        stranger.get_by_role("heading", name="HeSMA East Africa as issuer of credentials")
    ).to_be_visible()
    stranger.screenshot(path=tmp_path / "issuer-1280.png", full_page=True)
    for url in ("/certification/programmes/AHSM", "/certification/issuer"):
        page.goto(url)
        assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "issuer-360.png", full_page=True)
    assert DESKTOP["width"] == 1280
