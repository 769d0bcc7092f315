"""The key pages opened in Chromium with XSS payloads stored in every text a member or the
secretariat types: the member's name, claim titles, providers, reflections, a rejection reason,
a reduction reason, an adjustment reason, and a search query. No dialog, no page error, no
script other than /static, no on* attribute, no javascript: (or other foreign scheme) URL.

The checks are those of tests/browser/test_xss_pages.py (open_and_inspect), whose own test proves
they report a payload that runs."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from markupsafe import escape

from tests.browser.conftest import log_in
from tests.browser.test_xss_pages import open_and_inspect
from tests.cpd.conftest import upload
from tests.security.payloads import report, sample
from wired4ex.cpd import services
from wired4ex.cpd.policy import load_policy
from wired4ex.timeutil import local_today

pytestmark = pytest.mark.browser

PAYLOADS = sample(per_file=2, max_length=120)


@pytest.fixture
def stored(make_user, synced_content):
    """A member whose name and claims hold payloads, decided by an admin in every way."""
    name = PAYLOADS[0]
    member = make_user(email="member@example.org", full_name=name)
    admin = make_user(email="admin@example.org", full_name=PAYLOADS[1], roles=("member", "admin"))
    today = local_today()
    claims = []
    for index, title in enumerate(PAYLOADS[2:8]):
        claim = services.save_claim(
            member,
            services.ClaimInput(
                title=title,
                provider=PAYLOADS[(index + 3) % len(PAYLOADS)],
                category="conference",
                start_date=today,
                end_date=today,
                hours=Decimal("4"),
                points_claimed=Decimal("2"),
                reflection="Reflection: " + PAYLOADS[(index + 4) % len(PAYLOADS)],
                competencies=[],
            ),  # fmt: skip
            upload=upload(),
            submit=True,
        )
        claims.append(claim.id)
        reason = PAYLOADS[(index + 5) % len(PAYLOADS)]
        if index == 0:
            services.decide_claim(claim, admin, services.Decision(False, None, reason))
        elif index == 1:
            services.decide_claim(claim, admin, services.Decision(True, Decimal("1"), reason))
    services.adjust(member, admin, Decimal("1"), "association", today, PAYLOADS[-1], load_policy())
    return member, claims


def check(page, page_log, live_server, paths: list[str]) -> dict[str, list[str]]:
    failures = {}
    for path in paths:
        failures[path] = open_and_inspect(page, page_log, live_server + path)
    return failures


def test_stored_payloads_do_not_run_in_the_browser(
    page, desktop_page, page_log, live_server, stored
):
    member, claims = stored
    log_in(page, "member@example.org")
    failures = check(page, page_log, live_server,
                     ["/profile", "/cpd/", *(f"/cpd/claims/{i}" for i in claims[:3])])  # fmt: skip
    page.goto("/cpd/")
    assert PAYLOADS[2] in page.locator("main").inner_text()  # shown as text, not parsed
    log_in(desktop_page, "admin@example.org")
    failures |= check(
        desktop_page,
        page_log,
        live_server,
        [
            "/admin/members",
            f"/admin/members/{member.id}",
            f"/cpd/members/{member.id}",
            "/cpd/review",
            f"/cpd/review/{claims[-1]}",
            "/admin/audit",
            "/cpd/members?q=" + quote(PAYLOADS[0][:100], safe=""),
        ],
    )
    desktop_page.goto(f"/admin/members/{member.id}")
    assert PAYLOADS[0] in desktop_page.locator("main").inner_text()
    assert str(escape(PAYLOADS[0])) in desktop_page.content() or PAYLOADS[0] in (
        desktop_page.locator("h1").inner_text()
    )
    assert not any(failures.values()), report(failures)
