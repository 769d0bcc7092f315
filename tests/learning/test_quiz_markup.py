"""The knowledge check's form before anything is submitted is written without WTForms
(learning/quizform.py) and reads byte for byte as WTForms and _quiz_fields.html write it: on every
knowledge check of content/ and of the tests, in every attempt order, in English and Swahili, on
the module page as a member sees it (new, after a failed attempt, after a passed one)."""

import random
import re

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_wtf.csrf import generate_csrf

from tests.conftest import ROOT, csrf_token
from tests.learning.conftest import QUIZ_MODULE
from tests.learning.quiz_modules import SECRET_QUIZ, choice_pool, secret_module
from tests.learning.test_review_policy import COURSE, SECRET, answer_through_the_page, setup_secret
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Module
from wired4ex.catalog.quiz import parse_quiz
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.forms import FreshButtonForm, MarkDoneForm, quiz_form_class
from wired4ex.learning.models import QuizAttempt
from wired4ex.learning.quizform import QuizView, fresh_quiz_html
from wired4ex.learning.scoring import attempt_questions, make_layout

# Texts that need escaping, in questions and options of every kind.
AWKWARD_QUIZ = """? Is 3 < 4 & "five" > 'two'?
- [x] Yes <b>bold</b> & "quoted"
- [ ] No {braces} %(percent)s

? Which are <tags>? & "all"
- [x] <script>alert(1)</script>
- [x] Fish & chips
- [ ] 'single'

? A < B & C.
= false

? How much is "2 < 3"?
= 1

? Name the <body>
~ It & "that\""""


def _quiz(text: str) -> list[dict]:
    questions, problems = parse_quiz(text.splitlines(), 1)
    assert not problems, problems
    return questions


def _block(module_text: str) -> str:
    return module_text.split("```quiz\n", 1)[1].split("\n```", 1)[0]


def quizzes() -> list[tuple[str, list[dict]]]:
    found = [
        (f"{course.key}/{module.key}", module.quiz)
        for course in load_content(ROOT / "content").courses
        for module in course.modules
        if module.quiz
    ]
    assert len(found) >= 10  # every module of content/ has a knowledge check
    tests = {"budgets": _block(QUIZ_MODULE), "secret": SECRET_QUIZ, "pool": choice_pool(10),
             "awkward": AWKWARD_QUIZ}  # fmt: skip
    return found + [(name, _quiz(text)) for name, text in tests.items()]


def wtforms_html(questions: list[dict], token: str) -> str:
    form = quiz_form_class(questions)(formdata=None, token=token)
    return render_template(
        "learning/_quiz_fields.html", quiz=QuizView(form=form, questions=questions)
    )


def test_the_fresh_form_is_written_as_wtforms_writes_it(app):
    rng = random.Random(23)
    for name, quiz in quizzes():
        layouts = [None] + [make_layout(quiz, draw, rng) for draw in (None, None, 2)]
        for language in ("en", "sw"):
            for layout in layouts:
                questions = attempt_questions(quiz, layout)
                with app.test_request_context(), force_locale(language):
                    token = f"sheet-{name}.{language}&<x>"
                    fast = fresh_quiz_html(questions, token)
                    assert str(fast) == wtforms_html(questions, token), (name, language, layout)
                    assert generate_csrf() in fast


def quiz_form(page: str) -> str:
    return re.search(r'<form method="post" id="quiz-form"[^>]*>\n    (.*?)\n  </form>', page,
                     re.S).group(1)  # fmt: skip


def assert_page_form_as_wtforms(app, client, url: str, language: str = "en") -> str:
    """The form on the page as the member sees it equals WTForms' rendering of the same open
    attempt (the CSRF token, which lives in the member's session, set aside)."""
    for _time in ("first", "again"):  # the questions' part is kept and reused the second time
        page = client.get(url).get_data(as_text=True)
        shown = quiz_form(page)
        token = re.search(r'name="token" type="hidden" value="([^"]+)"', shown).group(1)
        attempt = services.find_attempt_by_nonce(services.read_answer_sheet(token).nonce)
        with app.test_request_context(), force_locale(language):
            expected = wtforms_html(services.shown_questions(attempt), token)
            shown_csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', shown)
            expected = expected.replace(generate_csrf(), shown_csrf.group(1))
        assert shown == expected
    return page


