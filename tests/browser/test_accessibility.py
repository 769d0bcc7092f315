"""Accessibility: axe-core checks every core page, for anonymous visitors, a member, faculty and
an admin, on a 360 px phone and on a desktop screen, including the pages that show form errors.

Any violation of impact "serious" or "critical" fails the test, with its rule, impact, the
elements it was found on and axe's help text. The rules run are axe's defaults (WCAG 2.0-2.2 A and
AA, and best practices); none is switched off.

axe-core comes with the axe-playwright-python package (its bundled axe.min.js); nothing is
fetched: the browser contexts refuse every request to another host, and the tests assert that
none was made. The package injects axe with Playwright's `page.evaluate`, which runs through the
DevTools protocol and is not subject to the app's Content-Security-Policy (script-src 'self'), so
the pages are checked exactly as served: no `bypass_csp` is needed.

Each role logs in once per screen size and then visits all its pages in that one browser context.
The data is the demo data (`flask demo seed`): a member with completed modules, an approved and a
waiting claim; a faculty member of Lake Region University; an admin.
"""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_authoring_journey import (
    COURSE_SLUG,
    COURSE_TITLE,
    MODULE_KEY,
    MODULE_TITLE,
    module_text,
)
from tests.browser.test_learning_journey import INSTITUTION, answer, stored_modules
from wired4ex import demo
from wired4ex.auth.services import find_user_by_email
from wired4ex.authoring import services as authoring
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Course, Institution
from wired4ex.cpd.models import Claim, Statement
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

AXE = Axe()
BLOCKING = ("serious", "critical")
COURSE = "county-health-leadership"
COURSE_URL = f"/courses/{INSTITUTION}/{COURSE}/"
DEMO = {account.roles[-1]: account for account in demo.DEMO_ACCOUNTS}


def axe_problems(page, what: str) -> list[str]:
    """The serious and critical axe violations on the page as it is now, one line per element."""
    page.wait_for_load_state("load")
    results = AXE.run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            targets = ", ".join(" ".join(t) if isinstance(t, list) else t for t in node["target"])
            problems.append(
                f"{what} ({page.url}, {page.viewport_size['width']}px): {violation['id']} "
                f"[{violation['impact']}] on {targets}: {violation['help']}"
                f"\n    {node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return problems


class Checker:
    """Runs axe on each page a test visits and keeps every problem, so one run reports all."""

    def __init__(self):
        self.problems: list[str] = []
        self.checked = 0

    def visit(self, page, url: str, what: str) -> None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{what}: {url} answered {response.status}"
        self.check(page, what)

    def check(self, page, what: str) -> None:
        self.checked += 1
        self.problems += axe_problems(page, what)

    def assert_clean(self, page_log) -> None:
        assert page_log.blocked == [], f"requests to other hosts: {page_log.blocked}"
        assert self.checked, "no page was checked"
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} serious or critical accessibility violation(s) on "
                f"{self.checked} pages checked:\n" + "\n".join(self.problems),
                pytrace=False,
            )


@pytest.fixture
def demo_data(synced_content):
    """The demo accounts and the demo member's year, on top of the real content."""
    lines = list(demo.seed())
    assert "skipped" not in lines[-1], lines
    db.session.rollback()


