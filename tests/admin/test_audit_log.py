"""The audit log page: filters, pagination, export."""

import re
from datetime import UTC, datetime

from tests.admin.conftest import login
from wired4ex import audit
from wired4ex.extensions import db


def test_filters_by_action_actor_member_and_dates(app, figures):
    amina, brian = figures.people["amina"], figures.people["brian"]
    audit.record(
        "member.category_changed",
        "user",
        amina.id,
        figures.admin.id,
        amina.id,
        before={"membership_category": "professional"},
        after={"membership_category": "life"},
        at=datetime(2025, 3, 10, 8, tzinfo=UTC),
    )
    audit.record(
        "claim.decided",
        "claim",
        7,
        figures.admin.id,
        brian.id,
        after={"status": "approved"},
        at=datetime(2025, 5, 1, 8, tzinfo=UTC),
    )
    audit.record("member.deactivated", "user", brian.id, amina.id, brian.id,
                 at=datetime(2025, 5, 20, 8, tzinfo=UTC))  # fmt: skip
    db.session.commit()
    admin = login(app, "admin@example.org")

    # The audit log shows an action's readable name where it has one.
    labels = {
        "member.category_changed": "Membership category changed",
        "member.deactivated": "Account deactivated",
    }

    def shown(query):
        page = admin.get(f"/admin/audit?{query}").get_data(as_text=True)
        return [a for a in ("member.category_changed", "claim.decided", "member.deactivated")
                if f'<span class="audit-action">{labels.get(a, a)}</span>' in page]  # fmt: skip

    assert len(shown("")) == 3
    assert shown("action=claim.decided") == ["claim.decided"]
    assert shown("actor=amina") == ["member.deactivated"]
    assert shown("member=brian%40example.org") == ["claim.decided", "member.deactivated"]
    assert shown("start=2025-05-01&end=2025-05-19") == ["claim.decided"]
    assert shown("start=not-a-date") and admin.get("/admin/audit?action=nope").status_code == 200
    page = admin.get("/admin/audit?action=member.category_changed").get_data(as_text=True)
    # A sentence with names, and the changed field as a small table of readable values.
    assert "Secretariat Admin changed the membership category of Amina Otieno." in page
    assert re.search(
        r'<th scope="row">Membership category</th><td>Professional</td>'
        r"<td>Life member</td>",
        page,
    )
    assert "membership_category" not in page and "None" not in page
    exported = admin.get("/admin/audit.csv?member=brian").get_data().decode("utf-8")
    assert (
        exported.count("\n") == 3
        and "claim.decided" in exported
        and "brian@example.org" in exported
    )


def test_audit_log_is_paginated(app, figures):
    for number in range(120):
        audit.record("test.event", "thing", number, figures.admin.id)
    db.session.commit()
    admin = login(app, "admin@example.org")
    first = admin.get("/admin/audit?action=test.event").get_data(as_text=True)
    assert '<span aria-current="page">1</span>' in first and "page=3" in first
    assert first.count('<span class="audit-action">test.event</span>') == 50
    last = admin.get("/admin/audit?action=test.event&page=3").get_data(as_text=True)
    assert last.count('<span class="audit-action">test.event</span>') == 20


def test_the_audit_log_reads_as_sentences_with_names_not_ids(app, figures):
    """A claim decision reads as the issue's example sentence; the record's id, the raw field
    names and `None` never show, and the changed fields are a small table."""
    from wired4ex.cpd.models import Claim

    brian = figures.people["brian"]
    claim = Claim(user_id=brian.id, title="County health summit", provider="HeSMA",
                  category="conference", start_date=datetime(2025, 5, 1).date(),
                  end_date=datetime(2025, 5, 1).date(), hours=6, points_claimed=6,
                  reflection="We met.", competencies=[], status="approved")  # fmt: skip
    db.session.add(claim)
    db.session.flush()
    audit.record("claim.approved", "claim", claim.id, figures.admin.id, brian.id,
                 before={"status": "submitted", "points_claimed": "6"},
                 after={"status": "approved", "points_approved": "3", "reason": None})  # fmt: skip
    audit.record("member.roles_changed", "user", brian.id, figures.admin.id, brian.id,
                 before={"roles": ["member"], "institution_id": None},
                 after={"roles": ["faculty", "member"], "institution_id": None})  # fmt: skip
    db.session.commit()
    admin = login(app, "admin@example.org")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert (
        f"Secretariat Admin approved 3 of 6 points for claim ‘County health summit’ by "
        f"{brian.full_name}." in page
    )
    assert re.search(r'<th scope="row">Status</th><td>Submitted</td><td>Approved</td>', page)
    assert re.search(r'<th scope="row">Roles</th><td>Member</td><td>Faculty, Member</td>', page)
    assert "Institution</th>" not in page  # unchanged fields are left out
    assert f"claim {claim.id}" not in page and "points_claimed" not in page
    assert ">None<" not in page
    figures.admin.language = "sw"
    db.session.commit()
    swahili = admin.get("/admin/audit").get_data(as_text=True)
    assert "aliidhinisha pointi 3 kati ya 6 za dai ‘County health summit’" in swahili
