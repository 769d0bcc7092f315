"""The dashboard runs a fixed, small number of SQL queries however many courses a member has."""

import shutil
from contextlib import contextmanager

import sqlalchemy as sa

from tests.conftest import ROOT
from tests.learning.conftest import QUIZ_MODULE, READING_MODULE
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db
from wired4ex.learning import services


def build_courses(root, count: int) -> None:
    shutil.copytree(ROOT / "content" / "policy", root / "policy")
    (root / "policy" / "certifications.yml").write_text("programmes: []\n")
    institution = root / "institutions" / "many-uni"
    institution.mkdir(parents=True)
    (institution / "institution.yml").write_text("name: Many\nshort_name: M\ncountry: Kenya\n")
    for number in range(count):
        course = institution / f"course-{number}"
        course.mkdir()
        (course / "course.md").write_text(f"---\ntitle: Course {number}\nsummary: S.\n---\nO.\n")
        (course / "01-budgets.md").write_text(QUIZ_MODULE)
        (course / "02-reading.md").write_text(READING_MODULE)
        (course / "03-more.md").write_text(READING_MODULE)


@contextmanager
def count_queries():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def dashboard_query_count(client, auth, user_email) -> int:
    auth.login(user_email)
    client.get("/dashboard")  # warm up: templates compiled, session loaded
    with count_queries() as statements:
        response = client.get("/dashboard")
    assert response.status_code == 200
    return len(statements)


def test_dashboard_query_count_does_not_grow(app, client, auth, make_user, tmp_path):
    build_courses(tmp_path / "content", 20)
    sync_content(load_content(tmp_path / "content"))
    courses = list(db.session.scalars(sa.select(Course).order_by(Course.slug)))
    one = make_user(email="one@example.org")
    many = make_user(email="many@example.org")
    services.enrol(one, courses[0])
    for course in courses:
        services.enrol(many, course)
        first = course.active_modules[1]
        services.record_visit(many.id, services.get_enrolment(many.id, course.id).id, first.id)
        services.mark_done(many, first)
    few = dashboard_query_count(client, auth, "one@example.org")
    auth.logout()
    lots = dashboard_query_count(client, auth, "many@example.org")
    assert few == lots
    assert lots <= 12
    page = client.get("/dashboard").get_data(as_text=True)
    assert page.count("1 of 3 modules complete") == 20
