"""The editor refuses Markdown over the rendering limits with a form error (never a 500): the
module text on save and live preview, and the course overview."""

import time

import pytest
import sqlalchemy as sa

from tests.authoring.conftest import MODULE
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import csrf_token, submit
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Course
from wired4ex.extensions import db
from wired4ex.markup import MAX_MARKDOWN_CHARS

SECONDS = 5.0


def nested_list(levels: int) -> str:
    return "".join("    " * level + "- item\n" for level in range(levels))


DEEP = nested_list(400)[:MAX_MARKDOWN_CHARS]  # a deep list of under 50,000 characters
HUGE = ">" * 10_000 + " quote\n" + "[" * 20_000


@pytest.mark.parametrize("body", [DEEP, HUGE], ids=["deep list", "quotes and brackets"])
def test_editor_refuses_pathological_text_with_a_form_error(faculty, body):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    started = time.perf_counter()
    response = submit(faculty, url, {**MODULE, "body": body, "save": "1"})
    assert time.perf_counter() - started < SECONDS
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Line " in page and ("levels deep" in page or "in one paragraph" in page)
    assert db.session.scalar(sa.select(Draft)).body.startswith("## Introduction")  # not saved

    draft_id = int(url.rstrip("/").rsplit("/", 1)[1])
    response = faculty.post(
        f"/authoring/drafts/{draft_id}/preview",
        data={**MODULE, "body": body, "csrf_token": csrf_token(faculty, url)},
    )
    assert response.status_code == 400
    assert "body" in response.get_json()["errors"]


def test_course_overview_over_the_limits_is_a_form_error(faculty):
    response = submit(faculty, "/authoring/courses/new", {
        "slug": "deep", "title": "Deep", "summary": "Too deep.", "language": "en",
        "level": "", "overview": DEEP,
    })  # fmt: skip
    assert response.status_code == 400
    assert "levels deep" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Course).where(Course.slug == "deep")) is None
