"""The M&E dashboard in a real browser, on a desktop screen and on a 360 px phone: headline
figures first, every chart an image named by its title (or a sentence when it has nothing to
show), every figure in a table, chart labels at least 12 px and never clipped, and nothing
scrolls sideways."""

from playwright.sync_api import expect

from tests.admin.conftest import figures  # noqa: F401  (the known fixture of the admin tests)
from tests.browser.conftest import assert_no_horizontal_scroll, form_field_problems, log_in

CHARTS = ("months", "courses", "institutions", "countries", "compliance")


def check_dashboard(page, year: int) -> None:
    page.goto("/admin/dashboard")
    page.get_by_label("Year").select_option(str(year))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="M&E dashboard")).to_be_visible()
    expect(page.get_by_text(f"In {year}: 5 enrolments and 3 course completions.")).to_be_visible()
    expect(page.get_by_text("Members on track")).to_be_visible()
    for name in CHARTS:
        chart = page.locator(f"#chart-{name}")
        expect(chart).to_be_visible()
        expect(chart).to_have_attribute("role", "img")
        expect(chart.locator(f"#chart-{name}-title")).not_to_be_empty()
        expect(page.locator(f"table#table-{name}")).to_be_attached()
        # Labels and values are at least 12 px and drawn whole (nothing cut at the box's edge).
        clipped = chart.evaluate("""(figure) => [...figure.querySelectorAll('.bar-label, .bar-value')]
            .filter((el) => parseFloat(getComputedStyle(el).fontSize) < 12
                         || el.scrollWidth > el.clientWidth + 1
                         || el.getBoundingClientRect().right > figure.getBoundingClientRect().right + 1)
            .map((el) => el.textContent)""")
        assert clipped == [], f"{name}: {clipped}"
    expect(page.locator("#chart-certificates")).to_have_text(
        f"No certificates were issued in {year} and none expire in the next 90 days."
    )
    expect(page.get_by_text("March", exact=True).first).to_be_visible()
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
