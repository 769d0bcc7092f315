"""My CPD page, adjustments, audit samples and the policy page."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.audit import AuditEvent
from wired4ex.cpd.models import AuditSampleMember
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_date


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def add_entry(user_id, points, category="structured", day=None, source="module", title="A module"):
    db.session.add(
        LedgerEntry(user_id=user_id, points=Decimal(str(points)), category=category, source=source,
                    activity_date=day or local_date(utcnow()), title=title, provider="Provider")
    )  # fmt: skip
    db.session.commit()


def test_my_cpd_page_agrees_with_the_ledger(app, make_user, policy, make_claim):
    member = make_user(email="m@example.org")
    this_year = local_date(utcnow()).year
    add_entry(member.id, 8, "structured", title="Budgeting module")
    for points in (10, 10, 5):  # one activity earns at most 10 conference points
        add_entry(member.id, points, "conference", title="Big conference")
    add_entry(member.id, 3, "structured", day=date(this_year - 1, 6, 1), title="Last year module")
    make_claim(member, title="Pending teaching claim", category="teaching", points_claimed=Decimal("3"),
               end_date=local_date(utcnow()), start_date=local_date(utcnow()))  # fmt: skip
    page = login(app, "m@example.org").get("/cpd/").get_data(as_text=True)
    assert "Budgeting module" in page and "Big conference" in page
    assert "Last year module" not in page
    assert "28</span>" not in page and ">28 <" in page  # 8 + 20 (conference capped at 20)
    assert "of 40 points" in page and "Still needed: 12 points." in page
    assert "33 points earned in all" in page
    assert "Pending teaching claim" in page and "Waiting for verification" in page
    last_year = (
        login(app, "m@example.org").get(f"/cpd/?cycle={this_year - 1}").get_data(as_text=True)
    )
    assert "Last year module" in last_year and "Budgeting module" not in last_year


def test_bad_cycle_in_the_query_string_is_not_a_500(app, make_user, policy):
    make_user(email="m@example.org")
    client = login(app, "m@example.org")
    assert client.get("/cpd/?cycle=abc").status_code == 200
    assert client.get("/cpd/?cycle=99999").status_code == 404


def test_exempt_member_sees_no_target(app, make_user, policy):
    make_user(email="h@example.org", category="honorary")
    page = login(app, "h@example.org").get("/cpd/").get_data(as_text=True)
    assert "exempt from the yearly CPD target" in page


def test_admin_adjustment_with_reason(app, make_user, policy):
    member = make_user(email="m@example.org")
    make_user(email="a@example.org", roles=("member", "admin"))
    admin = login(app, "a@example.org")
    url = f"/cpd/members/{member.id}/adjust"
    page = f"/cpd/members/{member.id}"
    today = local_date(utcnow()).isoformat()
    no_reason = submit(
        admin,
        url,
        {"points": "-2", "category": "structured", "activity_date": today, "reason": ""},
        page=page,
    )
    assert no_reason.status_code == 400 and "This field is required." in no_reason.get_data(
        as_text=True
    )
    zero = submit(
        admin,
        url,
        {"points": "0", "category": "structured", "activity_date": today, "reason": "x"},
        page=page,
    )
    assert "non-zero" in zero.get_data(as_text=True)
    ok = submit(admin, url, {"points": "-2", "category": "structured", "activity_date": today,
                             "reason": "Module counted twice in the old system."}, page=page)  # fmt: skip
    assert ok.status_code == 302
    (entry,) = db.session.scalars(sa.select(LedgerEntry))
    assert (entry.source, entry.points, entry.reason) == (
        "adjustment",
        Decimal("-2"),
        "Module counted twice in the old system.",
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ledger.adjustment"))
    assert event.member_id == member.id and event.after["reason"].startswith("Module counted twice")
    member_page = login(app, "m@example.org").get("/cpd/").get_data(as_text=True)
    assert "Module counted twice in the old system." in member_page


def test_audit_sample_draws_a_share_and_records_outcomes(app, make_user, policy, make_claim):
    members = [make_user(email=f"c{i}@example.org") for i in range(4)]
    for member in members:
        make_claim(member, end_date=date(2026, 5, 1), start_date=date(2026, 5, 1))
    make_user(email="a@example.org", roles=("member", "admin"))
    admin = login(app, "a@example.org")
    response = submit(admin, "/cpd/audits", {"cycle": "2026", "percentage": "50"})
    assert response.status_code == 302
    sampled = list(db.session.scalars(sa.select(AuditSampleMember)))
    assert len(sampled) == 2
    assert {s.user_id for s in sampled} <= {m.id for m in members}
    sample_page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Regional quality improvement summit" in sample_page
    url = f"/cpd/audits/{sampled[0].sample_id}/members/{sampled[0].id}"
    failed_without_notes = submit(
        admin,
        url,
        {"outcome": "failed", "notes": ""},
        page=response.headers["Location"],
        follow_redirects=True,
    )
    assert "Say what was wrong" in failed_without_notes.get_data(as_text=True)
    submit(
        admin,
        url,
        {"outcome": "passed", "notes": "Certificates checked."},
        page=response.headers["Location"],
    )
    db.session.refresh(sampled[0])
    assert sampled[0].outcome == "passed" and sampled[0].notes == "Certificates checked."


def test_audit_sample_needs_claims_and_a_sane_percentage(app, make_user, policy):
    make_user(email="a@example.org", roles=("member", "admin"))
    admin = login(app, "a@example.org")
    none = submit(admin, "/cpd/audits", {"cycle": "2026", "percentage": "10"})
    assert "No member has claims in this cycle." in none.get_data(as_text=True)
    bad = submit(admin, "/cpd/audits", {"cycle": "2026", "percentage": "250"})
    assert bad.status_code == 400


def test_policy_page_shows_targets_and_caps(app, make_user, policy):
    make_user(email="m@example.org")
    page = login(app, "m@example.org").get("/cpd/policy").get_data(as_text=True)
    assert "Conferences, workshops and seminars" in page
    assert "Exempt" in page and "Life member" in page


def test_demo_seed_gives_the_member_a_realistic_year(runner, synced_content):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    from wired4ex.auth.services import find_user_by_email
    from wired4ex.cpd.models import Claim

    member = find_user_by_email("member@wired4ex.example")
    statuses = sorted(db.session.scalars(sa.select(Claim.status).where(Claim.user_id == member.id)))
    assert statuses == ["approved", "submitted"]
    sources = set(
        db.session.scalars(sa.select(LedgerEntry.source).where(LedgerEntry.user_id == member.id))
    )
    assert sources == {"module", "claim"}
