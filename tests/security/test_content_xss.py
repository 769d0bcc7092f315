"""Course and module text holding XSS payloads, from content files (titles, summaries,
objectives, the institution's name in the front matter and YAML) and from the authoring editor
(course title and summary, the reviewer's comments): shown back escaped on the catalogue, the
course and module pages, the dashboard, the course reports and the authoring pages.

Module and overview bodies (the Markdown pipeline) are covered by tests/browser/test_xss_pages.py
and tests/authoring/test_authoring_xss.py; these tests cover the plain-text fields around them."""

import json
import shutil

import sqlalchemy as sa

from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import PASSWORD, ROOT, submit
from tests.security.payloads import page_problems, report, sample
from wired4ex.authoring.models import Draft
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db

PAYLOADS = sample(per_file=2, max_length=200)
INSTITUTION, COURSE = "xss-front-matter", "payload-titles"


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def write_tree(root, institution_name, title, summary, modules):
    shutil.copytree(ROOT / "content" / "policy", root / "policy")
    course = root / "institutions" / INSTITUTION / COURSE
    course.mkdir(parents=True)
    (course.parent / "institution.yml").write_text(
        f"name: {quoted(institution_name)}\nshort_name: XFM\ncountry: Kenya\n", encoding="utf-8"
    )
    (course / "course.md").write_text(
        f"---\ntitle: {quoted(title)}\nsummary: {quoted(summary)}\nlanguage: en\n"
        "status: published\n---\n\nAn overview.\n",
        encoding="utf-8",
    )
    for number, (key, module_title, objectives) in enumerate(modules, start=1):
        listed = "".join(f"  - {quoted(objective)}\n" for objective in objectives)
        (course / f"{number:02d}-{key}.md").write_text(
            f"---\ntitle: {quoted(module_title)}\nminutes: 5\ncpd_points: 0.5\n"
            f"objectives:\n{listed}---\n\nPlain text.\n",
            encoding="utf-8",
        )


def test_payloads_in_content_front_matter_are_escaped(app, make_user, tmp_path):
    institution_name, title, summary = PAYLOADS[0], PAYLOADS[1], PAYLOADS[2]
    modules = [
        (f"m{index:02d}", PAYLOADS[index], [PAYLOADS[(index + 1) % len(PAYLOADS)],
                                            PAYLOADS[(index + 2) % len(PAYLOADS)]])
        for index in range(3, len(PAYLOADS))
    ]  # fmt: skip
    write_tree(tmp_path, institution_name, title, summary, modules)
    real_courses = {
        f"{path.parent.parent.name}/{path.parent.name}"
        for path in (ROOT / "content" / "institutions").glob("*/*/course.md")
    }
    tree = load_content(tmp_path, known_course_keys=real_courses)
    assert tree.problems == [], "\n".join(map(str, tree.problems))
    sync_content(tree)
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    assert course.title == title and course.summary == summary

    make_user(email="learner@example.org", full_name="Learner")
    make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    learner, admin = log_in(app, "learner@example.org"), log_in(app, "admin@example.org")
    course_url = f"/courses/{INSTITUTION}/{COURSE}/"
    assert submit(learner, course_url + "enrol", {}, page=course_url).status_code == 302
    module_titles = [module_title for _, module_title, _ in modules]
    failures = {
        "catalogue": page_problems(
            app.test_client().get("/").get_data(as_text=True), institution_name, title, summary
        ),
        "course page": page_problems(
            learner.get(course_url).get_data(as_text=True), title, summary, *module_titles
        ),
        "dashboard": page_problems(learner.get("/dashboard").get_data(as_text=True), title),
        "admin course reports": page_problems(
            admin.get("/admin/courses").get_data(as_text=True), title
        ),
        "admin course report": page_problems(
            admin.get(f"/admin/courses/{course.id}").get_data(as_text=True), title
        ),
        "admin dashboard": page_problems(admin.get("/admin/dashboard").get_data(as_text=True)),
        "filtered catalogue": page_problems(
            app.test_client().get(f"/?institution={INSTITUTION}").get_data(as_text=True), title
        ),
    }
    for key, module_title, objectives in modules:
        response = learner.get(course_url + key)
        assert response.status_code == 200, key
        failures[f"module {key}"] = page_problems(
            response.get_data(as_text=True), module_title, *objectives
        )
    assert not any(failures.values()), report(failures)


def test_payloads_typed_in_the_authoring_editor_and_review(app, faculty, make_user):
    make_user(email="reviewer@example.org", full_name="Reviewer", roles=("member", "admin"))
    admin = log_in(app, "reviewer@example.org")
    failures = {}
    for number, (title, summary) in enumerate(zip(PAYLOADS[::2], PAYLOADS[1::2], strict=False)):
        created = submit(faculty, "/authoring/courses/new", {
            "slug": f"payload-course-{number}", "title": title, "summary": summary,
            "language": "en", "level": "", "overview": "An overview.",
        })  # fmt: skip
        assert created.status_code == 302, created.get_data(as_text=True)[:1500]
        course_url = created.headers["Location"]
        failures[course_url] = page_problems(faculty.get(course_url).get_data(as_text=True), title)
        # A refused form (bad course id) shows the typed values back, escaped.
        refused = submit(faculty, "/authoring/courses/new", {
            "slug": title[:60], "title": title, "summary": summary, "language": "en",
            "level": "", "overview": "An overview.",
        })  # fmt: skip
        assert refused.status_code in (200, 400)
        failures[f"refused course {title!r}"] = page_problems(
            refused.get_data(as_text=True), title, summary
        )
    failures["/authoring/"] = page_problems(
        faculty.get("/authoring/").get_data(as_text=True), *PAYLOADS[::2]
    )

    # Review comments: a draft is returned with a payload comment, several times over.
    course = create_course(faculty, slug="reviewed-course")
    url = new_draft(faculty, course)
    fields = {"title": PAYLOADS[0], "key": "reviewed", "minutes": "10", "cpd_points": "1",
              "cpd_category": "structured", "competencies": [], "pass_mark": "70",
              "objectives": "\n".join(PAYLOADS[1:3]), "body": "Plain text.\n"}  # fmt: skip
    draft_id = int(url.rstrip("/").rsplit("/", 1)[1])
    for comment in PAYLOADS[3:]:
        sent = submit(faculty, url, {**fields, "submit_review": "1"})
        assert sent.status_code == 302, sent.get_data(as_text=True)[:1500]
        failures[f"reviews with {comment!r}"] = page_problems(
            admin.get("/authoring/reviews").get_data(as_text=True), PAYLOADS[0]
        )
        review_url = f"/authoring/drafts/{draft_id}/review"
        returned = submit(admin, review_url, {"send_back": "1", "comment": comment})
        assert returned.status_code == 302, returned.get_data(as_text=True)[:1500]
        db.session.rollback()
        assert db.session.get(Draft, draft_id).status == "returned"
        failures[f"returned draft {comment!r}"] = page_problems(
            faculty.get(url).get_data(as_text=True), comment, PAYLOADS[0], *PAYLOADS[1:3]
        )
    assert not any(failures.values()), report(failures)
