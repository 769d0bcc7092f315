"""Draft review as the secretariat reads it (issue 16): the published version and the draft
rendered side by side, and a line diff of the source with one line per line (no doubled
spacing), added and removed lines marked for screen readers too."""

import re

import sqlalchemy as sa

from tests.authoring.conftest import MODULE
from tests.authoring.test_authoring_flow import create_course, new_draft, new_draft_for
from tests.conftest import submit
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Module
from wired4ex.extensions import db


def test_review_shows_old_and_new_side_by_side_and_a_tight_line_diff(faculty, admin):
    course = create_course(faculty)
    submit(faculty, new_draft(faculty, course), {**MODULE, "submit_review": "1"})
    first = db.session.scalar(sa.select(Draft))
    new_module = admin.get(f"/authoring/drafts/{first.id}/review").get_data(as_text=True)
    assert "Nothing yet: this draft is a new module." in new_module
    submit(admin, f"/authoring/drafts/{first.id}/review", {"approve": "1", "comment": ""})
    module = db.session.scalar(sa.select(Module).where(Module.key == "costing-outreach"))
    changed = MODULE["body"].replace("fuel, allowances", "fuel, per diems")
    submit(faculty, new_draft_for(faculty, course, module),
           {**MODULE, "body": changed, "submit_review": "1"})  # fmt: skip
    second = db.session.scalar(sa.select(Draft).where(Draft.status == "in_review"))
    page = admin.get(f"/authoring/drafts/{second.id}/review").get_data(as_text=True)
    old, new = page.split('id="old-title"')[1].split('id="new-title"')
    assert "Published now (version 1)" in old and "fuel, allowances and supplies" in old
    assert "cost an outreach day" in old and "Which is a direct cost" in old  # objectives, quiz
    assert "fuel, per diems and supplies" in new.split("Changes to the text")[0]
    assert re.search(r"<h2[^>]*>Why cost it", old) and "## Why cost it" not in old  # rendered
    diff = re.search(r'<div class="diff"[^>]*><pre>(.*?)</pre></div>', page, re.S).group(1)
    assert "\n" not in diff  # every line is its own block: never a blank line between two
    assert re.search(r'<del class="diff-line diff-del">.*allowances', diff)
    assert re.search(r'<ins class="diff-line diff-add">.*per diems', diff)
    assert re.search(r'<span class="diff-line diff-hunk">From line \d+</span>', diff)
    assert "@@" not in diff


def test_deleting_a_draft_asks_first_on_a_page_of_its_own(faculty):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    submit(faculty, url, {**MODULE, "save": "1"})
    page = faculty.get(url).get_data(as_text=True)
    assert f'href="{url}/discard"' in page and 'class="button button-warning"' in page
    confirm = faculty.get(f"{url}/discard").get_data(as_text=True)
    assert "Delete this draft?" in confirm and "This cannot be undone." in confirm
    assert "Yes, delete the draft</button>" in confirm and "No, go back to the draft" in confirm
    assert db.session.scalar(sa.select(Draft.status)) == "draft"  # still there
    assert submit(faculty, f"{url}/discard", {}, page=url).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Draft.status)) == "discarded"


def test_archiving_a_module_asks_first(faculty, admin):
    course = create_course(faculty)
    submit(faculty, new_draft(faculty, course), {**MODULE, "submit_review": "1"})
    draft = db.session.scalar(sa.select(Draft))
    submit(admin, f"/authoring/drafts/{draft.id}/review", {"approve": "1", "comment": ""})
    module = db.session.scalar(sa.select(Module).where(Module.key == "costing-outreach"))
    url = f"/authoring/courses/{course.id}/modules/{module.id}/archive"
    assert f'href="{url}"' in faculty.get(f"/authoring/courses/{course.id}").get_data(as_text=True)
    confirm = faculty.get(url).get_data(as_text=True)
    assert "Archive Costing a community outreach?" in confirm
    assert "Yes, archive the module</button>" in confirm and "completions" in confirm
    db.session.refresh(module)
    assert module.status == "active"  # looking at the question changes nothing
    response = submit(faculty, url, {}, page=f"/authoring/courses/{course.id}")
    assert response.status_code == 302
    db.session.refresh(module)
    assert module.status == "archived"