def press(page, button: str) -> None:
    """Click a form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


# -- anonymous ----------------------------------------------------------------------------------


def test_the_public_pages_are_accessible(
    page, desktop_page, page_log, live_server, demo_data, outbox
):
    check = Checker()
    for screen in (page, desktop_page):
        check.visit(screen, "/", "catalogue")
        check.visit(screen, COURSE_URL, "course page")
        check.visit(screen, "/login", "login")
        screen.get_by_label("Email address").fill("nobody@example.org")
        screen.get_by_label("Password", exact=True).fill("not-the-password")
        press(screen, "Log in")
        check.check(screen, "login with an error")
        check.visit(screen, "/register", "register")
        press(screen, "Create account")
        expect(screen.locator("[aria-invalid=true]").first).to_be_visible()
        check.check(screen, "register with errors")
        check.visit(screen, "/password/forgot", "password reset request")
        check.visit(screen, "/verify", "verify form")
        screen.get_by_label("Verification code").fill("NOT-A-CODE")
        press(screen, "Verify")
        check.check(screen, "verify with an unknown code")
    # More pages and states of forms, beyond the core ones: on the phone only, to save time.
    check.visit(page, "/competencies", "competency framework")
    check.visit(page, "/cpd/policy", "CPD policy")
    check.visit(page, "/password/forgot", "password reset request")
    press(page, "Send reset link")
    check.check(page, "password reset request with an error")
    # The reset link of the mail, and its form with errors.
    page.goto("/password/forgot")
    page.get_by_label("Email address").fill(DEMO["member"].email)
    press(page, "Send reset link")
    (mail,) = outbox.messages()
    link = re.search(r"https?://\S+/password/reset/\S+", mail.get_content()).group(0)
    check.visit(page, link, "password reset form")
    press(page, "Set new password")
    check.check(page, "password reset form with errors")
    check.assert_clean(page_log)


# -- member -------------------------------------------------------------------------------------


def test_the_member_pages_are_accessible(page, desktop_page, page_log, live_server, demo_data):
    member = find_user_by_email(DEMO["member"].email)
    claims = {
        claim.status: claim.id
        for claim in db.session.scalars(sa.select(Claim).where(Claim.user_id == member.id))
    }
    modules = stored_modules()  # ends the test's read
    with_quiz = [module for module in modules if module.quiz]
    module = with_quiz[-1]
    module_url = f"{COURSE_URL}{module.key}"
    check = Checker()
    year = local_today().year
    # Each screen asks for a statement of its own period, so each finds none issued yet.
    periods = {page: "", desktop_page: f"?start={year}-01-01&end={year}-01-31"}
    for screen in (page, desktop_page):
        log_in(screen, DEMO["member"].email, DEMO["member"].password)
        check.check(screen, "dashboard")
        check.visit(screen, COURSE_URL, "course page (enrolled)")
        check.visit(screen, module_url, "module with its knowledge check")
        with screen.expect_navigation():
            answer(screen, module.quiz, right=False)
        expect(screen).to_have_url(re.compile(r"\?attempt=\d+#quiz-results$"))
        check.check(screen, "module after a failed knowledge check")
        check.visit(screen, module_url, "module")
        press(screen, "Submit answers")
        check.check(screen, "module after submitting no answers")
        check.visit(screen, "/cpd/", "My CPD")
        check.visit(screen, "/cpd/claims/new", "new claim")
        press(screen, "Submit for verification")
        expect(screen.locator("[aria-invalid=true]").first).to_be_visible()
        check.check(screen, "new claim with errors")
        for status, claim_id in claims.items():
            check.visit(screen, f"/cpd/claims/{claim_id}", f"claim detail ({status})")
        check.visit(screen, f"/cpd/claims/{claims['submitted']}/edit", "edit a waiting claim")
        check.visit(screen, "/cpd/statements", "statements")
        check.visit(screen, "/cpd/statement.pdf" + periods[screen], "issue a statement")
        with screen.expect_download():
            screen.get_by_role("button", name="Issue and download PDF").click()
        check.visit(screen, "/cpd/statements", "statements (one issued)")
        check.visit(screen, "/certification/", "certification")
        check.visit(screen, "/profile", "profile")
        check.visit(screen, "/profile/tokens", "API tokens")
        press(screen, "Create token")
        expect(screen.locator("[aria-invalid=true]").first).to_be_visible()
        check.check(screen, "API tokens with an error")
        screen.get_by_label("Token name").fill("HR system")
        press(screen, "Create token")
        expect(screen.locator("#new-token")).to_be_visible()
        check.check(screen, "API tokens with a new token and the list")
    # More pages and states of forms, beyond the core ones: on the phone only, to save time.
    check.visit(page, "/", "catalogue (logged in)")
    check.visit(page, "/profile/password", "change password")
    code = db.session.scalars(sa.select(Statement.code)).first()
    db.session.rollback()
    check.visit(page, f"/verify/{code}", "verify a statement")
    check.assert_clean(page_log)


# -- faculty ------------------------------------------------------------------------------------


def editor_course(faculty, admin) -> dict:
    """A course written in the browser editor: a module published twice (so its history has a
    comparison) and a third draft of it open in the editor. Returns the ids the pages need."""
    institution = db.session.scalars(
        sa.select(Institution).where(Institution.slug == INSTITUTION)
    ).one()
    course = authoring.create_course(
        faculty, institution, COURSE_SLUG, COURSE_TITLE, "Plan, cost and run outreach days.",
        "en", None, "Outreach days bring services to villages far from a facility.",
    )  # fmt: skip
    fields = {
        "key": MODULE_KEY, "title": MODULE_TITLE, "minutes": 30, "cpd_points": Decimal("1.5"),
        "cpd_category": "structured", "competencies": ["FM1"], "pass_mark": 70,
        "objectives": ["list the costs of an outreach day", "link each cost to the work plan"],
    }  # fmt: skip
    module = None
    for text in (module_text(), module_text() + "\nAsk the county for the fuel in advance.\n"):
        draft = authoring.open_draft(faculty, course, module)
        authoring.save_draft(draft, fields, text)
        authoring.submit_draft(faculty, course, draft)
        module = authoring.approve_draft(admin, course, draft).module
    draft = authoring.open_draft(faculty, course, module)
    authoring.save_draft(draft, fields, draft.body + "\nBook the vehicle a week ahead.\n")
    ids = {"course": course.id, "module": module.id, "draft": draft.id}
    db.session.rollback()
    return ids


def test_the_faculty_pages_are_accessible(page, desktop_page, page_log, live_server, demo_data):
    faculty = find_user_by_email(DEMO["faculty"].email)
    admin = find_user_by_email(DEMO["admin"].email)
    ids = editor_course(faculty, admin)
    history = f"/authoring/modules/{ids['module']}/history"
    content_module = f"{COURSE_URL}{stored_modules()[0].key}"
    check = Checker()
    for screen in (page, desktop_page):
        log_in(screen, DEMO["faculty"].email, DEMO["faculty"].password)
        check.visit(screen, "/authoring/", "authoring: courses and drafts")
        check.visit(screen, f"/authoring/courses/{ids['course']}", "authoring: course")
        check.visit(screen, f"/authoring/drafts/{ids['draft']}", "editor")
        press(screen, "Preview")
        expect(screen.locator("#live-preview .preview-frame")).to_be_visible()
        check.check(screen, "editor with the preview")
        screen.get_by_label("Pass mark", exact=False).fill("500")
        press(screen, "Save draft")
        expect(screen.locator("[aria-invalid=true]").first).to_be_visible()
        check.check(screen, "editor with errors")
        check.visit(screen, history, "module history")
        check.visit(screen, f"{history}?a=1&b=2", "module history comparing two versions")
        check.visit(screen, content_module, "module preview (faculty)")
    # More pages and states of forms, beyond the core ones: on the phone only, to save time.
    check.visit(page, "/authoring/courses/new", "authoring: new course")
    press(page, "Save course")
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    check.check(page, "authoring: new course with errors")
    check.visit(page, "/authoring/import", "authoring: import")
    check.assert_clean(page_log)


# -- admin --------------------------------------------------------------------------------------


def test_the_admin_pages_are_accessible(page, desktop_page, page_log, live_server, demo_data):
    member = find_user_by_email(DEMO["member"].email)
    faculty = find_user_by_email(DEMO["faculty"].email)
    admin = find_user_by_email(DEMO["admin"].email)
    waiting = db.session.scalars(
        sa.select(Claim.id).where(Claim.user_id == member.id, Claim.status == "submitted")
    ).one()
    course_id = db.session.scalars(
        sa.select(Course.id)
        .join(Institution)
        .where(Institution.slug == INSTITUTION, Course.slug == COURSE)
    ).one()
    ids = {"member": member.id, "claim": waiting, "course": course_id}
    ids["institution"] = db.session.get(Course, course_id).institution_id
    ids["editor"] = editor_course(faculty, admin)
    draft = db.session.get(Draft, ids["editor"]["draft"])
    authoring.submit_draft(faculty, draft.course, draft)
    db.session.rollback()
    check = Checker()
    for screen in (page, desktop_page):
        log_in(screen, DEMO["admin"].email, DEMO["admin"].password)
        check.visit(screen, "/admin/dashboard", "admin dashboard")
        check.visit(screen, "/admin/members", "members")
        check.visit(screen, f"/admin/members/{ids['member']}", "member record")
        check.visit(screen, f"/cpd/members/{ids['member']}", "member's CPD ledger")
        check.visit(screen, "/cpd/review", "claim review queue")
        check.visit(screen, f"/cpd/review/{ids['claim']}", "verify a claim")
        press(screen, "Record decision")
        check.check(screen, "verify a claim with errors")
        check.visit(screen, "/cpd/audits", "audit samples")
        check.visit(screen, "/admin/courses", "course reports")
        check.visit(screen, f"/admin/courses/{ids['course']}", "course report")
        check.visit(screen, "/admin/audit", "audit log")
        check.visit(screen, "/admin/institutions", "institutions")
        check.visit(screen, f"/admin/institutions/{ids['institution']}", "institution")
        check.visit(screen, "/certification/applications", "certification applications")
        check.visit(screen, "/authoring/reviews", "drafts to review")
        check.visit(screen, f"/authoring/drafts/{ids['editor']['draft']}/review", "review a draft")
    # More pages and states of forms, beyond the core ones: on the phone only, to save time.
    check.visit(page, "/cpd/members", "CPD members")
    page.goto(f"/cpd/members/{ids['member']}")
    press(page, "Add adjustment")
    check.check(page, "member's CPD ledger with adjustment errors")
    page.goto("/cpd/audits")
    page.get_by_label("Percentage of members with claims").fill("100")
    press(page, "Draw sample")
    expect(page).to_have_url(re.compile(r"/cpd/audits/\d+$"))
    check.check(page, "audit sample")
    check.visit(page, "/admin/institutions/new", "new institution")
    check.assert_clean(page_log)
