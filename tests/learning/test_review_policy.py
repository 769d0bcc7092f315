"""What a member sees after an attempt: with `review: after-pass`, a member who fails finds the
right options and explanations nowhere the site shows them (module page, attempt page, API);
after passing they are shown; `never` and `always` do what they say. Older attempts and
completions keep their meaning when the quiz changes."""

import re

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from tests.conftest import csrf_token
from tests.learning.quiz_modules import (
    SECRET_EXPLANATIONS,
    form_data,
    right_texts,
    secret_module,
    wrong_answers,
)
from wired4ex.api.schemas.openapi import build_document
from wired4ex.auth.tokens import create_token
from wired4ex.catalog.models import Module
from wired4ex.catalog.quiz import right_answer_values
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import ModuleCompletion, QuizAttempt

COURSE = "/courses/demo-uni/budgets/"
SECRET = COURSE + "secret"


def setup_secret(course_tree, auth, make_user, client, review="after-pass", attempts=1):
    course_tree.write("03-secret.md", secret_module(review, attempts))
    course_tree.sync()
    user = make_user(email="learner@example.org")
    auth.login("learner@example.org")
    client.post(COURSE + "enrol", data={"csrf_token": csrf_token(client, COURSE)})
    return user


def answer_through_the_page(client, right: bool):
    """Load the module page, read the answer sheet and submit all right or all wrong."""
    page = client.get(SECRET).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    attempt = services.find_attempt_by_nonce(services.read_answer_sheet(token).nonce)
    questions = services.shown_questions(attempt)
    if right:
        answers = {q["id"]: right_answer_values(q) for q in questions}
    else:
        answers = wrong_answers(questions)
    response = client.post(
        SECRET + "/quiz",
        data=form_data(answers, token=token, csrf_token=csrf_token(client, SECRET)),
    )
    assert response.status_code == 302
    return response, attempt.id


