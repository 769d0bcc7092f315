"""A new member's whole course on a phone: register, enrol, fail a knowledge check, pass it on the
second try, complete every module, and find the course's CPD points on the dashboard."""

import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    confirm_by_mail,
    log_in,
    main_nav,
    read_long_enough,
)
from wired4ex.catalog.models import Course, Institution, Module
from wired4ex.extensions import db

NAME = "Akinyi Otieno"
EMAIL = "akinyi.otieno@example.org"
PASSWORD = "nyanza-chai-asubuhi-2026"
INSTITUTION, COURSE = "lake-region-university", "county-health-leadership"
COURSE_TITLE = "Leadership and Governance in County Health Systems"
COURSE_URL = f"/courses/{INSTITUTION}/{COURSE}/"


@dataclass(frozen=True)
class StoredModule:
    key: str
    title: str
    cpd_points: Decimal
    pass_mark: int
    quiz: list[dict]


def stored_modules() -> list[StoredModule]:
    """The course's published modules as synced into the database, in course order."""
    course = db.session.scalars(
        sa.select(Course)
        .join(Institution)
        .where(Institution.slug == INSTITUTION, Course.slug == COURSE)
    ).one()
    modules = [
        StoredModule(
            key=module.key,
            title=module.current_version.title,
            cpd_points=module.current_version.cpd_points,
            pass_mark=module.current_version.pass_mark,
            quiz=module.current_version.quiz,
        )
        for module in db.session.scalars(
            sa.select(Module)
            .where(Module.course_id == course.id, Module.status == "active")
            .order_by(Module.position)
        )
        if module.current_version is not None
    ]
    db.session.rollback()  # end the test's read: the server writes while the test runs
    return modules


def points_text(points: Decimal) -> str:
    """Points as the app shows them: 6 or 1.5."""
    return str(int(points)) if points == points.to_integral_value() else str(points.normalize())


def question_group(page, question: dict):
    """The fieldset of one question (its legend is "N. <question text>")."""
    return page.locator("section.quiz form fieldset").filter(
        has=page.locator("legend", has_text=question["text"])
    )


def answer(page, quiz: list[dict], *, right: bool) -> None:
    """Tick the right options of every question, or (right=False) one wrong option of each."""
    for question in quiz:
        group = question_group(page, question)
        expect(group).to_have_count(1)
        if right:
            chosen = [option for option in question["options"] if option["correct"]]
        else:
            chosen = [next(option for option in question["options"] if not option["correct"])]
        for option in chosen:
            group.get_by_label(option["text"], exact=True).check()
    page.get_by_role("button", name="Submit answers").click()


def register(page, outbox) -> None:
    page.goto("/register")
    page.get_by_label("Full name (as it should appear on certificates)").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    confirm_by_mail(page, outbox, EMAIL)
    log_in(page, EMAIL, PASSWORD)


def fail_then_pass(page, module: StoredModule) -> None:
    """Fail the knowledge check on purpose (no answers nor explanations shown: review after-pass),
    then pass it and read them."""
    quiz = page.locator("section.quiz")
    expect(quiz.get_by_role("heading", name="Knowledge check")).to_be_visible()

    answer(page, module.quiz, right=False)
    expect(page).to_have_url(re.compile(r"\?attempt=\d+#quiz-results$"))
    expect(page.get_by_role("status").first).to_contain_text(
        f"You scored 0%; the pass mark is {module.pass_mark}%."
    )
    results = page.locator("#quiz-results")
    expect(results.get_by_role("heading", name="Not yet passed: 0%")).to_be_visible()
    expect(results.locator("li.result-wrong")).to_have_count(len(module.quiz))
    for question in module.quiz:
        expect(results.get_by_text(question["text"], exact=False).first).to_be_visible()
    expect(results.locator("p.explanation")).to_have_count(0)
    expect(results.get_by_text("(right answer)")).to_have_count(0)
    expect(results).to_contain_text("The right answers and explanations are shown once you pass.")
    expect(page.locator(".module-header .status-done")).to_have_count(0)
    assert_no_horizontal_scroll(page)

    # The form is offered again under the result: try again with the right answers.
    answer(page, module.quiz, right=True)
    expect(page).to_have_url(re.compile(r"\?attempt=\d+#quiz-results$"))
    flashes = page.get_by_role("status").first
    expect(flashes).to_contain_text("You passed with 100%.")
    expect(flashes).to_contain_text("Module complete: CPD points added to your record.")
    results = page.locator("#quiz-results")
    expect(results.get_by_role("heading", name="Passed: 100%")).to_be_visible()
    expect(results.locator("li.result-right")).to_have_count(len(module.quiz))
    for question in module.quiz:
        if question.get("explanation"):
            expect(
                results.locator("p.explanation", has_text=question["explanation"])
            ).to_be_visible()
    expect(results.get_by_text("(right answer)").first).to_be_visible()
    expect(page.get_by_role("button", name="Submit answers")).to_have_count(0)
    expect(page.locator(".module-header .status-done")).to_contain_text("Completed")
    assert_no_horizontal_scroll(page)


