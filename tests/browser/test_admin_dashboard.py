"""The M&E dashboard in a real browser, on a desktop screen and on a 360 px phone: every chart
is an inline SVG with a title, every figure is in a table, and nothing scrolls sideways."""

from playwright.sync_api import expect

from tests.admin.conftest import figures  # noqa: F401  (the known fixture of the admin tests)
from tests.browser.conftest import assert_no_horizontal_scroll, form_field_problems, log_in

CHARTS = ("months", "courses", "institutions", "countries", "compliance", "certificates")


def check_dashboard(page, year: int) -> None:
    page.goto("/admin/dashboard")
    page.get_by_label("Year").select_option(str(year))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="M&E dashboard")).to_be_visible()
    expect(page.get_by_text(f"In {year}: 5 enrolments and 3 course completions.")).to_be_visible()
    for name in CHARTS:
        chart = page.locator(f"svg#chart-{name}")
        expect(chart).to_be_visible()
        expect(chart).to_have_attribute("role", "img")
        assert chart.locator("title").first.text_content()
        expect(page.locator(f"table#table-{name}")).to_be_attached()
    professional = page.locator("#table-compliance tr", has_text="Professional")
    expect(professional).to_contain_text("75%")
    financing = page.locator("#table-courses tr", has_text="Health Financing for County Managers")
    expect(financing.locator("td")).to_have_text(["4", "3"])
    assert form_field_problems(page) == []


def test_dashboard_on_desktop_and_phone(page, desktop_page, live_server, figures):  # noqa: F811
    for browser_page in (desktop_page, page):
        log_in(browser_page, "admin@example.org")
        check_dashboard(browser_page, figures.last_year)
    assert_no_horizontal_scroll(page)
    page.goto("/admin/members")
    assert_no_horizontal_scroll(page)
    assert form_field_problems(page) == []
