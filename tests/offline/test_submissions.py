"""What a phone sends back when it is online again: knowledge checks answered and modules marked
done offline, counted under the same rules as online, once, with the time the member answered."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import Auth
from tests.offline.conftest import (
    ONCE_URL,
    QUIZ_URL,
    READING_URL,
    SLOW_URL,
    millis,
    now_ms,
)
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry, ModuleCompletion, ModuleProgress, QuizAttempt

RIGHT = [["q1", "q1a"], ["q2", "q2a"], ["q2", "q2b"]]


def _ledger(user_id: int) -> list[LedgerEntry]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id)))


def _quiz(phone, url=QUIZ_URL, answers=RIGHT, at=None, submission=None):
    body = {
        "id": submission or str(uuid.uuid4()),
        "path": url + "/quiz",
        "fields": [["token", phone.sheet(url)], *answers],
        "at": at if at is not None else now_ms() - 60_000,
    }
    return body, phone.send(body)


def test_answers_given_offline_are_scored_and_counted_once(phone, member):
    answered = utcnow() - timedelta(minutes=30)
    body, response = _quiz(phone, at=millis(answered))
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "recorded", "message": "You passed with 100%.", "score": 100, "passed": True,
        "completed": True,
    }  # fmt: skip
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == member.id))
    assert attempt.submission_id == body["id"] and attempt.passed
    assert abs((attempt.submitted_at - answered).total_seconds()) < 1  # when the member answered
    assert attempt.received_at > attempt.submitted_at
    (entry,) = _ledger(member.id)
    assert entry.points == 1.5

    replay = phone.send(body)  # the phone did not hear the answer and sends it again
    assert replay.status_code == 200
    assert replay.get_json()["status"] == "replayed"
    assert len(_ledger(member.id)) == 1

    again = phone.send({**body, "id": str(uuid.uuid4())})  # the same sheet, answered twice
    assert again.status_code == 409
    assert again.get_json()["status"] == "refused"
    assert len(_ledger(member.id)) == 1


def test_a_forged_or_borrowed_answer_sheet_is_refused(phone, member, client, make_user, course):
    token = phone.sheet(QUIZ_URL)
    payload, _dot, signature = token.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    body = {"id": str(uuid.uuid4()), "path": QUIZ_URL + "/quiz", "at": now_ms(),
            "fields": [["token", forged], *RIGHT]}  # fmt: skip
    response = phone.send(body)
    assert response.status_code == 400
    assert response.get_json()["message"] == "This answer sheet is not valid."

    # Another member sends the first member's sheet: it names someone else.
    other = make_user(email="juma.other@example.org")
    from wired4ex.learning import services

    services.enrol(other, course)
    Auth(client).logout()
    Auth(client).login(other.email)
    body["fields"][0] = ["token", token]
    assert phone.send(body).status_code == 400
    assert _ledger(member.id) == [] and _ledger(other.id) == []


def test_the_sync_needs_a_session_and_its_csrf_token(phone, client):
    body = {"id": str(uuid.uuid4()), "path": QUIZ_URL + "/quiz", "at": now_ms(), "fields": []}
    assert phone.send(body, csrf="").status_code == 400  # no CSRF token: refused
    Auth(client).logout()
    response = client.post("/offline/sync", json=body)
    assert response.status_code in (400, 401)
    assert client.get("/offline/sync").status_code == 401


def test_times_of_answering_are_checked_for_sanity(phone, member):
    future = now_ms() + 60 * 60 * 1000
    _body, response = _quiz(phone, at=future)
    assert response.status_code == 400
    assert "future" in response.get_json()["message"]
    before_the_sheet = now_ms() - 3 * 60 * 60 * 1000  # the page (and its sheet) is 2 hours old
    _body, response = _quiz(phone, at=before_the_sheet)
    assert response.status_code == 400
    _body, response = _quiz(phone, at="yesterday")
    assert response.status_code == 400
    assert _ledger(member.id) == []
    _body, response = _quiz(phone)  # a sane time: counted
    assert response.status_code == 200


def test_the_attempt_limit_holds_offline(phone, member, client):
    _body, response = _quiz(phone, ONCE_URL, [["q1", "q1b"]])  # wrong: the only attempt used
    assert response.get_json()["passed"] is False
    page = client.get(ONCE_URL).get_data(as_text=True)
    assert 'name="token"' not in page  # no new sheet: the same rule as online
    assert "You have used all 1 attempts" in page


def test_mark_done_offline_follows_the_reading_time(phone, member, course):
    phone.client.get(COURSE_PAGE := "/courses/demo-uni/budgets/")
    assert COURSE_PAGE
    opened = now_ms() - 20 * 60 * 1000
    too_soon = {"id": str(uuid.uuid4()), "path": SLOW_URL + "/complete", "fields": [],
                "opened": opened, "at": opened + 5 * 60 * 1000}  # fmt: skip
    response = phone.send(too_soon)
    assert response.status_code == 409
    assert "Read the module a little longer" in response.get_json()["message"]

    before_enrolling = {**too_soon, "opened": opened - 48 * 60 * 60 * 1000}
    assert phone.send(before_enrolling).status_code == 400

    done = {**too_soon, "id": str(uuid.uuid4()), "at": opened + 11 * 60 * 1000}
    response = phone.send(done)
    assert response.status_code == 200 and response.get_json()["status"] == "recorded"
    completion = db.session.scalar(
        sa.select(ModuleCompletion).where(ModuleCompletion.user_id == member.id)
    )
    assert completion.via == "marked_done"
    assert abs(millis(completion.completed_at) - done["at"]) < 1000
    progress = db.session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.user_id == member.id)
    )
    assert abs(millis(progress.started_at) - opened) < 1000  # first opened on the phone
    assert phone.send(done).get_json()["status"] == "replayed"
    assert len(_ledger(member.id)) == 1


def test_mark_done_offline_needs_an_opening(phone, member):
    never_opened = {"id": str(uuid.uuid4()), "path": READING_URL + "/complete", "fields": [],
                    "at": now_ms()}  # fmt: skip
    response = phone.send(never_opened)
    assert response.status_code == 409
    assert response.get_json()["message"] == "Open the module before marking it done."


def test_unreadable_submissions_are_refused_without_an_error(phone):
    csrf = phone.csrf()
    for body in (
        [],
        {"id": "short", "path": QUIZ_URL + "/quiz"},
        {"id": str(uuid.uuid4()), "path": "/admin/quiz"},
        {"id": str(uuid.uuid4()), "path": "/courses/demo-uni/budgets/nope/quiz", "at": now_ms()},
        {"id": str(uuid.uuid4()), "path": QUIZ_URL + "/quiz", "fields": "x", "at": now_ms()},
        {"id": str(uuid.uuid4()), "path": QUIZ_URL + "/quiz", "fields": [[1, 2]], "at": 1e300},
    ):
        response = phone.send(body, csrf=csrf)
        assert 400 <= response.status_code < 500, body
        assert response.get_json()["status"] == "refused"
    response = phone.client.post(
        "/offline/sync", data="not json", headers={"X-CSRFToken": csrf,
                                                   "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 400


def test_saving_a_module_records_no_visit(phone, member):
    phone.client.get(READING_URL, headers={"X-W4X-Save": "1"})
    assert db.session.scalar(sa.select(sa.func.count(ModuleProgress.id))) == 0
    phone.client.get(READING_URL)
    assert db.session.scalar(sa.select(sa.func.count(ModuleProgress.id))) == 1
