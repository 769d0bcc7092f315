"""The audit log page: filters, pagination, export."""

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
    labels = {"member.category_changed": "Membership category changed"}

    def shown(query):
        page = admin.get(f"/admin/audit?{query}").get_data(as_text=True)
        return [a for a in ("member.category_changed", "claim.decided", "member.deactivated")
                if f"<td>{labels.get(a, a)}</td>" in page]  # fmt: skip

    assert len(shown("")) == 3
    assert shown("action=claim.decided") == ["claim.decided"]
    assert shown("actor=amina") == ["member.deactivated"]
    assert shown("member=brian%40example.org") == ["claim.decided", "member.deactivated"]
    assert shown("start=2025-05-01&end=2025-05-19") == ["claim.decided"]
    assert shown("start=not-a-date") and admin.get("/admin/audit?action=nope").status_code == 200
    page = admin.get("/admin/audit?action=member.category_changed").get_data(as_text=True)
    assert "membership_category: professional" in page and "membership_category: life" in page
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
    assert "Page 1 of 3" in first and first.count("<td>test.event</td>") == 50
    last = admin.get("/admin/audit?action=test.event&page=3").get_data(as_text=True)
    assert last.count("<td>test.event</td>") == 20
