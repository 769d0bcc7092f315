"""Faculty write a course in the browser; admins review and publish; learners see only published."""

import io
import zipfile

import sqlalchemy as sa

from tests.authoring.conftest import MODULE, login
from tests.conftest import csrf_token, submit
from wired4ex.audit import AuditEvent
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Course, Module, ModuleVersion
from wired4ex.extensions import db


def create_course(client, slug="outreach-budgets"):
    response = submit(client, "/authoring/courses/new", {
        "slug": slug, "title": "Budgeting for Outreach", "summary": "Plan and cost outreach.",
        "language": "en", "level": "introductory", "overview": "Why outreach budgets matter.",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def new_draft(client, course):
    response = submit(
        client, f"/authoring/courses/{course.id}/drafts", {}, page=f"/authoring/courses/{course.id}"
    )
    assert response.status_code == 302
    return response.headers["Location"]


def test_write_preview_submit_approve_publish(app, faculty, admin, make_user):
    course = create_course(faculty)
    assert course.source == "editor" and course.status == "draft"
    url = new_draft(faculty, course)
    preview = submit(faculty, url, {**MODULE, "preview": "1"})
    page = preview.get_data(as_text=True)
    assert "Every outreach needs fuel" in page and "Which is a direct cost" in page
    assert submit(faculty, url, {**MODULE, "save": "1"}).status_code == 302
    assert submit(faculty, url, {**MODULE, "submit_review": "1"}).status_code == 302
    draft = db.session.scalar(sa.select(Draft))
    assert draft.status == "in_review"
    # Learners see nothing yet.
    make_user(email="learner@example.org")
    learner = login(app, "learner@example.org")
    assert learner.get("/courses/lake-region-university/outreach-budgets/").status_code == 404
    assert learner.get("/authoring/").status_code == 403
    review = admin.get(f"/authoring/drafts/{draft.id}/review").get_data(as_text=True)
    assert '<span class="diff-sign" aria-hidden="true">+</span>## Why cost it</ins>' in review
    assert (
        submit(
            admin, f"/authoring/drafts/{draft.id}/review", {"approve": "1", "comment": ""}
        ).status_code
        == 302
    )
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    (module,) = course.active_modules
    assert course.status == "published" and module.key == "costing-outreach"
    version = module.current_version
    assert version.number == 1 and version.quiz[0]["options"][0]["correct"] is True
    assert version.author.email == "lecturer@lru.example"
    assert "Every outreach needs fuel" in version.html
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "module.published"))
    assert learner.get("/courses/lake-region-university/outreach-budgets/").status_code == 200