def assert_matches_the_openapi_document(body: dict, schema: str) -> None:
    document = build_document()
    root = {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
    Draft202012Validator(root).validate(body)


def results(page: str) -> str:
    """The review of an attempt on a module page (the retake form below it lists options)."""
    return re.search(r'<section id="quiz-results".*?</section>', page, re.S).group(0)


def everything_the_member_sees(client, user, attempt_id: int, redirect) -> dict[str, str]:
    """Every page and API answer that shows the member anything about the course or attempt."""
    _id, secret_token = create_token(user, "Script")
    bearer = {"Authorization": f"Bearer {secret_token}"}
    seen = {
        "redirect": redirect.get_data(as_text=True),
        "module page": client.get(SECRET).get_data(as_text=True),
        "attempt page": client.get(redirect.headers["Location"]).get_data(as_text=True),
        "course page": client.get(COURSE).get_data(as_text=True),
        "dashboard": client.get("/dashboard").get_data(as_text=True),
    }
    for path in (f"/me/attempts/{attempt_id}", "/me/attempts", "/courses/demo-uni/budgets",
                 "/me/enrolments"):  # fmt: skip
        seen["API " + path] = client.get("/api/v1" + path, headers=bearer).get_data(as_text=True)
    return seen


def test_a_member_who_fails_finds_the_right_answers_nowhere(client, auth, make_user, course_tree):
    user = setup_secret(course_tree, auth, make_user, client)
    redirect, attempt_id = answer_through_the_page(client, right=False)
    seen = everything_the_member_sees(client, user, attempt_id, redirect)
    assert "Not yet passed: 0%" in seen["attempt page"]
    assert "5 answers were not correct." in seen["attempt page"]
    assert "You have used all 1 attempts" in seen["module page"]
    for where, text in seen.items():
        for secret in right_texts():
            assert secret not in text, f"{secret!r} is shown in the {where}"
        assert "(right answer)" not in text and '"right": true' not in text, where
    detail = client.get(f"/api/v1/me/attempts/{attempt_id}").get_json()
    assert detail["answers_shown"] is False and detail["score"] == 0
    assert all(set(item) == {"id", "type", "text", "correct"} for item in detail["questions"])
    assert_matches_the_openapi_document(detail, "AttemptDetail")
    listing = client.get("/api/v1/me/attempts").get_json()
    assert_matches_the_openapi_document(listing, "AttemptList")
    assert [item["id"] for item in listing["data"]] == [attempt_id]


def test_a_failed_attempt_with_a_retake_open_marks_nothing(client, auth, make_user, course_tree):
    """With attempts left, the retake form lists the options again, but nothing says which is
    right, and the review of the failed attempt holds none of them."""
    setup_secret(course_tree, auth, make_user, client, attempts=2)
    redirect, _attempt_id = answer_through_the_page(client, right=False)
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    for secret in right_texts():
        assert secret not in results(page)
    form = page.split('<section id="quiz-results"', 1)[1].split("</section>", 1)[1]
    assert 'name="token"' in form and "checked" not in form and "right answer" not in form
    for explanation in SECRET_EXPLANATIONS:
        assert explanation not in page


def test_after_passing_the_answers_and_explanations_are_shown(client, auth, make_user, course_tree):
    user = setup_secret(course_tree, auth, make_user, client, attempts=2)
    answer_through_the_page(client, right=False)
    redirect, attempt_id = answer_through_the_page(client, right=True)
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    assert "Passed: 100%" in page
    for secret in right_texts():
        assert secret in page
    _id, token = create_token(user, "Script")
    detail = client.get(
        f"/api/v1/me/attempts/{attempt_id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert detail["answers_shown"] is True
    texts = [o["text"] for item in detail["questions"] for o in item["options"] if o["right"]]
    assert "KESTREL-ALPHA" in texts
    typed = next(item for item in detail["questions"] if item["type"] == "text")
    assert typed["right_answers"] == ["Kestrel Assembly"] and typed["your_answer"]
    assert_matches_the_openapi_document(detail, "AttemptDetail")


@pytest.mark.parametrize(("review", "shown_after_fail", "shown_after_pass"),
                         [("never", False, False), ("always", True, True)])  # fmt: skip
def test_never_and_always(client, auth, make_user, course_tree, review, shown_after_fail,
                          shown_after_pass):  # fmt: skip
    setup_secret(course_tree, auth, make_user, client, review=review, attempts=2)
    failed, _ = answer_through_the_page(client, right=False)
    page = results(client.get(failed.headers["Location"]).get_data(as_text=True))
    assert ("KESTREL-ALPHA" in page) is shown_after_fail
    assert ("EXPLAIN-ONE" in page) is shown_after_fail
    passed, _ = answer_through_the_page(client, right=True)
    page = results(client.get(passed.headers["Location"]).get_data(as_text=True))
    assert "Passed: 100%" in page
    assert ("KESTREL-ALPHA" in page) is shown_after_pass


def test_attempts_and_completions_keep_their_meaning_when_the_quiz_changes(
    client, auth, make_user, course_tree
):
    user = setup_secret(course_tree, auth, make_user, client, attempts=3)
    _redirect, attempt_id = answer_through_the_page(client, right=True)
    # An attempt from before layouts existed: every question, in written order.
    module = db.session.scalar(sa.select(Module).where(Module.key == "secret"))
    legacy = QuizAttempt(user_id=user.id, module_id=module.id, number=2, nonce="legacy-1",
                         module_version_id=module.current_version_id, layout=None,
                         answers={"q1": ["q1a"]}, score=20, passed=False,
                         submitted_at=db.func.now())  # fmt: skip
    db.session.add(legacy)
    db.session.commit()
    review = services.review_attempt(legacy)
    assert [item["id"] for item in review.items] == ["q1", "q2", "q3", "q4", "q5"]
    assert [item["correct"] for item in review.items] == [True, False, False, False, False]
    # The author changes the quiz: the completion stays, the old attempt still reads as passed.
    course_tree.write("03-secret.md", secret_module("after-pass", 3).replace("KESTREL", "FALCON"))
    course_tree.sync()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 1
    old = db.session.get(QuizAttempt, attempt_id)
    assert old.passed and services.review_attempt(old).items[0]["correct"]
    assert "KESTREL-ALPHA" in client.get(f"{SECRET}?attempt={attempt_id}").get_data(as_text=True)
