"""The pages that refuse an admin's own case, the frozen claim and the page that issues a
statement, on a phone and a desktop: the notice takes the place of the form, nothing scrolls
sideways."""

import os
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.datastructures import FileStorage

from tests.browser.conftest import DESKTOP, PHONE, _open_page, assert_no_horizontal_scroll, log_in
from tests.cpd.conftest import PDF, claim_input
from wired4ex.cpd import services

NOTICE = "another administrator must decide this"
# Screenshots for a person to look at: kept when SCREENSHOTS names a folder.
SHOTS = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_own_case_and_frozen_claim_pages(browser, live_server, page_log, make_user,
                                         synced_content, viewport, tmp_path):  # fmt: skip
    admin = make_user(email="chief@hesma.example", full_name="Grace Wanjiku Mwangi",
                      roles=("member", "admin"))  # fmt: skip
    claim = services.save_claim(
        admin, claim_input(), upload=FileStorage(BytesIO(PDF), filename="certificate.pdf"),
        submit=True,
    )  # fmt: skip
    context, page = _open_page(browser, live_server, viewport, page_log)
    try:
        log_in(page, "chief@hesma.example")
        pages = {
            "claim": f"/cpd/claims/{claim.id}",
            "review": f"/cpd/review/{claim.id}",
            "member": f"/cpd/members/{admin.id}",
        }
        for name, url in pages.items():
            page.goto(url)
            expect(page.get_by_text(NOTICE)).to_be_visible()
            if name == "claim":  # frozen: it may be withdrawn, not edited
                expect(page.get_by_text("can no longer be changed")).to_be_visible()
                expect(page.get_by_role("link", name="Edit claim")).to_have_count(0)
                expect(page.get_by_role("link", name="Withdraw this claim")).to_be_visible()
            if name == "review":
                expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
            if name == "member":
                expect(page.get_by_role("button", name="Add adjustment")).to_have_count(0)
            assert_no_horizontal_scroll(page, viewport["width"])
            folder = SHOTS or tmp_path
            page.screenshot(path=str(folder / f"{name}-{viewport['width']}.png"), full_page=True)
        # A GET of the statement address issues nothing: it offers to issue, by POST.
        page.goto("/cpd/statement.pdf")
        expect(page.get_by_role("heading", name="Issue a CPD statement")).to_be_visible()
        assert_no_horizontal_scroll(page, viewport["width"])
        page.screenshot(path=str((SHOTS or tmp_path) / f"issue-{viewport['width']}.png"))
        with page.expect_download() as download:
            page.get_by_role("button", name="Issue and download PDF").click()
        assert download.value.suggested_filename.startswith("cpd-statement-")
    finally:
        context.close()
    assert not page_log.problems(), page_log.problems()