def test_quiz_errors_block_submission_and_keep_the_draft(faculty):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    broken = {**MODULE, "body": "## Text\n\n```quiz\n- [x] An option outside a question\n```\n"}
    response = submit(faculty, url, {**broken, "submit_review": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "option outside a question" in page and "Text line 4:" in page
    draft = db.session.scalar(sa.select(Draft))
    assert draft.status == "draft" and "An option outside a question" in draft.body


def test_invalid_front_matter_values_are_refused_with_typing_kept(faculty):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    response = submit(
        faculty,
        url,
        {**MODULE, "minutes": "forty", "cpd_points": "-1", "key": "Bad Id", "save": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "Not a valid integer value." in page
        and "Use lower-case letters, digits and dashes." in page
    )
    assert "Every outreach needs fuel" in page  # what was typed is re-shown


def test_a_body_that_is_too_long_is_refused(faculty):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    response = submit(faculty, url, {**MODULE, "body": "x" * 2_000_000, "save": "1"})
    assert response.status_code in (400, 413)
    assert db.session.scalar(sa.select(Draft)).body.startswith("## Introduction")


def test_other_institutions_faculty_get_404(app, faculty, make_user, synced_content):
    course = create_course(faculty)
    from wired4ex.catalog.models import Institution

    other = db.session.scalar(sa.select(Institution).where(Institution.slug == "eaihm"))
    make_user(email="other@eaihm.example", roles=("member", "faculty"), institution_id=other.id)
    stranger = login(app, "other@eaihm.example")
    assert stranger.get(f"/authoring/courses/{course.id}").status_code == 404
    assert stranger.get(f"/authoring/courses/{course.id}/export.zip").status_code == 404
    url = new_draft(faculty, course)
    assert stranger.get(url).status_code == 404


def test_content_folder_courses_are_read_only(faculty, synced_content):
    course = db.session.scalar(sa.select(Course).where(Course.slug == "health-financing"))
    page = faculty.get(f"/authoring/courses/{course.id}").get_data(as_text=True)
    assert "read-only here" in page
    token = csrf_token(faculty, f"/authoring/courses/{course.id}")
    assert (
        faculty.post(
            f"/authoring/courses/{course.id}/drafts", data={"csrf_token": token}
        ).status_code
        == 403
    )


def test_export_is_accepted_by_content_check_and_import_round_trips(
    app, faculty, admin, runner, tmp_path
):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    submit(faculty, url, {**MODULE, "submit_review": "1"})
    draft = db.session.scalar(sa.select(Draft))
    submit(admin, f"/authoring/drafts/{draft.id}/review", {"approve": "1", "comment": ""})
    exported = faculty.get(f"/authoring/courses/{course.id}/export.zip")
    assert exported.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "export")
    assert "institutions/lake-region-university/outreach-budgets/01-costing-outreach.md" in names
    check = runner.invoke(args=["content", "check", str(tmp_path / "export")])
    assert check.exit_code == 0, check.output
    # Import it back as another course id: arrives as a draft, nothing published.
    text = (
        tmp_path / "export/institutions/lake-region-university/outreach-budgets/course.md"
    ).read_text()
    renamed = io.BytesIO()
    with zipfile.ZipFile(renamed, "w") as archive:
        base = "institutions/lake-region-university/"
        archive.writestr(
            base + "institution.yml", (tmp_path / "export" / base / "institution.yml").read_text()
        )
        archive.writestr(base + "outreach-copy/course.md", text)
        archive.writestr(base + "outreach-copy/01-costing-outreach.md",
                         (tmp_path / "export" / base / "outreach-budgets/01-costing-outreach.md").read_text())  # fmt: skip
    response = faculty.post("/authoring/import", data={"csrf_token": csrf_token(faculty, "/authoring/import"),
                            "archive": (io.BytesIO(renamed.getvalue()), "course.zip")}, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    copy = db.session.scalar(sa.select(Course).where(Course.slug == "outreach-copy"))
    assert copy.status == "draft" and copy.active_modules == []
    assert (
        db.session.scalar(sa.select(sa.func.count(Draft.id)).where(Draft.course_id == copy.id)) == 1
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def import_upload(client, data: bytes, name="course.zip"):
    return client.post("/authoring/import", data={"csrf_token": csrf_token(client, "/authoring/import"),
                       "archive": (io.BytesIO(data), name)}, content_type="multipart/form-data")  # fmt: skip


def test_bad_imports_change_nothing(faculty):
    cases = {
        "not a zip": (b"%PDF-1.4 not a zip", "The file is not a zip archive."),
        "outside": (_zip({"../evil.md": b"x"}), "path outside its folder"),
        "absolute": (_zip({"/etc/passwd": b"x"}), "path outside its folder"),
        "bomb": (
            _zip({"institutions/a/b/course.md": b"0" * (6 * 1024 * 1024)}),
            "more than we accept",
        ),
        "no course": (_zip({"readme.txt": b"hello"}), "exactly one course"),
        "duplicate ids": (
            _zip(
                {
                    "institutions/lake-region-university/institution.yml": b"name: L\nshort_name: L\ncountry: Kenya\n",
                    "institutions/lake-region-university/dup/course.md": b"---\ntitle: Dup\nsummary: S\n---\n",
                    "institutions/lake-region-university/dup/01-a.md": b"---\ntitle: A\nid: same\n---\nText\n",
                    "institutions/lake-region-university/dup/02-b.md": b"---\ntitle: B\nid: same\n---\nText\n",
                }
            ),
            "duplicate module id",
        ),  # fmt: skip
    }
    for label, (data, message) in cases.items():
        response = import_upload(faculty, data)
        assert response.status_code == 400, label
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), label
    assert db.session.scalar(sa.select(sa.func.count(Draft.id))) == 0
    assert db.session.scalar(sa.select(Course).where(Course.slug == "dup")) is None


def test_history_diff_and_restore(faculty, admin):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    submit(faculty, url, {**MODULE, "submit_review": "1"})
    first = db.session.scalar(sa.select(Draft))
    submit(admin, f"/authoring/drafts/{first.id}/review", {"approve": "1", "comment": ""})
    module = db.session.scalar(sa.select(Module).where(Module.key == "costing-outreach"))
    url = new_draft_for(faculty, course, module)
    changed = {
        **MODULE,
        "body": MODULE["body"].replace("fuel, allowances", "fuel, per diems"),
        "submit_review": "1",
    }
    submit(faculty, url, changed)
    second = db.session.scalar(sa.select(Draft).where(Draft.status == "in_review"))
    returned = submit(
        admin,
        f"/authoring/drafts/{second.id}/review",
        {"send_back": "1", "comment": ""},
        follow_redirects=True,
    )
    assert "Write what the author should change." in returned.get_data(as_text=True)
    submit(admin, f"/authoring/drafts/{second.id}/review", {"approve": "1", "comment": ""})
    history = faculty.get(f"/authoring/modules/{module.id}/history?a=1&b=2").get_data(as_text=True)
    assert "per diems" in history and "Dr Achieng Otieno" in history
    v1 = db.session.scalar(
        sa.select(ModuleVersion).where(
            ModuleVersion.module_id == module.id, ModuleVersion.number == 1
        )
    )
    response = submit(
        faculty,
        f"/authoring/versions/{v1.id}/restore",
        {},
        page=f"/authoring/modules/{module.id}/history",
    )
    assert response.status_code == 302
    restored = db.session.scalar(sa.select(Draft).where(Draft.status == "draft"))
    assert "fuel, allowances" in restored.body
    db.session.refresh(module)
    assert module.current_version.number == 2  # restoring makes a draft, it publishes nothing


def new_draft_for(client, course, module):
    page = f"/authoring/courses/{course.id}"
    response = submit(
        client, f"/authoring/courses/{course.id}/drafts", {"module_id": str(module.id)}, page=page
    )
    return response.headers["Location"]


def test_image_upload_is_checked_and_reencoded(faculty):
    from PIL import Image

    course = create_course(faculty)
    png = io.BytesIO()
    image = Image.new("RGB", (20, 10), "white")
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location")
    image.save(png, format="PNG", pnginfo=info)
    page = f"/authoring/courses/{course.id}"

    def upload(data, name):
        return faculty.post(f"/authoring/courses/{course.id}/images", content_type="multipart/form-data",
                            data={"csrf_token": csrf_token(faculty, page), "image": (io.BytesIO(data), name)},
                            follow_redirects=True)  # fmt: skip

    ok = upload(png.getvalue(), "My Chart.png")
    assert "media/my-chart.png" in ok.get_data(as_text=True)
    db.session.refresh(course)
    (media,) = course.media
    assert b"secret location" not in media.data and media.content_type == "image/png"
    svg = upload(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.png")
    assert "Images must be PNG or JPEG files." in svg.get_data(as_text=True)
    db.session.refresh(course)
    assert len(course.media) == 1


def test_saving_a_closed_draft_says_why_it_is_closed(faculty):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    assert submit(faculty, url, {**MODULE, "submit_review": "1"}).status_code == 302
    in_review = submit(faculty, url, {**MODULE, "save": "1"})
    assert in_review.status_code == 409
    assert "waiting for review" in in_review.get_data(as_text=True)

    other = new_draft(faculty, create_course(faculty, slug="second-course"))
    assert submit(faculty, f"{other}/discard", {}, page=other).status_code == 302
    discarded = submit(faculty, other, {**MODULE, "save": "1"})
    text = discarded.get_data(as_text=True)
    assert discarded.status_code == 409
    assert "This draft was discarded and cannot be changed." in text
    assert "waiting for review" not in text
