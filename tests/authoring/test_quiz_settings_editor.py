"""Knowledge-check settings and question types in the browser editor: written to front matter,
checked by the same checker, shown in the preview, published, and kept by the zip export."""

import io
import zipfile

import sqlalchemy as sa

from tests.authoring.conftest import MODULE
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import submit
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Module
from wired4ex.extensions import db

POOL = "".join(
    f"? Question {n}?\n- [x] Right {n}\n- [ ] Wrong {n}\n- [ ] None of these {n} {{pin}}\n\n"
    for n in range(1, 5)
)
BODY = (
    "## Checks\n\nText.\n\n```quiz\n" + POOL
    + "? Fuel is a direct cost of an outreach.\n= true\n\n"
    "? Litres of fuel for 3 trips of 40 litres?\n= 120 ± 1\n\n"
    "? Who approves the outreach budget?\n~ The CHMT\n~ County Health Management Team\n```\n"
)  # fmt: skip
SETTINGS = {"review": "never", "draw": "3", "attempts": "2", "retry_after": "12h",
            "min_read_minutes": ""}  # fmt: skip


def test_settings_and_typed_questions_go_through_editor_preview_and_publishing(
    faculty, admin, tmp_path, runner
):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    preview = submit(faculty, url, {**MODULE, **SETTINGS, "body": BODY, "preview": "1"})
    html = preview.get_data(as_text=True)
    assert "problems to fix" not in html
    assert "Accepted answers:" in html and "County Health Management Team" in html
    assert "Right answer:" in html and "120 ± 1" in html and "(keeps its place)" in html
    assert (
        submit(faculty, url, {**MODULE, **SETTINGS, "body": BODY, "save": "1"}).status_code == 302
    )
    draft = db.session.scalar(sa.select(Draft))
    assert draft.quiz_settings == {
        "review": "never",
        "draw": 3,
        "attempts": 2,
        "retry_after": "12h",
    }
    page = faculty.get(url).get_data(as_text=True)  # the fields show what was saved
    assert 'value="12h"' in page and '<option selected value="never">' in page

    # The checker's refusals reach the editor with their line.
    too_many = submit(
        faculty, url, {**MODULE, **SETTINGS, "draw": "9", "body": BODY, "preview": "1"}
    )
    assert "draw: 9 is more than the 7 questions in the quiz" in too_many.get_data(as_text=True)
    submit(faculty, url, {**MODULE, **SETTINGS, "body": BODY, "save": "1"})

    assert submit(faculty, url, {**MODULE, **SETTINGS, "body": BODY, "submit_review": "1"}
                  ).status_code == 302  # fmt: skip
    submit(admin, f"/authoring/drafts/{draft.id}/review", {"approve": "1", "comment": ""})
    db.session.rollback()
    version = db.session.scalar(
        sa.select(Module).where(Module.course_id == course.id)
    ).current_version
    assert (version.review, version.draw, version.attempts_allowed) == ("never", 3, 2)
    assert version.retry_after_minutes == 720
    assert [q["type"] for q in version.quiz][-3:] == ["truefalse", "number", "text"]

    exported = faculty.get(f"/authoring/courses/{course.id}/export.zip")
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        archive.extractall(tmp_path / "export")
        text = archive.read(
            "institutions/lake-region-university/outreach-budgets/01-costing-outreach.md"
        ).decode()
    assert "review: never\n" in text and "draw: 3\n" in text and "retry_after: 12h\n" in text
    check = runner.invoke(args=["content", "check", str(tmp_path / "export")])
    assert check.exit_code == 0, check.output
