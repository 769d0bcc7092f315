"""What membership changes, and verification that tells the truth: without an approved,
current membership no target applies or is met, statements say so, and /verify/<code> and its
API give the holder's membership today in plain words. Renewals and lapses by the policy."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.cpd.models import Statement
from wired4ex.cpd.verifiable import format_code
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.membership.services import (
    RenewalRefused,
    grant_membership,
    membership_status,
    record_renewal,
)
from wired4ex.timeutil import local_today


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def _points(user, points, day, category="structured"):
    db.session.add(LedgerEntry(user_id=user.id, source="adjustment", category=category,
                               points=Decimal(points), activity_date=day, title="Workshop",
                               provider="HeSMA", reason="fixture"))  # fmt: skip
    db.session.commit()


def _issue(client, year):
    response = submit(client, "/cpd/statement.pdf", {"cycle": str(year)},
                      page="/cpd/statements", follow_redirects=True)  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return db.session.scalars(sa.select(Statement).order_by(Statement.id.desc())).first()


def test_a_strangers_statement_says_membership_not_verified(app, applicant, policy, client):
    stranger = applicant(email="stranger@example.org")
    year = local_today().year
    _points(stranger, "45", date(year, 1, 10))
    _points(stranger, "5", date(year, 1, 11), "association")
    statement = _issue(login(app, "stranger@example.org"), year)
    assert statement.snapshot["target"] is None and statement.snapshot["target_met"] is False
    assert statement.snapshot["member"]["membership"]["state"] == "not_verified"
    code = format_code(statement.code)
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "<dt>Membership</dt><dd>not verified</dd>" in page
    assert "Membership not verified." in page
    assert "— met" not in page
    body = client.get(f"/api/v1/verify/{code}").get_json()
    assert body["target_met"] is False and body["exempt"] is False
    assert body["member"]["membership_state"] == "not_verified"
    assert body["membership_today"] == {
        "state": "not_verified", "category": None, "number": None, "valid_until": None,
        "lapsed_since": None, "text": "Membership not verified.",
    }  # fmt: skip


def test_a_lapsed_member_is_shown_lapsed_since_and_no_target_met(app, make_user, policy, client):
    member = make_user(email="late@example.org")
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == member.id))
    today = local_today()
    membership.renews_on = today - timedelta(days=200)  # grace for professionals: 90 days
    db.session.commit()
    status = membership_status(member)
    assert status.state == "lapsed"
    assert status.lapsed_since == membership.renews_on + timedelta(days=91)
    assert status.target_category is None
    _points(member, "50", date(today.year, 1, 10))
    statement = _issue(login(app, "late@example.org"), today.year)
    assert statement.snapshot["target_met"] is False
    page = client.get(f"/verify/{format_code(statement.code)}").get_data(as_text=True)
    assert "lapsed since" in page
    certification = login(app, "late@example.org").get("/certification/").get_data(as_text=True)
    assert "renew your membership" in certification


def test_a_verified_members_statement_and_verification(app, make_user, policy, client):
    member = make_user(email="ok@example.org", number="HSM-2026-00042")
    today = local_today()
    _points(member, "38", date(today.year, 1, 10))
    _points(member, "2", date(today.year, 1, 11), "association")
    statement = _issue(login(app, "ok@example.org"), today.year)
    assert statement.snapshot["member"]["category"] == "professional"
    assert statement.snapshot["target_met"] is True
    body = client.get(f"/api/v1/verify/{format_code(statement.code)}").get_json()
    assert body["membership_today"]["state"] == "verified"
    assert body["membership_today"]["number"] == "HSM-2026-00042"
    assert "Verified Professional member, number HSM-2026-00042" in body["membership_today"]["text"]


def test_a_renewal_needs_last_cycles_target_and_says_what_is_missing(app, make_user, policy):
    admin = make_user(roles=("member", "admin"), membership=None)
    member = make_user(membership=None)
    today = local_today()
    last_year = today.year - 1
    membership = grant_membership(member, "professional", by=admin,
                                  started_on=date(last_year - 1, 6, 1),
                                  renews_on=today + timedelta(days=10))  # fmt: skip
    db.session.commit()
    _points(member, "30", date(last_year, 3, 1))
    with pytest.raises(RenewalRefused) as refused:
        record_renewal(membership, renewed_on=today, amount="2500", reference="QWE123RTY", by=admin)
    message = str(refused.value)
    assert f"The CPD target of cycle {last_year} is not met" in message
    assert "30.0 of 40 points counted, 10.0 missing" in message or "10" in message
    assert "Association activities" in message  # the minimum of 2 points is missing too
    db.session.rollback()
    _points(member, "10", date(last_year, 4, 1))
    _points(member, "2", date(last_year, 5, 1), "association")
    membership = db.session.get(Membership, membership.id)
    renewal = record_renewal(membership, renewed_on=today, amount="2500", reference="qwe123rty",
                             by=admin)  # fmt: skip
    db.session.commit()
    assert renewal.reference == "QWE123RTY"
    assert renewal.renews_on.year == (today + timedelta(days=10)).year + 1
    with pytest.raises(RenewalRefused, match="already recorded"):
        record_renewal(membership, renewed_on=today, amount="2500", reference="QWE123RTY", by=admin)
    db.session.rollback()


def test_bad_renewal_input_is_named(app, make_user, policy):
    admin = make_user(roles=("member", "admin"), membership=None)
    member = make_user(category="student")
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == member.id))
    today = local_today()
    cases = [
        (dict(renewed_on=today + timedelta(days=1), amount="1", reference="ABC123"), "between"),
        (dict(renewed_on=today, amount="NaN", reference="ABC123"), "amount"),
        (dict(renewed_on=today, amount="-5", reference="ABC123"), "amount"),
        (dict(renewed_on=today, amount="5", reference="<b>"), "M-Pesa"),
    ]
    for values, words in cases:
        with pytest.raises(RenewalRefused, match=words):
            record_renewal(membership, by=admin, **values)
    life = make_user(category="life")
    held = db.session.scalar(sa.select(Membership).where(Membership.user_id == life.id))
    with pytest.raises(RenewalRefused, match="never lapses"):
        record_renewal(held, renewed_on=today, amount="1", reference="ABC123", by=admin)


def test_the_admin_renewal_page_records_and_the_card_shows_the_history(app, make_user, policy):
    make_user(email="admin@example.org", roles=("member", "admin"), membership=None)
    member = make_user(email="student@example.org", category="student")
    admin = login(app, "admin@example.org")
    page = f"/admin/memberships/members/{member.id}"
    today = local_today().isoformat()
    bad = submit(admin, page + "/renewals", {"renewed_on": today, "amount": "abc",
                                             "reference": "MPESA12345"}, page=page)  # fmt: skip
    assert bad.status_code == 400
    done = submit(admin, page + "/renewals", {"renewed_on": today, "amount": "1500",
                                              "reference": "SGH7K2L9PQ"}, page=page)  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    card = login(app, "student@example.org").get("/membership/").get_data(as_text=True)
    assert "SGH7K2L9PQ" in card and "1,500.00" in card


def test_the_member_pages_read_the_status_once(app, make_user, policy):
    """Dashboard and My CPD read the membership status with one statement per request."""
    member = make_user(email="count@example.org")
    client = login(app, "count@example.org")
    statements = []

    def count(conn, cursor, statement, *args):
        if re.search(r"\bmemberships\b", statement):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for url in ("/dashboard", "/cpd/", "/certification/"):
            statements.clear()
            assert client.get(url).status_code == 200
            assert len(statements) == 1, (url, statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert member.id
