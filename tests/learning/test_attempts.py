"""Attempts: drawn and shuffled per attempt and stable on reload, limits that hold when 20
requests race (threads against the real database), waits, grants by faculty, and nothing scored
twice."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token, submit
from tests.learning.quiz_modules import LIMITED, POOL, WAITING, form_data, wrong_answers
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User
from wired4ex.catalog.models import Module
from wired4ex.catalog.quiz import right_answer_values
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import LedgerEntry, ModuleCompletion, QuizAttempt

COURSE = "/courses/demo-uni/budgets/"


@pytest.fixture
def quiz_course(course_tree, course):
    course_tree.write("03-pool.md", POOL)
    course_tree.write("04-limited.md", LIMITED)
    course_tree.write("05-waiting.md", WAITING)
    course_tree.sync()
    return course


def module(key: str) -> Module:
    return db.session.scalar(sa.select(Module).where(Module.key == key))


def member(make_user, course, email="learner@example.org") -> User:
    user = make_user(email=email)
    services.enrol(user, course)
    return user


def take(user, key: str, right: bool = False, at=None):
    """Open an attempt (or the open one) and submit it, all right or all wrong."""
    target = module(key)
    attempt = services.open_attempt(user, target, at=at)
    questions = services.shown_questions(attempt)
    if right:
        answers = {q["id"]: right_answer_values(q) for q in questions}
    else:
        answers = wrong_answers(questions)
    return services.submit_attempt(
        user, target, attempt.module_version, answers, attempt.nonce, at=at
    )


def submitted(user_id: int, key: str) -> list[QuizAttempt]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module(key).id,
                   QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.number)
        )
    )  # fmt: skip


# -- shuffling and pools ---------------------------------------------------------------------------


def test_a_pool_of_ten_drawing_five_gives_different_sets_across_attempts(make_user, quiz_course):
    user = member(make_user, quiz_course)
    sets, orders = set(), set()
    for _ in range(8):
        attempt = services.open_attempt(user, module("pool"))
        again = services.open_attempt(user, module("pool"))  # a reload: the same sheet
        assert (again.id, again.layout) == (attempt.id, attempt.layout)
        shown = services.shown_questions(attempt)
        assert len(shown) == 5 and len({q["id"] for q in shown}) == 5
        for question in shown:  # the pinned "None of these" keeps its last place
            assert question["options"][-1]["text"].startswith("None of these")
        sets.add(frozenset(q["id"] for q in shown))
        orders.add(tuple(o["id"] for q in shown for o in q["options"]))
        take(user, "pool")
    assert len(sets) > 1, "eight attempts drew the same five questions"
    assert len(orders) > 1
    assert [a.number for a in submitted(user.id, "pool")] == list(range(1, 9))


def test_the_page_shows_the_attempts_questions_in_its_stored_order(client, auth, make_user,
                                                                   quiz_course):  # fmt: skip
    user = member(make_user, quiz_course)
    auth.login("learner@example.org")
    first = client.get(COURSE + "pool").get_data(as_text=True)
    second = client.get(COURSE + "pool").get_data(as_text=True)
    shown = re.findall(r"Pool question (\d\d)\?", first)
    assert len(shown) == 5 and shown == re.findall(r"Pool question (\d\d)\?", second)
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert shown == [item["id"][1:].zfill(2) for item in attempt.layout]
    assert "Each attempt draws 5 of 10 questions." in first


def test_an_answer_for_a_question_not_drawn_is_refused(client, auth, make_user, quiz_course):
    user = member(make_user, quiz_course)
    target = module("pool")
    attempt = services.open_attempt(user, target)
    shown = services.shown_questions(attempt)
    drawn = {q["id"] for q in shown}
    other = next(q for q in target.current_version.quiz if q["id"] not in drawn)
    answers = {**wrong_answers(shown), other["id"]: [other["options"][0]["id"]]}
    with pytest.raises(services.LearningError, match="not part of this attempt"):
        services.submit_attempt(user, target, attempt.module_version, answers, attempt.nonce)
    auth.login("learner@example.org")
    page = client.get(COURSE + "pool").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        COURSE + "pool/quiz",
        data=form_data(answers, token=token, csrf_token=csrf_token(client, COURSE + "pool")),
    )  # fmt: skip
    assert response.status_code == 400
    assert "not part of this attempt" in response.get_data(as_text=True)
    assert submitted(user.id, "pool") == []


# -- limits -----------------------------------------------------------------------------------------


def test_attempts_2_refuses_the_third(client, auth, make_user, quiz_course):
    user = member(make_user, quiz_course)
    take(user, "limited")
    take(user, "limited")
    with pytest.raises(services.AttemptsUsedUp) as refused:
        services.open_attempt(user, module("limited"))
    assert refused.value.allowance.opens_at is None
    auth.login("learner@example.org")
    page = client.get(COURSE + "limited").get_data(as_text=True)
    assert "You have used all 2 attempts. Contact the faculty of Demo University" in page
    assert 'name="token"' not in page
    assert len(submitted(user.id, "limited")) == 2


def _race(app, work, count=20):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(work(index))
            except services.AttemptsUsedUp:
                results.append("refused")
            except Exception as error:  # collected and asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results, errors


def test_twenty_racing_attempts_never_exceed_the_limit(app, make_user, quiz_course):
    user = member(make_user, quiz_course)
    user_id = user.id
    db.session.remove()

    def attempt_once(_index):
        return take(db.session.get(User, user_id), "limited")

    results, errors = _race(app, attempt_once)
    assert errors == []
    scored = [r for r in results if r != "refused" and not r.replayed]
    assert len(scored) <= 2
    attempts = submitted(user_id, "limited")
    assert [a.number for a in attempts] == [1, 2]  # the limit holds, numbers unique
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt))
    assert rows == 2  # no third attempt was even opened
    with pytest.raises(services.AttemptsUsedUp):
        services.open_attempt(db.session.get(User, user_id), module("limited"))


def test_twenty_racing_submissions_of_one_sheet_score_once(app, make_user, quiz_course):
    user = member(make_user, quiz_course)
    attempt = services.open_attempt(user, module("limited"))
    answers = {q["id"]: right_answer_values(q) for q in services.shown_questions(attempt)}
    user_id, nonce, version_id = user.id, attempt.nonce, attempt.module_version_id
    db.session.remove()

    def submit_once(_index):
        target = module("limited")
        version = next(v for v in target.versions if v.id == version_id)
        return services.submit_attempt(
            db.session.get(User, user_id), target, version, answers, nonce
        )

    results, errors = _race(app, submit_once)
    assert errors == []
    assert sorted(r.replayed for r in results) == [False] + [True] * 19
    assert all(r.score == 100 and r.passed for r in results)
    assert len(submitted(user_id, "limited")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 1


def test_twenty_racing_browsers_never_exceed_the_limit(app, make_user, quiz_course):
    """20 logged-in clients of one member load the page and submit at once, through the app."""
    user = member(make_user, quiz_course)
    user_id = user.id
    first = app.test_client()
    submit(first, "/login", {"email": "learner@example.org", "password": PASSWORD})
    session = first.get_cookie("session").value  # one login (the login limit), twenty browsers
    clients = []
    for _ in range(20):
        browser = app.test_client()
        browser.set_cookie("session", session)
        clients.append((browser, csrf_token(browser, "/profile")))
    db.session.remove()

    def load_and_submit(index):
        browser, csrf = clients[index]
        page = browser.get(COURSE + "limited").get_data(as_text=True)
        found = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
        if found is None:
            return "refused"
        sheet = services.read_answer_sheet(found.group(1))
        attempt = services.find_attempt_by_nonce(sheet.nonce)
        answers = wrong_answers(services.shown_questions(attempt))
        db.session.remove()
        response = browser.post(
            COURSE + "limited/quiz",
            data=form_data(answers, token=found.group(1), csrf_token=csrf),
        )
        return response.status_code

    results, errors = _race(app, load_and_submit)
    assert errors == []
    assert all(result in (302, "refused") for result in results), results
    assert [a.number for a in submitted(user_id, "limited")] == [1, 2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 2


def test_retry_after_opens_one_more_attempt_after_the_wait(client, auth, make_user, quiz_course):
    user = member(make_user, quiz_course)
    start = utcnow()
    take(user, "waiting", at=start)
    version = module("waiting").current_version
    allowance = services.attempt_allowance(user.id, module("waiting").id, version, start)
    assert not allowance.allowed and allowance.opens_at == start + timedelta(minutes=30)
    with pytest.raises(services.AttemptsUsedUp):
        services.open_attempt(user, module("waiting"), at=start + timedelta(minutes=29))
    auth.login("learner@example.org")
    page = client.get(COURSE + "waiting").get_data(as_text=True)
    assert "Your next attempt opens on" in page and 'name="token"' not in page
    later = start + timedelta(minutes=31)
    assert take(user, "waiting", right=True, at=later).passed
    assert [a.number for a in submitted(user.id, "waiting")] == [1, 2]


def test_faculty_of_the_course_grant_one_more_attempt_audited(app, make_user, quiz_course):
    user = member(make_user, quiz_course)
    take(user, "limited")
    take(user, "limited")
    institution_id = quiz_course.institution_id
    own = make_user(email="lecturer@demo.example", roles=("member", "faculty"),
                    institution_id=institution_id)  # fmt: skip
    stranger = make_user(email="stranger@other.example", roles=("member", "faculty"))
    with pytest.raises(services.LearningError):
        services.grant_attempt(stranger, user, module("limited"))
    page_client = app.test_client()
    submit(page_client, "/login", {"email": "lecturer@demo.example", "password": PASSWORD})
    record = f"/admin/courses/{quiz_course.id}/learners/{user.id}"
    html = page_client.get(record).get_data(as_text=True)
    assert "Attempts used: 2 of 2." in html
    limited = module("limited")
    response = page_client.post(
        f"{record}/modules/{limited.id}/grant", data={"csrf_token": csrf_token(page_client, record)}
    )
    assert response.status_code == 302
    assert "Attempts used: 2 of 3." in page_client.get(record).get_data(as_text=True)
    db.session.rollback()
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "quiz.attempt_granted")
    )
    assert (event.actor_id, event.member_id, event.subject_id) == (own.id, user.id, str(limited.id))
    assert take(db.session.get(User, user.id), "limited", right=True).passed
    with pytest.raises(services.AttemptsUsedUp):
        services.open_attempt(db.session.get(User, user.id), module("limited"))
