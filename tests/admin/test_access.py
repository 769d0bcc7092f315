"""Who may open which admin page: admins everything; faculty only their institution's course
reports; members nothing."""

import pytest
import sqlalchemy as sa

from tests.admin.conftest import login
from wired4ex.catalog.models import Course, Institution
from wired4ex.extensions import db

ADMIN_PAGES = ["/admin/", "/admin/members", "/admin/members.csv", "/admin/institutions",
               "/admin/institutions/new", "/admin/audit", "/admin/audit.csv", "/admin/dashboard",
               "/admin/dashboard/months.csv", "/admin/dashboard/compliance.csv"]  # fmt: skip


def institution(slug):
    return db.session.scalar(sa.select(Institution).where(Institution.slug == slug))


@pytest.fixture
def faculty(app, make_user, figures):
    make_user(email="lru@example.org", full_name="LRU Lecturer", roles=("member", "faculty"),
              institution_id=institution("lake-region-university").id)  # fmt: skip
    return login(app, "lru@example.org")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_members_and_faculty_are_refused_admin_pages(app, figures, faculty, url):
    member = login(app, "amina@example.org")
    assert member.get(url).status_code == 403
    assert faculty.get(url).status_code == 403
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page
    assert login(app, "admin@example.org").get(url).status_code in (200, 302)


def test_member_pages_of_another_member_are_refused(app, figures, faculty):
    url = f"/admin/members/{figures.people['brian'].id}"
    assert login(app, "amina@example.org").get(url).status_code == 403
    assert faculty.get(url).status_code == 403


def test_faculty_see_only_their_institutions_courses(app, figures, faculty):
    listed = faculty.get("/admin/courses").get_data(as_text=True)
    assert "Health Financing for County Managers" in listed
    assert "Quality Improvement" not in listed
    own = f"/admin/courses/{figures.financing.id}"
    assert faculty.get(own).status_code == 200
    assert faculty.get(own + "/learners.csv").status_code == 200
    other = db.session.scalar(
        sa.select(Course.id).where(Course.institution_id == institution("eaihm").id).limit(1)
    )
    assert faculty.get(f"/admin/courses/{other}").status_code == 404
    assert faculty.get(f"/admin/courses/{other}/learners.csv").status_code == 404
    assert login(app, "admin@example.org").get(f"/admin/courses/{other}").status_code == 200
    assert login(app, "amina@example.org").get(own).status_code == 403


def test_navigation_links_by_role(app, figures, faculty):
    assert 'href="/admin/courses">My courses' in faculty.get("/").get_data(as_text=True)
    assert ">Admin<" not in faculty.get("/").get_data(as_text=True)
    admin_home = login(app, "admin@example.org").get("/").get_data(as_text=True)
    assert 'href="/admin/dashboard">Admin<' in admin_home
    assert "/admin/" not in login(app, "amina@example.org").get("/").get_data(as_text=True)


def test_the_audit_log_is_append_only(app, figures):
    admin = login(app, "admin@example.org")
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/audit")]
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in rules)
    assert admin.post("/admin/audit").status_code in (400, 405)
    assert admin.delete("/admin/audit").status_code == 405
