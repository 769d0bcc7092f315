"""A member downloads this year's CPD statement on a phone; a stranger verifies it from the
address printed on it and sees the same totals."""

import re
import shutil
import subprocess
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, main_nav
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

NAME = "Wanjirũ Ng'ang'a"


def add_entry(user_id: int, points: str, title: str, category: str, source: str) -> None:
    db.session.add(
        LedgerEntry(user_id=user_id, points=Decimal(points), category=category, source=source,
                    activity_date=local_today(), title=title, provider="Lake Region University")
    )  # fmt: skip
    db.session.commit()


def test_download_a_statement_and_verify_it_as_a_stranger(
    page, browser, live_server, make_user, synced_content, tmp_path
):
    member = make_user(email="wanjiru@example.org", full_name=NAME)
    add_entry(member.id, "1.5", "Planning and Budgeting", "structured", "module")
    # 25 conference points in three activities (one earns at most 10): 20 count, the cap.
    for points in ("10", "10", "5"):
        add_entry(member.id, points, "Regional health managers conference", "conference", "claim")
    log_in(page, "wanjiru@example.org")
    main_nav(page).get_by_role("link", name="My CPD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My CPD")
    assert_no_horizontal_scroll(page)
    standing = page.locator(".standing .big-number")
    expect(standing).to_contain_text("21.5")  # 1.5 + 20 (the conference cap)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download statement (PDF)").click()
    pdf = tmp_path / "statement.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run([shutil.which("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert NAME in text and "Planning and Budgeting" in text
    url = re.search(r"Verify at (\S+/verify/[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)
    code = url.rsplit("/", 1)[-1]

    stranger = browser.new_context(viewport={"width": 360, "height": 640}, base_url=live_server)
    try:
        visitor = stranger.new_page()
        visitor.goto(url)
        expect(visitor.get_by_role("status")).to_contain_text("Valid")
        expect(visitor.get_by_role("heading", level=1)).to_contain_text(code)
        facts = visitor.locator("dl.summary-list")
        expect(facts).to_contain_text(NAME)
        expect(facts.locator("dt:has-text('Points counted') + dd")).to_have_text("21.5")
        expect(facts.locator("dt:has-text('Points earned') + dd")).to_have_text("26.5")
        assert_no_horizontal_scroll(visitor)
        # The code typed by hand, in lower case and without dashes, finds the same statement.
        visitor.goto("/verify")
        visitor.get_by_label("Verification code").fill(code.replace("-", "").lower())
        visitor.get_by_role("button", name="Verify").click()
        expect(visitor.get_by_role("status")).to_contain_text("Valid")
    finally:
        stranger.close()
