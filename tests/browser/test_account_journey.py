"""A member's first visit on a phone: register, log out, log in again, find their profile."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    confirm_by_mail,
    form_field_problems,
    main_nav,
)

NAME = "Wanjirũ Ng'ang'a"
EMAIL = "wanjiru.nganga@example.org"
PASSWORD = "maziwa-lala-kesho-2026"
FULL_NAME_LABEL = "Full name (as it should appear on certificates)"


def register(page) -> None:
    page.goto("/register")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label(FULL_NAME_LABEL).fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Country").select_option(label="Uganda")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Create account").click()


def test_register_log_out_and_log_in_again_on_a_phone(page, live_server, outbox):
    register(page)

    # Registered: asked to follow the link mailed to them, then to log in.
    expect(page).to_have_url(live_server + "/register/check-email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_no_horizontal_scroll(page)
    confirm_by_mail(page, outbox, EMAIL)
    expect(page).to_have_url(live_server + "/login")
    expect(page.get_by_role("status").first).to_contain_text("your e-mail address is confirmed")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Logged in, with a way out.
    expect(page).not_to_have_url(re.compile(r"/login"))
    log_out = main_nav(page).get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    assert_no_horizontal_scroll(page)

    log_out.click()
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Log out")).to_have_count(0)

    page.get_by_role("link", name="Log in", exact=True).click()
    expect(page).to_have_url(live_server + "/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Log in").click()
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/login"))

    page.get_by_role("link", name="Profile").click()
    expect(page).to_have_url(live_server + "/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_label(FULL_NAME_LABEL)).to_have_value(NAME)
    expect(page.get_by_label("Country")).to_have_value("UG")
    facts = page.locator("dl.summary-list")
    expect(facts).to_contain_text(EMAIL)
    expect(facts).to_contain_text("Membership not verified")  # the secretariat grants one
    assert_no_horizontal_scroll(page)


def test_a_wrong_password_keeps_the_member_on_the_login_page(page, live_server, make_user):
    make_user(email=EMAIL, full_name=NAME, password=PASSWORD)
    page.goto("/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("not-the-password-at-all")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("The e-mail address or password is not correct.")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email address")).to_have_value(EMAIL)
    expect(main_nav(page).get_by_role("button", name="Log out")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_registration_errors_are_shown_beside_the_fields(page, live_server):
    page.goto("/register")
    page.get_by_label(FULL_NAME_LABEL).fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.get_by_text("The passwords differ.")).to_be_visible()
    expect(page.get_by_label(FULL_NAME_LABEL)).to_have_value(NAME)
    expect(main_nav(page).get_by_role("button", name="Log out")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_the_account_forms_are_labelled_for_screen_readers(page, live_server, make_user):
    found = {}
    for path in ("/register", "/login", "/password/forgot"):
        page.goto(path)
        found[path] = form_field_problems(page)
    make_user(email=EMAIL, full_name=NAME, password=PASSWORD)
    page.goto("/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for path in ("/profile", "/profile/password"):
        page.goto(path)
        found[path] = form_field_problems(page)
    report = [f"{path}: {problem}" for path, problems in found.items() for problem in problems]
    assert not report, "form fields badly labelled:\n" + "\n".join(report)
