"""Every page a member uses, in Kiswahili, on a phone: the demo member's realistic year (modules,
an approved and a waiting claim, a statement), read with her language set to Kiswahili. No page
scrolls sideways, and none shows a sentence of the English interface."""

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, main_nav
from tests.browser.test_swahili_journey import assert_all_swahili, sw
from wired4ex import demo
from wired4ex.auth.models import User
from wired4ex.auth.services import find_user_by_email
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db

MEMBER = next(account for account in demo.DEMO_ACCOUNTS if account.roles == ("member",))
COURSE_URL = "/courses/lake-region-university/county-health-leadership/"


def test_the_members_pages_read_in_kiswahili_and_fit_a_phone(page, live_server, synced_content):
    lines = list(demo.seed())
    assert "skipped" not in lines[-1], lines
    member = find_user_by_email(MEMBER.email)
    db.session.execute(sa.update(User).where(User.id == member.id).values(language="sw"))
    db.session.commit()
    claims = sorted(db.session.scalars(sa.select(Claim.id).where(Claim.user_id == member.id)).all())
    db.session.rollback()

    log_in_swahili(page)
    pages = [
        "/",
        "/competencies",
        "/dashboard",
        COURSE_URL,
        "/cpd/",
        "/cpd/claims/new",
        *[f"/cpd/claims/{claim_id}" for claim_id in claims],
        "/cpd/statements",
        "/cpd/policy",
        "/certification/",
        "/profile",
        "/profile/password",
        "/profile/tokens",
    ]
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert_all_swahili(page)
        assert_no_horizontal_scroll(page)

    # A form sent with mistakes explains them in Kiswahili.
    page.goto("/cpd/claims/new")
    page.get_by_role("button", name=sw("Submit for verification")).click()
    expect(page.locator(".error").first).to_be_visible()
    assert_all_swahili(page)
    assert_no_horizontal_scroll(page)


def log_in_swahili(page) -> None:
    """Her profile says Kiswahili: the first page after logging in is already in Kiswahili."""
    page.goto("/login")
    page.get_by_label("Email address").fill(MEMBER.email)
    page.get_by_label("Password", exact=True).fill(MEMBER.password)
    page.get_by_role("button", name="Log in").click()
    expect(main_nav(page).get_by_role("button", name=sw("Log out"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sw")
