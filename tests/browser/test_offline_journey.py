"""A member on a phone saves a course, loses the connection, reads the saved modules, answers
the knowledge check and marks a module done, and when the connection is back the completions
and CPD points are recorded, once. The service worker is cut off the network with the page
(context.set_offline, and its own requests aborted: Playwright's offline mode does not reach
service workers by itself)."""

import re
import time

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import log_in, main_nav
from tests.learning.conftest import READING_MODULE, CourseTree
from wired4ex.auth.models import User
from wired4ex.catalog.models import Course
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import LedgerEntry, ModuleCompletion, QuizAttempt

EMAIL = "neema.offline@example.org"
COURSE_URL = "/courses/demo-uni/budgets/"
QUIZ_URL = COURSE_URL + "budgets-in-practice"
READING_URL = COURSE_URL + "reading"
SHOTS = "/tmp/wired4ex-offline-shots"

FIGURE_MODULE = READING_MODULE + "\n![A bar chart of budgets by county](media/chart.png)\n"


@pytest.fixture
def offline_member(app, tmp_path, make_user):
    tree = CourseTree(tmp_path / "content")
    (tree.course / "media").mkdir()
    Image.new("RGB", (120, 60), (11, 94, 85)).save(tree.course / "media" / "chart.png")
    tree.write("02-reading.md", FIGURE_MODULE)
    tree.sync()
    user = make_user(email=EMAIL, full_name="Neema Offline")
    services.enrol(user, db.session.scalar(sa.select(Course).where(Course.slug == "budgets")))
    db.session.rollback()  # end the test's read: the server writes while the test runs
    return user, tree


def _go_offline(context) -> None:
    context.set_offline(True)
    context.route("**/*", _abort_worker_requests)


def _go_online(context) -> None:
    context.unroute("**/*", _abort_worker_requests)
    context.set_offline(False)


def _abort_worker_requests(route) -> None:
    if route.request.service_worker is not None:
        route.abort("internetdisconnected")
    else:
        route.fallback()


def _controlled(page) -> None:
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def _counts(user_id: int) -> tuple[int, int]:
    db.session.rollback()
    completions = db.session.scalar(
        sa.select(sa.func.count(ModuleCompletion.id)).where(ModuleCompletion.user_id == user_id)
    )
    entries = db.session.scalar(
        sa.select(sa.func.count(LedgerEntry.id)).where(LedgerEntry.user_id == user_id)
    )
    return completions, entries