def test_a_new_member_completes_a_course_and_earns_its_cpd_points(
    page, live_server, synced_content, outbox
):
    modules = stored_modules()
    assert modules, "the sample course has no published modules"
    assert any(module.quiz for module in modules), "the sample course has no knowledge check"
    total_points = sum((module.cpd_points for module in modules), Decimal("0"))

    register(page, outbox)

    # The catalogue, then the course.
    main_nav(page).get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course catalogue")
    page.get_by_role("link", name=COURSE_TITLE, exact=True).click()
    expect(page).to_have_url(live_server + COURSE_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_role("status").first).to_contain_text(f"You are enrolled in {COURSE_TITLE}.")

    # Enrolling opens the first module; then every module in turn, by the pager's "next" link.
    failed_once = False
    for position, module in enumerate(modules, start=1):
        expect(page).to_have_url(re.compile(rf"{re.escape(COURSE_URL)}{module.key}(\?|#|$)"))
        expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
        expect(page.get_by_text(f"Module {position} of {len(modules)}")).to_be_visible()
        expect(page.locator(".module-header")).to_contain_text(
            f"{points_text(module.cpd_points)} CPD points"
        )
        assert_no_horizontal_scroll(page)

        if module.quiz and not failed_once:
            fail_then_pass(page, module)
            failed_once = True
        elif module.quiz:
            answer(page, module.quiz, right=True)
            expect(page.locator("#quiz-results").get_by_role("heading")).to_have_text(
                "Passed: 100%"
            )
            expect(page.get_by_role("status").first).to_contain_text(
                "Module complete: CPD points added to your record."
            )
            assert_no_horizontal_scroll(page)
        else:
            read_long_enough(EMAIL)  # the module's reading time, as if the member had read it
            page.get_by_role("button", name="Mark this module as done").click()
            expect(page.get_by_role("status").first).to_contain_text(
                "Module complete: CPD points added to your record."
            )
            if position < len(modules):
                continue  # marking done opens the next module
            break  # ... or, after the last one, the course page

        pager = page.get_by_role("navigation", name="Modules")
        if position < len(modules):
            pager.get_by_role("link", name=f"{modules[position].title} →").click()
        else:
            pager.get_by_role("link", name="Back to the course").click()

    # The course page says it is complete, every module ticked off.
    expect(page).to_have_url(live_server + COURSE_URL)
    enrolment = page.locator("section.enrolment")
    expect(enrolment.get_by_text("Completed on")).to_be_visible()
    expect(enrolment).to_contain_text(
        f"Progress: {len(modules)} of {len(modules)} modules complete."
    )
    expect(page.get_by_role("progressbar", name="Course progress")).to_have_attribute(
        "value", "100"
    )
    expect(page.locator(".module-list .status-done")).to_have_count(len(modules))
    assert_no_horizontal_scroll(page)

    # The dashboard: this year's points are the course's points, the course is under "Completed".
    main_nav(page).get_by_role("link", name="My learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    points = page.locator("section.points-summary")
    expect(points.get_by_role("heading", name="Your CPD this cycle")).to_be_visible()
    counted = re.escape(points_text(total_points))
    # A new member's membership is not yet approved: points count, no target is shown.
    expect(points.locator(".big-number")).to_have_text(re.compile(rf"^{counted} points counted$"))
    expect(points).to_contain_text("No CPD target applies until the secretariat approves")
    expect(page.get_by_role("heading", name="Completed courses")).to_be_visible()
    completed = page.locator("ul.cards > li", has=page.get_by_role("link", name=COURSE_TITLE))
    expect(completed).to_have_count(1)
    expect(completed).to_contain_text("Completed on")
    expect(page.get_by_text("You have no course in progress.")).to_be_visible()
    assert_no_horizontal_scroll(page)
