"""The login, token and keep-tokens pages on a phone: labelled fields, nothing wider than the
screen, and the journey after a password change (tokens stopped, kept one by one)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, form_field_problems, log_in
from tests.conftest import PASSWORD
from wired4ex.auth import tokens

NEW = "another-long-passphrase-2026"


def test_login_offers_keep_me_logged_in(page, live_server):
    page.goto("/login")
    remember = page.get_by_label("Keep me logged in for 30 days (only on a device of your own)")
    expect(remember).not_to_be_checked()
    assert form_field_problems(page) == []
    assert_no_horizontal_scroll(page)


def test_tokens_after_a_password_change_on_a_phone(page, live_server, make_user):
    admin = make_user(email="ada@example.org", roles=("member", "admin"))
    tokens.create_token(admin, "HR system")
    tokens.create_token(admin, "Old laptop script")
    log_in(page, "ada@example.org")
    page.goto("/profile/tokens")
    assert form_field_problems(page) == []
    assert_no_horizontal_scroll(page)
    expect(page.get_by_label("Expires after")).to_have_value("90")
    expect(page.get_by_label(re.compile(r"^admin:read"))).not_to_be_checked()

    page.goto("/profile/password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Repeat new password").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(live_server + "/profile/tokens/keep")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your API tokens after the password change"
    )
    assert_no_horizontal_scroll(page)
    page.get_by_label(re.compile(r"^HR system")).check()
    page.get_by_role("button", name="Keep the ticked tokens").click()
    expect(page.get_by_role("status").first).to_contain_text("Tokens kept: 1. Tokens revoked: 1.")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="HR system")).to_contain_text("Active")
    expect(rows.filter(has_text="Old laptop script")).to_contain_text("Revoked")
    assert_no_horizontal_scroll(page)
