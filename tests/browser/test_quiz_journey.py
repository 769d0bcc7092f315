"""A member on a phone (360 px) fails a knowledge check with every question type, sees only the
score and which questions were wrong (review: after-pass), then passes and reads the answers."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in
from tests.learning.conftest import CourseTree
from tests.learning.quiz_modules import SECRET_EXPLANATIONS, SECRET_RIGHT, secret_module
from wired4ex.catalog.models import Course
from wired4ex.extensions import db
from wired4ex.learning import services

EMAIL = "baraka.quiz@example.org"
MODULE_URL = "/courses/demo-uni/budgets/secret"
SHOTS = "/tmp/wired4ex-quiz-shots"

WRONG = {
    "Which bird is the county emblem?": ("choice", ["Sparrow emblem"]),
    "Which are county birds?": ("choice", ["Pigeon emblem"]),
    "Budgets are adopted by the assembly.": ("radio", ["False"]),
    "How many tablets does the store hold?": ("typed", ["12"]),
    "Which body adopts the budget?": ("typed", ["The Governor"]),
}
RIGHT = {
    "Which bird is the county emblem?": ("choice", ["KESTREL-ALPHA"]),
    "Which are county birds?": ("choice", ["KESTREL-BRAVO", "KESTREL-CHARLIE"]),
    "Budgets are adopted by the assembly.": ("radio", ["True"]),
    "How many tablets does the store hold?": ("typed", ["4711,2"]),  # a comma, within ± 0.5
    "Which body adopts the budget?": ("typed", ["  kestrel assembly "]),  # case and spaces
}


@pytest.fixture
def quiz_member(app, tmp_path, make_user):
    tree = CourseTree(tmp_path / "content")
    tree.write("03-secret.md", secret_module("after-pass", 2))
    tree.sync()
    user = make_user(email=EMAIL, full_name="Baraka Quiz")
    course = db.session.query(Course).filter_by(slug="budgets").one()
    services.enrol(user, course)
    db.session.rollback()  # end the test's read: the server writes while the test runs
    return user


def fill(page, answers: dict) -> None:
    quiz = page.locator("section.quiz form")
    for question, (kind, values) in answers.items():
        if kind == "typed":
            quiz.get_by_label(re.compile(re.escape(question))).fill(values[0])
            continue
        group = quiz.locator("fieldset").filter(has=page.locator("legend", has_text=question))
        expect(group).to_have_count(1)
        for value in values:
            group.get_by_label(value, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()


def test_a_member_fails_then_passes_a_check_on_a_phone(page, live_server, quiz_member):
    log_in(page, EMAIL)
    page.goto(MODULE_URL)
    quiz = page.locator("section.quiz")
    expect(quiz.get_by_role("heading", name="Knowledge check")).to_be_visible()
    expect(quiz).to_contain_text("Attempts used: 0 of 2.")
    expect(quiz.get_by_text("Type a number.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/quiz-form-360.png", full_page=True)

    fill(page, WRONG)
    expect(page).to_have_url(re.compile(r"\?attempt=\d+#quiz-results$"))
    results = page.locator("#quiz-results")
    expect(results.get_by_role("heading", name="Not yet passed: 0%")).to_be_visible()
    expect(results).to_contain_text("5 answers were not correct.")
    expect(results.locator("li.result-wrong")).to_have_count(5)
    for secret in SECRET_RIGHT + SECRET_EXPLANATIONS:
        expect(results).not_to_contain_text(secret)
    expect(page.locator("body")).not_to_contain_text("(right answer)")
    for explanation in SECRET_EXPLANATIONS:
        expect(page.locator("body")).not_to_contain_text(explanation)
    expect(quiz).to_contain_text("Attempts used: 1 of 2.")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/quiz-failed-360.png", full_page=True)

    fill(page, RIGHT)
    results = page.locator("#quiz-results")
    expect(results.get_by_role("heading", name="Passed: 100%")).to_be_visible()
    expect(results.locator("li.result-right")).to_have_count(5)
    expect(page.get_by_role("status").first).to_contain_text(
        "Module complete: CPD points added to your record."
    )
    for secret in ["KESTREL-ALPHA", "KESTREL-BRAVO", "Kestrel Assembly", *SECRET_EXPLANATIONS]:
        expect(results).to_contain_text(secret)
    expect(results).to_contain_text("Right answer: True")
    expect(page.get_by_role("button", name="Submit answers")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/quiz-passed-360.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=f"{SHOTS}/quiz-passed-1280.png", full_page=True)
