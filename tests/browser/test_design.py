"""The design system's measurable promises, on every page of the four journeys (the pages of the
screenshot book, bench/journeys.py), in a real browser:

- no horizontal scroll at 360 px (tables and code scroll inside their own box);
- the header at most 72 px high on a phone with the menu closed;
- no text smaller than 12 px (SVG chart labels measured as drawn);
- every table cell at least 4 characters wide (no one-letter-per-line columns);
- the service navigation marks the current page with aria-current, and the Menu button works
  without JavaScript.

Phones and desktops are checked in English and Kiswahili (Swahili words are longer). The member's
and visitor's pages are also checked with axe (0 serious or critical problems), in both languages,
and a few things a member must be able to rely on are checked where they show: the ledger reads as
cards on a phone, the knowledge check's result panel, the confirmation pages' warning buttons, the
visitor's reason to log in.
"""

import re
from datetime import date
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from bench import journeys
from tests.browser.conftest import DESKTOP, PHONE, _open_page
from tests.browser.test_accessibility import axe_problems
from wired4ex import demo
from wired4ex.extensions import db

HEADER_LIMIT = 72  # px: a phone's header with the menu closed
SMALLEST_TEXT = 12
CELL_CHARACTERS = 4
PHONE_740 = {"width": 360, "height": 740}

MEASURE = """({smallest, characters}) => {
    const problems = [];
    const visible = (el) => {
        const style = getComputedStyle(el);
        return el.getClientRects().length > 0 && style.visibility !== "hidden";
    };
    // Text smaller than 12 px: elements that hold text of their own.
    for (const el of document.body.querySelectorAll("*")) {
        if (!visible(el) || el.closest("svg")) continue;
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < smallest) problems.push(`text ${size}px: <${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 40)}"`);
    }
    // SVG text, as drawn (a chart scaled down shrinks its labels).
    for (const text of document.querySelectorAll("svg text")) {
        if (!visible(text)) continue;
        const matrix = text.getScreenCTM();
        const size = parseFloat(getComputedStyle(text).fontSize) * (matrix ? Math.abs(matrix.a) : 1);
        if (size < smallest - 0.5) problems.push(`chart text ${size.toFixed(1)}px: "${text.textContent.trim().slice(0, 40)}"`);
    }
    // Table cells narrower than four characters of their own font.
    const canvas = document.createElement("canvas").getContext("2d");
    for (const cell of document.querySelectorAll("td, th")) {
        if (!visible(cell)) continue;
        const style = getComputedStyle(cell);
        canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const four = canvas.measureText("0".repeat(characters)).width;
        const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        if (inner + 0.5 < four) problems.push(`table cell ${inner.toFixed(0)}px wide (4 characters: ${four.toFixed(0)}px): "${cell.textContent.trim().slice(0, 30)}"`);
    }
    const header = document.querySelector(".site-header");
    return {
        problems,
        scrollWidth: document.documentElement.scrollWidth,
        header: header ? header.getBoundingClientRect().height : 0,
    };
}"""


@pytest.fixture
def book(synced_content):
    """The demo data and the extra rows of the screenshot book; the pages to visit."""
    lines = list(demo.seed())
    assert "skipped" not in lines[-1], lines
    ids = journeys.prepare(date.today())
    db.session.rollback()
    return journeys.journeys(ids)


def measure(page, shot, phone: bool) -> list[str]:
    response = page.goto(shot.path)
    expected = 404 if shot.name == "page not found" else 200
    assert response.status == expected, f"{shot.path}: HTTP {response.status}"
    page.wait_for_load_state("load")
    found = page.evaluate(MEASURE, {"smallest": SMALLEST_TEXT, "characters": CELL_CHARACTERS})
    where = f"{shot.role} {shot.name} ({shot.path}, {page.viewport_size['width']}px)"
    problems = [f"{where}: {problem}" for problem in found["problems"]]
    width = page.viewport_size["width"]
    if found["scrollWidth"] > width:
        problems.append(f"{where}: scrolls sideways ({found['scrollWidth']}px)")
    if phone and found["header"] > HEADER_LIMIT:
        problems.append(f"{where}: header {found['header']}px high with the menu closed")
    return problems


def sign_in(page, role: str) -> None:
    """Log in through the login page, whatever its language."""
    account = journeys.ACCOUNTS[role]
    page.goto("/login")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert "/login" not in page.url, f"{role} could not log in"


AXE_ROLES = ("visitor", "member")  # the pages of these journeys are also run through axe


