"""With JavaScript on, an uploaded image's Markdown line goes into the module text at the cursor."""

import io

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect
from werkzeug.datastructures import FileStorage

from tests.browser.conftest import log_in
from wired4ex.auth.models import User
from wired4ex.authoring import services
from wired4ex.authoring.images import add_image
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db


def lecturer_course(make_user):
    """A lecturer of eaihm (lecturer@eaihm.example) and a course written in the editor."""
    institution = db.session.scalar(sa.select(Institution).where(Institution.slug == "eaihm"))
    make_user(
        email="lecturer@eaihm.example", roles=("member", "faculty"), institution_id=institution.id
    )
    author = db.session.scalar(sa.select(User).where(User.email == "lecturer@eaihm.example"))
    course = services.create_course(author, institution, "data-basics", "Data Basics", "Numbers.",
                                    "en", None, "Overview.")  # fmt: skip
    return author, course


def test_insert_an_uploaded_image_at_the_cursor(
    desktop_page, live_server, make_user, synced_content
):
    author, course = lecturer_course(make_user)
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(png, format="PNG")
    add_image(course, FileStorage(io.BytesIO(png.getvalue()), filename="Chart.png"))
    draft = services.open_draft(author, course)
    page = desktop_page
    log_in(page, "lecturer@eaihm.example")
    page.goto(f"/authoring/drafts/{draft.id}")
    text = page.get_by_label("Module text (Markdown)")
    text.fill("## First\n\nSecond paragraph.")
    text.evaluate("element => element.setSelectionRange(9, 9)")  # after "## First\n"
    page.get_by_role("button", name="Insert chart.png in the text").click()
    expect(text).to_have_value(
        "## First\n\n![Describe the image](media/chart.png)\n\nSecond paragraph."
    )
    expect(page.locator("#live-preview img")).to_have_attribute("alt", "Describe the image")