@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_module_page_shows_the_same_form_new_failed_and_passed(
    app, client, auth, make_user, course_tree, language
):
    user = setup_secret(course_tree, auth, make_user, client, attempts=3)
    user.language = language
    db.session.commit()
    assert_page_form_as_wtforms(app, client, SECRET, language)  # a new attempt
    _response, failed = answer_through_the_page(client, right=False)
    page = assert_page_form_as_wtforms(app, client, f"{SECRET}?attempt={failed}", language)
    assert "result-not-passed" in page
    _response, passed = answer_through_the_page(client, right=True)
    page = client.get(f"{SECRET}?attempt={passed}").get_data(as_text=True)
    assert "result-passed" in page and 'id="quiz-form"' not in page
    assert_page_form_as_wtforms(app, client, SECRET, language)  # again after passing


def test_a_new_version_and_a_language_switch_show_at_once(
    app, client, auth, make_user, course_tree
):
    user = setup_secret(course_tree, auth, make_user, client, attempts=3)
    page = client.get(SECRET).get_data(as_text=True)
    assert "Submit answers" in page and "Which bird is the county emblem?" in page
    user.language = "sw"
    db.session.commit()
    page = client.get(SECRET).get_data(as_text=True)
    assert "Wasilisha majibu" in page and "Andika namba." in page and "Submit answers" not in page
    # A new version of the module: the open attempt moves to it, and its text shows at once.
    course_tree.write("03-secret.md", secret_module("after-pass", 3).replace(
        "Which bird is the county emblem?", "Which bird is on the county's flag?").replace(
        "Text.", "A body written again."))  # fmt: skip
    course_tree.sync()
    page = client.get(SECRET).get_data(as_text=True)
    assert "Which bird is on the county&#39;s flag?" in page
    assert "Which bird is the county emblem?" not in page
    assert "A body written again." in page and "<p>Text.</p>" not in page
    assert_page_form_as_wtforms(app, client, SECRET, "sw")


def test_members_with_the_same_order_each_get_their_own_answer_sheet(
    app, client, auth, make_user, course_tree
):
    first = setup_secret(course_tree, auth, make_user, client, attempts=3)
    client.get(SECRET)
    auth.logout()
    second = make_user(email="other@example.org")
    auth.login("other@example.org")
    client.post(COURSE + "enrol", data={"csrf_token": csrf_token(client, COURSE)})
    client.get(SECRET)
    attempts = db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id)).all()
    assert [a.user_id for a in attempts] == [first.id, second.id]
    attempts[1].layout = attempts[0].layout  # the same questions' HTML for both
    db.session.commit()
    for user, email in ((second, "other@example.org"), (first, "learner@example.org")):
        auth.logout()
        auth.login(email)
        form = quiz_form(client.get(SECRET).get_data(as_text=True))
        token = re.search(r'name="token" type="hidden" value="([^"]+)"', form).group(1)
        sheet = services.read_answer_sheet(token)
        assert sheet.user_id == user.id
        assert services.find_attempt_by_nonce(sheet.nonce).user_id == user.id


def test_the_module_html_rendered_again_shows_at_once(client, auth, make_user, course_tree):
    """The module's HTML is kept per content version: HTML rendered again for the same version
    (catalog/rerender.py) shows on the next request."""
    setup_secret(course_tree, auth, make_user, client, attempts=3)
    assert "<p>Text.</p>" in client.get(SECRET).get_data(as_text=True)
    module = db.session.scalar(sa.select(Module).where(Module.key == "secret"))
    module.current_version.html = module.current_version.html.replace("Text.", "Rendered again.")
    db.session.commit()
    page = client.get(SECRET).get_data(as_text=True)
    assert "<p>Rendered again.</p>" in page and "<p>Text.</p>" not in page


@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_mark_done_button_is_written_as_wtforms_writes_it(app, language):
    with app.test_request_context(), force_locale(language):
        fast, form = FreshButtonForm(MarkDoneForm), MarkDoneForm()
        assert fast.hidden_tag() == form.hidden_tag()
        assert fast.submit(class_="button") == form.submit(class_="button")
