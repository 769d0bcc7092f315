"""The pack's sizes on the course page are read once per content version (wired4ex.pagecache):
a pack made again after a change shows on the next request, even when the page was seen between
the change and the new pack (a sync or a publish commits the content, then makes the packs)."""

import re

import sqlalchemy as sa

from tests.conftest import Auth
from tests.offline.conftest import COURSE_URL
from wired4ex.catalog.models import Course
from wired4ex.contentversion import bump
from wired4ex.extensions import db
from wired4ex.learning.services import enrol
from wired4ex.offline.models import CoursePack
from wired4ex.offline.services import offline_bytes, refresh_packs, size_text


def shown_sizes(client) -> tuple[str, str]:
    page = client.get(COURSE_URL).get_data(as_text=True)
    saved = re.search(r"Save for offline \(([^)]+)\)", page)[1]
    pdf = re.search(r"Download the course as a PDF \(([^)]+)\)", page)[1]
    return saved, pdf


def stored_sizes(course_id: int) -> tuple[str, str]:
    db.session.expire_all()
    pack = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course_id))
    return size_text(pack.offline_bytes), size_text(pack.pdf_bytes)


def test_a_pack_made_again_shows_on_the_next_request(phone, course, client):
    course_id = course.id
    before = stored_sizes(course_id)
    assert shown_sizes(client) == before
    # The content changes (committed, a new content version), the pack is not made yet: the
    # page shows the pack as it is.
    changed = db.session.get(Course, course_id)
    changed.overview_html += "<p>" + "A longer overview for the printed pack. " * 400 + "</p>"
    db.session.commit()
    assert shown_sizes(client) == before
    assert refresh_packs([course_id]) == 1
    after = stored_sizes(course_id)
    assert after[0] != before[0]
    assert shown_sizes(client) == after


def test_without_a_pack_the_page_counts_the_size_and_offers_no_pdf(phone, course, client):
    """A pack that could not be made (it is logged, publishing goes on): the size to save is
    counted from the course, and there is no PDF to download."""
    course_id = course.id
    size = offline_bytes(db.session.get(Course, course_id))
    db.session.execute(sa.delete(CoursePack).where(CoursePack.course_id == course_id))
    bump(db.session.connection())  # as a change to the content would (a test shortcut)
    db.session.commit()
    page = client.get(COURSE_URL).get_data(as_text=True)
    assert f"Save for offline ({size_text(size)})" in page
    assert "Download the course as a PDF" not in page


def test_the_kept_block_carries_each_members_own_token(app, phone, course, client, make_user):
    """The block is kept once for everyone; the token of its form is the member's own."""
    other = make_user(email="second.phone@example.org")
    enrol(other, course)
    second = app.test_client()
    Auth(second).login(other.email)
    first_page = client.get(COURSE_URL).get_data(as_text=True)
    second_page = second.get(COURSE_URL).get_data(as_text=True)
    first_token, second_token = save_token(first_page), save_token(second_page)
    assert first_token != second_token and first_token not in second_page
    for browser, token in ((client, first_token), (second, second_token)):
        response = browser.post(
            COURSE_URL + "save-offline", data={"csrf_token": token}, follow_redirects=True
        )
        assert "could not save the course for offline reading" in response.get_data(as_text=True)
    refused = second.post(COURSE_URL + "save-offline", data={"csrf_token": first_token})
    assert refused.status_code == 400


def save_token(page: str) -> str:
    """The token of the "Save for offline" form."""
    form = re.escape(f'action="{COURSE_URL}save-offline" class="button-form">')
    return re.search(form + r'<input type="hidden" name="csrf_token" value="([^"]+)"', page)[1]