def check_role(
    browser, base, page_log, role, shots, viewport, language="en", axe=False
) -> list[str]:
    """Visit a role's pages in one browser context and measure each (and run axe if asked)."""
    context, page = _open_page(browser, base, viewport, page_log)
    context.set_extra_http_headers({"Accept-Language": language})
    try:
        if role != "visitor":
            sign_in(page, role)
        problems = []
        for shot in shots:
            problems += measure(page, shot, phone=viewport["width"] < 600)
            expect(page.locator("html")).to_have_attribute("lang", language)
            if axe:
                problems += axe_problems(page, f"{role} {shot.name} ({language})")
        return problems
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "sw"])
def test_every_page_fits_a_phone_with_readable_text_and_tables(
    browser, live_server, page_log, book, language
):
    journeys.set_language(language)
    db.session.remove()
    problems = []
    for role in journeys.ROLES:
        shots = [shot for shot in book if shot.role == role]
        problems += check_role(
            browser, live_server, page_log, role, shots, PHONE_740, language, role in AXE_ROLES
        )
    assert page_log.blocked == []
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "sw"])
def test_every_page_on_a_desktop_has_readable_text_and_tables(
    browser, live_server, page_log, book, language
):
    journeys.set_language(language)
    db.session.remove()
    problems = []
    for role in journeys.ROLES:
        shots = [shot for shot in book if shot.role == role]
        problems += check_role(browser, live_server, page_log, role, shots, DESKTOP, language)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_member_pages_show_what_matters_on_a_phone(browser, live_server, page_log, book):
    """The ledger as cards, the result panel of a failed knowledge check with what to do next,
    warning buttons on the confirmation pages, the figures that lead My CPD."""
    paths = {shot.name: shot.path for shot in book if shot.role == "member"}
    context, page = _open_page(browser, live_server, PHONE_740, page_log)
    try:
        sign_in(page, "member")
        page.goto(paths["My CPD"])
        standing = page.locator("section.standing")
        expect(
            standing.get_by_role("progressbar", name="Progress towards the target")
        ).to_be_visible()
        expect(standing.locator(".days-left")).to_have_text(re.compile(r"^\d+ days? left"))
        expect(standing.locator(".next-step")).to_contain_text("What to do next:")
        row = page.locator("table.ledger tbody tr").first
        expect(row).to_have_css("display", "grid")  # a card, not a row of five cells
        assert row.bounding_box()["width"] <= 360
        page.goto(paths["knowledge check not passed"])
        panel = page.locator("#quiz-results.result-not-passed")
        expect(panel.get_by_role("heading")).to_have_text(re.compile(r"^Not yet passed: \d+%$"))
        expect(panel.locator(".result-next")).to_contain_text("What to do next:")
        for name, button in [
            ("leave a course", "Leave this course"),
            ("withdraw a claim", "Withdraw this claim"),
            ("revoke a token", "Revoke"),
        ]:
            page.goto(paths[name])
            warning = page.get_by_role("button", name=button, exact=True)
            expect(warning).to_have_css("background-color", "rgb(176, 0, 32)")  # --error
            expect(page.get_by_role("link", name=re.compile("^No, "))).to_be_visible()
    finally:
        context.close()


def test_a_visitor_is_told_why_a_module_needs_a_login_and_comes_back_to_it(
    browser, live_server, page_log, book
):
    module = next(s.path for s in book if s.role == "visitor" and s.name.startswith("module"))
    context, page = _open_page(browser, live_server, PHONE_740, page_log)
    try:
        page.goto(module)
        expect(page.locator(".banner")).to_contain_text("Log in to read this module")
        account = journeys.ACCOUNTS["member"]
        page.get_by_label("Email address").fill(account.email)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(live_server + module)
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            page.goto("/login?next=" + quote(target, safe=""))
            expect(page).not_to_have_url(re.compile("evil"))
    finally:
        context.close()


def test_the_menu_opens_without_javascript_and_marks_the_current_page(browser, live_server, book):
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "member")
        page.goto("/cpd/claims/new")
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_have_count(0)  # closed on a phone: the links are not there to read
        summary = page.get_by_text("Menu", exact=True)
        summary.focus()
        page.keyboard.press("Enter")  # the keyboard opens it, no script needed
        expect(nav.get_by_role("link", name="My CPD")).to_be_visible()
        expect(nav.get_by_role("link", name="My CPD")).to_have_attribute("aria-current", "page")
        expect(nav.locator("[aria-current]")).to_have_count(1)
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(page.locator("details.menu")).to_be_hidden()
        wide = page.get_by_role("navigation", name="Main")
        expect(wide.get_by_role("link", name="My CPD")).to_have_attribute("aria-current", "page")
    finally:
        context.close()


def test_the_footer_pages_are_real_accessible_pages_in_both_languages(page, live_server, book):
    problems = []
    for name, title in [
        ("help", "Help"),
        ("contact", "Contact"),
        ("privacy", "Privacy"),
        ("terms", "Terms of use"),
    ]:
        page.goto("/")
        page.get_by_role("navigation", name="Footer").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        problems += axe_problems(page, name)
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masharti ya matumizi")
    footer = page.get_by_role("navigation", name="Sehemu ya chini")
    footer.get_by_role("link", name="Msaada").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Msaada")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["faculty", "admin"])
def test_staff_pages_have_no_serious_accessibility_problems(
    browser, live_server, page_log, book, role
):
    """axe on every faculty and admin page of the book (work queue, claim queue and review with
    the evidence preview, audit log, M&E dashboard, draft review, confirmation steps), on a phone
    in Kiswahili (longer words) and on a desktop in English."""
    problems = []
    shots = [shot for shot in book if shot.role == role]
    for viewport, language in ((PHONE_740, "sw"), (DESKTOP, "en")):
        journeys.set_language(language)
        db.session.remove()
        context, page = _open_page(browser, live_server, viewport, page_log)
        context.set_extra_http_headers({"Accept-Language": language})
        try:
            sign_in(page, role)
            for shot in shots:
                page.goto(shot.path)
                problems += axe_problems(page, f"{role} {shot.name}")
        finally:
            context.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
