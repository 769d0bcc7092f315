"""The editor's problems box shows what `flask content check` finds in the draft, from the same
check: problems (which stop submitting) and warnings (a list indented too little, a skipped
heading level), each at its text line; the live preview returns the same box."""

from tests.authoring.conftest import MODULE
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import csrf_token, submit

BODY = "\n".join(
    ["## Steps", "", "1. Open the register.", "  - check the date", "2. Count.", "", "#### Deep",
     "", "```bash", "ls"]
)  # fmt: skip


def test_warnings_and_problems_of_a_draft_show_at_their_text_line(faculty):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    submit(faculty, url, {**MODULE, "body": BODY, "save": "1"})
    page = faculty.get(url).get_data(as_text=True)
    assert "1 problem to fix before submitting" in page
    assert "Text line 9: code block is not closed with ```" in page
    assert "2 warnings: it renders, but maybe not as you meant" in page
    assert "Text line 4: this list item is indented 2 spaces" in page
    assert "Text line 7: this heading skips from level 2 to level 4" in page

    draft_id = int(url.rstrip("/").rsplit("/", 1)[1])
    response = faculty.post(
        f"/authoring/drafts/{draft_id}/preview",
        data={**MODULE, "body": BODY.replace("  - check", "   - check"),
              "csrf_token": csrf_token(faculty, url)},
    )  # fmt: skip
    assert response.status_code == 200
    live = response.get_json()["problems"]  # the box, for the live preview to replace
    assert "this list item is indented" not in live
    assert "Text line 7: this heading skips from level 2 to level 4" in live
    assert "Text line 9: code block is not closed" in live
