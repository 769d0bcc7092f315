"""Member list, member page, category and role changes, deactivation."""

import sqlalchemy as sa

from tests.admin.conftest import StatementCounter, login
from tests.conftest import PASSWORD, submit
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment, LedgerEntry


def test_the_member_list_query_count_does_not_grow_with_the_page(app, figures):
    db.session.execute(
        sa.insert(User),
        [{"email": f"bulk{n}@example.org", "full_name": f"Bulk {n:03d}", "password_hash": "x",
          "membership_category": "associate", "country": "RW"} for n in range(60)],
    )  # fmt: skip
    db.session.commit()
    admin = login(app, "admin@example.org")
    counts = {}
    for per_page in (5, 50):
        url = f"/admin/members?per_page={per_page}&cpd=not_met&cycle={figures.last_year}"
        admin.get(url)  # warm up: the first request loads what every request needs once
        with StatementCounter() as counter:
            response = admin.get(url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("/admin/members/") >= per_page
        counts[per_page] = counter.count
    assert counts[5] == counts[50], counts


def test_search_by_name_email_and_membership_number(app, figures):
    figures.people["brian"].membership_number = "HESMA-0042"
    db.session.commit()
    admin = login(app, "admin@example.org")
    for text in ("kiprop", "BRIAN@example", "hesma-0042"):
        page = admin.get(f"/admin/members?q={text}").get_data(as_text=True)
        assert "Brian Kiprop" in page and "Amina Otieno" not in page


def test_bad_filter_values_are_ignored_not_a_500(app, figures):
    admin = login(app, "admin@example.org")
    for query in ("cycle=abc", "cpd=maybe", "country=XX", "course=999999", "page=-3", "role=root"):
        assert admin.get(f"/admin/members?{query}").status_code == 200, query


def test_member_page_shows_the_whole_record(app, figures):
    amina = figures.people["amina"]
    page = login(app, "admin@example.org").get(f"/admin/members/{amina.id}").get_data(as_text=True)
    assert "Health Financing for County Managers" in page  # enrolment and completion
    assert "Enrolments" in page and "CPD ledger" in page and "External CPD claims" in page
    assert "Certificates and statements" in page


def test_change_category_and_role_writes_audit_events(app, figures):
    """Roles on the member page; the category on the membership's page, with a reason."""
    amina = figures.people["amina"]
    lru = db.session.scalar(
        sa.select(Institution).where(Institution.slug == "lake-region-university")
    )
    admin = login(app, "admin@example.org")
    url = f"/admin/members/{amina.id}/membership"
    page = f"/admin/members/{amina.id}"
    refused = submit(admin, url, {"roles": ["member", "faculty"], "institution": "0"}, page=page)
    assert refused.status_code == 400
    assert "Faculty belong to one institution" in refused.get_data(as_text=True)
    done = submit(admin, url, {"membership_category": "life", "roles": ["member", "faculty"],
                               "institution": str(lru.id)}, page=page)  # fmt: skip
    assert done.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, amina.id)
    assert changed.membership_category == "professional"  # not changed from this page
    assert changed.role_names == {"member", "faculty"} and changed.institution_id == lru.id
    membership_page = f"/admin/memberships/members/{amina.id}"
    no_reason = submit(admin, membership_page + "/category", {"category": "life", "reason": ""},
                       page=membership_page)  # fmt: skip
    assert no_reason.status_code == 400
    moved = submit(admin, membership_page + "/category",
                   {"category": "life", "reason": "Council resolution 4/2026"},
                   page=membership_page)  # fmt: skip
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, amina.id).membership_category == "life"
    events = {e.action: e for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.member_id == amina.id))}  # fmt: skip
    category = events["membership.category_changed"]
    assert category.before["category"] == "professional"
    assert category.after["category"] == "life" and category.after["renews_on"] is None
    assert category.after["reason"] == "Council resolution 4/2026"
    assert category.actor_id == figures.admin.id
    roles = events["member.roles_changed"]
    assert roles.before == {"roles": ["member"], "institution_id": None}
    assert roles.after == {"roles": ["faculty", "member"], "institution_id": lru.id}


def test_an_admin_cannot_remove_their_own_admin_role(app, figures):
    admin = login(app, "admin@example.org")
    page = f"/admin/members/{figures.admin.id}"
    response = submit(admin, page + "/membership", {"membership_category": "honorary",
                      "roles": ["member"], "institution": "0"}, page=page)  # fmt: skip
    assert response.status_code == 400
    assert "cannot remove your own admin role" in response.get_data(as_text=True)


def test_deactivated_member_cannot_log_in_and_keeps_their_record(app, figures):
    amina = figures.people["amina"]
    member_session = login(app, "amina@example.org")
    assert member_session.get("/cpd/").status_code == 200
    admin = login(app, "admin@example.org")
    page = f"/admin/members/{amina.id}"
    assert submit(admin, page + "/deactivate", {}, page=page).status_code == 302
    assert member_session.get("/cpd/").status_code == 302  # the open session has ended
    fresh = app.test_client()
    refused = submit(fresh, "/login", {"email": "amina@example.org", "password": PASSWORD})
    assert refused.status_code != 302
    for model in (Enrolment, CourseCompletion, LedgerEntry):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                 .where(model.user_id == amina.id)) > 0  # fmt: skip
    listed = admin.get("/admin/members?account=deactivated").get_data(as_text=True)
    assert "Amina Otieno" in listed and "Brian Kiprop" not in listed
    assert "Amina Otieno" not in admin.get("/admin/members").get_data(as_text=True)
    assert submit(admin, page + "/reactivate", {}, page=page).status_code == 302
    assert (
        submit(fresh, "/login", {"email": "amina@example.org", "password": PASSWORD}).status_code
        == 302
    )
    actions = list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.member_id == amina.id).order_by(AuditEvent.id)))  # fmt: skip
    assert actions == ["auth.login", "member.deactivated", "auth.login_failed",
                       "member.reactivated", "auth.login"]  # fmt: skip