def _wait_for(page, condition, user_id, seconds: float = 20) -> None:
    """Wait in Playwright (not time.sleep): the worker's requests pass the context's routes, which
    the sync API serves only while the test is inside a Playwright call."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the answers kept on the phone did not arrive: {_counts(user_id)}")


def test_a_course_saved_on_a_phone_is_read_and_answered_offline(page, live_server, offline_member):
    user, tree = offline_member
    user_id = user.id
    context = page.context
    log_in(page, EMAIL)
    page.goto(COURSE_URL)
    _controlled(page)
    save = page.get_by_role("button", name=re.compile(r"^Save for offline \(\d+ KB\)$"))
    expect(save).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"Download the course as a PDF"))
    ).to_be_visible()
    page.screenshot(path=f"{SHOTS}/course-360.png", full_page=True)
    save.click()

    expect(page).to_have_url(re.compile(r"/offline/saved$"))
    saved = page.locator("#saved-courses li")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Budgets for managers")
    expect(saved).to_contain_text(re.compile(r"\d+ KB · saved on"))
    page.screenshot(path=f"{SHOTS}/saved-360.png", full_page=True)
    completions, entries = _counts(user_id)
    assert (completions, entries) == (0, 0)

    _go_offline(context)
    page.goto(QUIZ_URL)
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("You are offline: this page was saved on this phone on")
    page.screenshot(path=f"{SHOTS}/module-offline-360.png", full_page=True)
    quiz = page.locator("section.quiz form")
    quiz.get_by_label("A programme-based budget").check()
    quiz.get_by_label("Exchequer allocations").check()
    quiz.get_by_label("Facility improvement fund collections").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/offline/kept(#[\w-]+)?$"))
    expect(page.get_by_role("heading", name="Kept on this phone")).to_be_visible()

    page.goto(READING_URL)
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    figure = page.get_by_role("img", name="A bar chart of budgets by county")
    expect(figure).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", figure.element_handle()) == 120
    page.get_by_role("button", name="Mark this module as done").click()
    expect(page).to_have_url(re.compile(r"/offline/kept(#[\w-]+)?$"))

    page.goto("/offline/saved")
    expect(page.locator("[data-pending]")).to_contain_text("2")
    page.goto("/dashboard")  # never saved: the offline page
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert _counts(user_id) == (0, 0)

    _go_online(context)
    page.goto("/dashboard")  # the next page load sends what the phone kept
    _wait_for(page, lambda: _counts(user_id) == (2, 2), user_id)
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id))
    assert attempt.passed and attempt.submission_id and attempt.received_at is not None
    page.goto(COURSE_URL)
    expect(page.get_by_text("Progress: 2 of 2 modules complete.")).to_be_visible()
    page.goto("/offline/saved")
    expect(page.locator("[data-pending]")).to_be_hidden()
    page.reload()
    page.wait_for_timeout(1000)
    assert _counts(user_id) == (2, 2)  # counted once

    # The module changed since it was saved: the next visit online fetches it again.
    tree.write("02-reading.md", FIGURE_MODULE + "\nA paragraph published after saving.\n")
    tree.sync()
    db.session.rollback()
    page.goto(COURSE_URL)
    worker = context.service_workers[0]
    cached = """(url) => get('member').then((m) => caches.open(MEMBER + m))
        .then((cache) => cache.match(url)).then((hit) => (hit ? hit.text() : ''))"""
    _wait_for(
        page, lambda: "published after saving" in worker.evaluate(cached, READING_URL), user_id
    )
    _go_offline(context)
    page.goto(READING_URL)
    expect(page.get_by_text("A paragraph published after saving.")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    _go_online(context)
    page.goto("/offline/saved")

    # Removing the course empties the list.
    page.get_by_role("button", name="Remove from this phone Budgets for managers").click()
    expect(page).to_have_url(re.compile(r"/offline/saved$"))
    expect(page.locator("#saved-courses li")).to_have_count(0)

    # A forged answer sheet and a replay under another id are refused by the server.
    token = page.evaluate("() => fetch('/offline/sync').then((r) => r.json())")["csrf"]
    replay = {"id": "0" * 32, "path": QUIZ_URL + "/quiz", "at": int(time.time() * 1000),
              "fields": [["token", "forged.token"], ["q1", "q1a"]]}  # fmt: skip
    status = page.evaluate(
        """([body, token]) => fetch('/offline/sync', {method: 'POST', body: JSON.stringify(body),
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}})
              .then((r) => r.status)""",
        [replay, token],
    )
    assert status == 400
    assert _counts(user_id) == (2, 2)
    assert db.session.get(User, user_id) is not None

    # Logging out leaves nothing of the member's on the phone.
    page.goto(COURSE_URL)
    page.get_by_role("button", name=re.compile(r"^Save for offline")).click()
    expect(page.locator("#saved-courses li")).to_have_count(1)
    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    keys = page.evaluate("() => caches.keys()")
    assert not [key for key in keys if key.startswith("w4x-m-")], keys
    _go_offline(context)
    try:  # the worker may be gone with the storage (then the browser's own offline error)
        page.goto(QUIZ_URL)
    except PlaywrightError as error:
        assert "ERR_INTERNET_DISCONNECTED" in str(error)
    else:  # or registered again since, with nothing but the offline page
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_text("Which document links money to programmes?")).to_have_count(0)
    _go_online(context)
