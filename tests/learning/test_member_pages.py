"""The member's pages as issue 16 wants them: the course page's module task list, confirmation
pages for leaving a course, the visitor's reason to log in and the way back to the module (never
to another host), the knowledge check's result panel and error summary, plurals and one number
format."""

import re
from urllib.parse import quote

import pytest

from tests.conftest import csrf_token, submit
from tests.learning.conftest import COURSE_URL, QUIZ_URL, READING_URL
from tests.learning.test_learning_flow import answer, enrolled_member, quiz_form_fields
from wired4ex.extensions import db
from wired4ex.learning.models import Enrolment


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_an_enrolled_member_sees_the_modules_first_as_a_task_list(client, auth, make_user, course):
    enrolled_member(client, auth, make_user)
    submit(client, READING_URL + "/complete", {}, page=READING_URL)
    client.get(QUIZ_URL)  # opened: in progress
    html = page_text(client, COURSE_URL)
    modules, about = html.index('id="modules-title"'), html.index("About this course")
    assert modules < about  # the list first, the overview after
    task_list = re.search(r'<ol class="task-list module-list">.*?</ol>', html, re.S).group(0)
    assert "In progress" in task_list and "status-in-progress" in task_list
    assert "status-done" in task_list and "Completed " in task_list
    # 1 point is one point, 1.5 are points: the plural follows the number
    assert "1 CPD point ·" not in task_list and "1 CPD point<" in task_list.replace("</span>", "<")
    assert "1.5 CPD points" in task_list


def test_a_visitor_sees_the_overview_first_and_no_states(client, course):
    html = page_text(client, COURSE_URL)
    assert html.index("About this course") < html.index('id="modules-title"')
    assert "status-" not in re.search(r'<ol class="task-list.*?</ol>', html, re.S).group(0)


def test_leaving_a_course_asks_first_on_a_page_of_its_own(client, auth, make_user, course):
    user = enrolled_member(client, auth, make_user)
    course_page = page_text(client, COURSE_URL)
    assert f'href="{COURSE_URL}unenrol"' in course_page  # a link to the question, not a POST
    question = page_text(client, COURSE_URL + "unenrol")
    assert "Leave the course Budgets for managers?" in question
    assert "button-warning" in question and "No, stay in the course" in question
    enrolment = db.session.query(Enrolment).filter_by(user_id=user.id).one()
    assert enrolment.status == "active"  # asking changed nothing
    response = submit(client, COURSE_URL + "unenrol", {}, page=COURSE_URL + "unenrol")
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == "withdrawn"
    # once left, the question page sends the member back to the course
    again = client.get(COURSE_URL + "unenrol")
    assert again.status_code == 302 and again.headers["Location"] == COURSE_URL


def test_a_visitor_opening_a_module_is_told_why_and_comes_back_to_it(
    client, auth, make_user, course
):
    to_login = client.get(QUIZ_URL)
    assert to_login.status_code == 302
    login_page = page_text(client, to_login.headers["Location"])
    assert "Log in to read this module" in login_page
    assert "come straight back to the module" in login_page
    enrolled_member(client, auth, make_user)
    auth.logout()
    response = auth.login("learner@example.org", next_url=quote(QUIZ_URL))
    assert response.status_code == 302 and response.headers["Location"] == QUIZ_URL


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "http:/evil.example",
        " //e.x",
    ],
)
def test_the_way_back_never_leads_to_another_host(client, make_user, auth, target):
    make_user(email="m@example.org")
    login_page = page_text(client, "/login?next=" + quote(target, safe=""))
    assert "Log in to read this module" not in login_page
    response = auth.login("m@example.org", next_url=quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_failed_knowledge_check_says_what_to_do_next(client, auth, make_user, course):
    enrolled_member(client, auth, make_user)
    response = answer(client, {"q1": "q1b", "q2": ["q2c"]})
    html = page_text(client, response.headers["Location"].split("#")[0])
    panel = re.search(r'<section id="quiz-results".*?</section>', html, re.S).group(0)
    assert "result-not-passed" in panel and "Not yet passed: 0%" in panel
    assert "What to do next:" in panel and "answer the questions below once more" in panel


def test_a_passed_knowledge_check_shows_the_points_earned(client, auth, make_user, course):
    enrolled_member(client, auth, make_user)
    response = answer(client, {"q1": "q1a", "q2": ["q2a", "q2b"]})
    html = page_text(client, response.headers["Location"].split("#")[0])
    panel = re.search(r'<section id="quiz-results".*?</section>', html, re.S).group(0)
    assert "result-passed" in panel and "Passed: 100%" in panel
    assert "Module complete: 1.5 CPD points are in your CPD record." in panel


def test_an_empty_quiz_keeps_the_member_at_the_quiz_with_an_error_summary(
    client, auth, make_user, course
):
    enrolled_member(client, auth, make_user)
    fields = quiz_form_fields(client)
    html = page_text(client, QUIZ_URL)
    assert f'action="{QUIZ_URL}/quiz#quiz-form"' in html  # the answer page opens at the quiz
    response = client.post(QUIZ_URL + "/quiz", data=fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "There is a problem" in summary
    links = re.findall(r'<a href="#([^"]+)">(Question \d)</a>', summary)
    assert [text for _id, text in links] == ["Question 1", "Question 2"]
    for field_id, _text in links:  # each link lands on its question
        assert f'id="{field_id}"' in html


def test_points_read_the_same_everywhere_and_in_swahili(client, auth, make_user, course):
    enrolled_member(client, auth, make_user)
    module = page_text(client, READING_URL)
    assert "1 CPD point<" in module and "1 CPD points" not in module
    client.post("/language", data={"language": "sw", "csrf_token": csrf_token(client, "/")})
    swahili = page_text(client, QUIZ_URL)
    assert "pointi 1.5 za CPD" in swahili
    assert "pointi 1 ya CPD" in page_text(client, READING_URL)
