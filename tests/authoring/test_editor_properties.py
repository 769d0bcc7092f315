"""Random Markdown built from the constructs of real lessons (the same as
tests/catalog/test_markdown_properties.py) goes through the editor's live preview and the zip
import: no exception escapes (never a 500), and every problem or warning names its line."""

import re

from hypothesis import given, settings

from tests.authoring.conftest import MODULE
from tests.authoring.test_authoring_flow import _zip, create_course, import_upload, new_draft
from tests.catalog.test_markdown_properties import PROFILE as CATALOG_PROFILE
from tests.catalog.test_markdown_properties import markdown_from_constructs
from tests.conftest import csrf_token

PROFILE = settings(CATALOG_PROFILE, max_examples=25)  # each example is two requests
COURSE = "institutions/lake-region-university/random-course"
COURSE_MD = b"---\ntitle: Random\nsummary: Random lessons.\n---\nOverview.\n"
TEXT_LINE = re.compile(r"Text line (\d+):")
PROBLEM = re.compile(r"random-course/01-random\.md:(\d+): ")


@PROFILE
@given(body=markdown_from_constructs)
def test_random_markdown_in_the_editor_and_the_zip_import_never_fails(faculty, body):
    course = getattr(faculty, "_random_course", None)
    if course is None:
        course = faculty._random_course = create_course(faculty, slug="random-editor")
        faculty._random_draft = new_draft(faculty, course)
    url = faculty._random_draft
    draft_id = int(url.rstrip("/").rsplit("/", 1)[1])
    response = faculty.post(
        f"/authoring/drafts/{draft_id}/preview",
        data={**MODULE, "body": body, "csrf_token": csrf_token(faculty, url)},
    )
    assert response.status_code in {200, 400}, response.status_code
    if response.status_code == 200:
        for number in TEXT_LINE.findall(response.get_json()["problems"]):
            assert 1 <= int(number) <= body.count("\n") + 1

    module = f'---\ntitle: "Random"\nminutes: 5\n---\n{body}'.encode()
    response = import_upload(faculty, _archive(module))
    assert response.status_code in {200, 302, 400}, response.status_code
    page = response.get_data(as_text=True)
    for number in PROBLEM.findall(page):
        assert 1 <= int(number) <= module.count(b"\n") + 1


def test_the_zip_import_reports_the_renderers_problems_at_their_line(faculty):
    module = b'---\ntitle: "Random"\nminutes: 5\n---\n## Steps\n\n```bash\nls\n'
    response = import_upload(faculty, _archive(module))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "random-course/01-random.md:7: code block is not closed with ```" in page


def _archive(module: bytes) -> bytes:
    return _zip({
        "institutions/lake-region-university/institution.yml":
            b"name: Lake Region University\nshort_name: LRU\ncountry: Kenya\n",
        f"{COURSE}/course.md": COURSE_MD,
        f"{COURSE}/01-random.md": module,
    })  # fmt: skip
