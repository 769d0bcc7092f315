"""An employer on a phone checks a CPD statement PDF by uploading it on the verify page: no
account, no JavaScript needed; the page says the figures inside are signed by the association."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll
from tests.conftest import Auth
from tests.records.conftest import policy, records  # noqa: F401  (a member with a statement)
from wired4ex.cpd.verifiable import format_code


def test_an_employer_uploads_a_statement_and_sees_it_is_signed(
    page,
    desktop_page,
    app,
    records,  # noqa: F811
    tmp_path,
):
    member = app.test_client()
    Auth(member).login("wanjiru@example.org")
    pdf = tmp_path / "cpd-statement.pdf"
    pdf.write_bytes(member.get(f"/cpd/statements/{records.statement.id}.pdf").data)

    page.goto("/verify")
    page.get_by_label("CPD statement (PDF, up to 5 MB)").set_input_files(str(pdf))
    assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "verify-form-360.png", full_page=True)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Valid: this file carries a CPD statement signed by HeSMA East Africa"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"CPD statement {format_code(records.statement.code)}"
    )
    expect(page.locator(".summary-list")).to_contain_text("10.5")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "verify-upload-360.png", full_page=True)

    desktop_page.goto(f"/verify/{format_code(records.statement.code)}")
    expect(
        desktop_page.get_by_text("The figures shown are the ones HeSMA East Africa signed")
    ).to_be_visible()
    desktop_page.screenshot(path=tmp_path / "verify-statement-1280.png", full_page=True)
