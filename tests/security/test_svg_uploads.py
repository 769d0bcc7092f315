"""Every SVG of tests/data/svg/ (files that run script when opened) is refused wherever
the app takes an upload: CPD evidence (new claim, edited claim, draft), the CV of a certification
application, authoring images and the media folder of an imported course archive. Each is sent
as .svg and disguised as .pdf, .png and .jpg (with the matching content type): the answer is a
4xx or a form error with a clear message, and nothing is stored."""

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.authoring.test_authoring_flow import create_course
from tests.conftest import PASSWORD, csrf_token, submit
from tests.security.payloads import SVG_DIR
from wired4ex.catalog.models import CourseMedia
from wired4ex.certification.models import Application
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

SVGS = sorted(SVG_DIR.glob("*.svg"))
DISGUISES = {".svg": "image/svg+xml", ".pdf": "application/pdf", ".png": "image/png",
             ".jpg": "image/jpeg"}  # fmt: skip


def uploads():
    """(label, bytes, filename, content type) for every SVG in every disguise."""
    assert len(SVGS) >= 5, f"expected the SVG test files in {SVG_DIR}"
    for path in SVGS:
        for extension, content_type in DISGUISES.items():
            yield (
                f"{path.name} as {extension}",
                path.read_bytes(),
                path.stem + extension,
                content_type,
            )


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def post_file(client, url, fields, file_field, data, filename, content_type, page=None):
    form = {**fields, "csrf_token": csrf_token(client, page or url),
            file_field: (io.BytesIO(data), filename, content_type)}  # fmt: skip
    return client.post(url, data=form, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    return list(Path(app.config["EVIDENCE_DIR"]).glob("*"))


def claim_fields(action="submit_claim"):
    day = local_today().isoformat()
    return {"title": "Regional quality summit", "provider": "EAHQN", "category": "conference",
            "start_date": day, "end_date": day, "hours": "6", "points_claimed": "4",
            "reflection": "We introduced weekly run charts after the summit.", action: "1"}  # fmt: skip


@pytest.fixture
def member(app, make_user, synced_content):
    make_user(email="uploader@example.org", full_name="Amina Otieno")
    return log_in(app, "uploader@example.org")


def test_svg_evidence_is_refused_for_claims(app, member):
    draft = post_file(member, "/cpd/claims/new", claim_fields("save_draft"), "evidence",
                      b"%PDF-1.4\n%%EOF\n", "fine.pdf", "application/pdf")  # fmt: skip
    assert draft.status_code == 302
    draft_url = draft.headers["Location"]
    db.session.rollback()
    (existing,) = db.session.scalars(sa.select(Claim))
    before = (existing.evidence_stored_as, existing.evidence_name)
    assert len(stored_files(app)) == 1
    for label, data, filename, content_type in uploads():
        for url, action in (("/cpd/claims/new", "submit_claim"), ("/cpd/claims/new", "save_draft"),
                            (f"{draft_url}/edit", "submit_claim")):  # fmt: skip
            response = post_file(member, url, claim_fields(action), "evidence", data, filename,
                                 content_type)  # fmt: skip
            assert response.status_code == 400, (label, url, action)
            page = response.get_data(as_text=True)
            assert "Evidence must be a PDF, JPEG or PNG file." in page, (label, url)
    db.session.rollback()
    claims = list(db.session.scalars(sa.select(Claim)))
    assert len(claims) == 1 and claims[0].status == "draft"
    assert (claims[0].evidence_stored_as, claims[0].evidence_name) == before
    assert len(stored_files(app)) == 1, "an SVG was written to the evidence folder"


def test_svg_cv_is_refused_for_certification_applications(
    app,
    make_user,
    synced_content,
    make_ahsm_eligible,
    today,
):
    make_ahsm_eligible(make_user(email="applicant@example.org", full_name="Brian Kiprop"), today)
    client = log_in(app, "applicant@example.org")
    statement = "I lead the sub-county health management team and completed the course."
    for label, data, filename, content_type in uploads():
        response = post_file(client, "/certification/AHSM/apply", {"statement": statement}, "cv",
                             data, filename, content_type)  # fmt: skip
        assert response.status_code == 400, label
        assert "must be a PDF" in response.get_data(as_text=True), label
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
    assert stored_files(app) == []


def test_svg_images_are_refused_in_the_authoring_editor(app, faculty):
    course = create_course(faculty)
    draft_url = submit(
        faculty,
        f"/authoring/courses/{course.id}/drafts",
        {},
        page=f"/authoring/courses/{course.id}",
    ).headers["Location"]
    draft_id = draft_url.rstrip("/").rsplit("/", 1)[1]
    for label, data, filename, content_type in uploads():
        for fields, page in (({}, f"/authoring/courses/{course.id}"),
                             ({"back_to_draft": draft_id}, draft_url)):  # fmt: skip
            response = post_file(faculty, f"/authoring/courses/{course.id}/images", fields,
                                 "image", data, filename, content_type, page=page)  # fmt: skip
            assert response.status_code in (302, 303), label
            shown = faculty.get(response.headers["Location"]).get_data(as_text=True)
            assert "Images must be PNG or JPEG files." in shown, label
            assert "Image uploaded" not in shown, label
    db.session.rollback()
    assert (
        db.session.scalars(sa.select(CourseMedia).where(CourseMedia.course_id == course.id)).all()
        == []
    )


def course_archive(svg: bytes, name: str, slug: str = "svg-course") -> bytes:
    base = "institutions/lake-region-university/"
    files = {
        base + "institution.yml": "name: Lake Region University\nshort_name: LRU\ncountry: Kenya\n",
        base + f"{slug}/course.md": "---\ntitle: SVG course\nsummary: Pictures.\n---\n\nText.\n",
        base + f"{slug}/01-picture.md":
            f"---\ntitle: Picture\n---\n\n![A chart](media/{name})\n",
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(base + f"{slug}/media/{name}", svg)
    return buffer.getvalue()


def test_svg_media_in_an_imported_course_is_refused_or_defused(app, faculty):
    """SVG files named .svg are cleaned (issue 20: no script, foreign objects, handlers or
    references to other files) or refused when they cannot be; an SVG under another name is
    refused."""
    media_before = db.session.scalar(sa.select(sa.func.count(CourseMedia.id)))
    imported = 0
    for number, (label, data, filename, _) in enumerate(uploads()):
        archive = course_archive(data, filename, slug=f"svg-course-{number}")
        response = post_file(faculty, "/authoring/import", {}, "archive", archive, "course.zip",
                             "application/zip")  # fmt: skip
        page = response.get_data(as_text=True)
        if not filename.endswith(".svg"):
            assert response.status_code == 400, label
            assert "give it the .svg ending" in page, label
            continue
        if response.status_code == 400:
            assert "SVG image refused" in page, label
            continue
        assert response.status_code == 302, label
        imported += 1
        db.session.rollback()
        media = db.session.scalar(sa.select(CourseMedia).where(CourseMedia.name == filename)
                                  .order_by(CourseMedia.id.desc()))  # fmt: skip
        stored = media.data.decode().lower().replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert media.content_type == "image/svg+xml", label
        for danger in ("script", "foreignobject", "http:", "javascript", " on", "href="):
            assert danger not in stored, (label, danger, stored)
    assert imported == 2  # the two well-formed payloads, defused; the three others refused
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(CourseMedia.id))) == media_before + 2
