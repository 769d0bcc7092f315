"""`flask members erase`: the only way to erase a person's personal data; the figures stay."""

from decimal import Decimal

import sqlalchemy as sa

from tests.conftest import PASSWORD
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User
from wired4ex.certification.models import Certificate
from wired4ex.cpd.models import Statement
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.records import ERASED_NAME


def erase(runner, email="wanjiru@example.org", by="secretariat@example.org", reason="Request 7"):
    return runner.invoke(args=["members", "erase", email, "--by", by, "--reason", reason, "--yes"])


def test_erasure_replaces_name_and_email_everywhere_and_keeps_the_figures(records, runner, auth):
    member_id = records.member.id
    ledger_before = db.session.execute(
        sa.select(LedgerEntry.points, LedgerEntry.activity_date).where(
            LedgerEntry.user_id == member_id
        )
    ).all()
    snapshot_before = dict(records.statement.snapshot)
    assert records.statement.signed_snapshot  # signed at issue

    result = erase(runner)
    assert result.exit_code == 0, result.output
    assert "1 statement(s) and 1 certificate(s)" in result.output
    db.session.expire_all()

    member = db.session.get(User, member_id)
    assert member.full_name == ERASED_NAME
    assert member.email == f"erased-{member_id}@erased.invalid"
    assert member.membership_number is None and not member.is_active_account
    statement = db.session.get(Statement, records.statement.id)
    assert statement.snapshot["member"] == {
        "name": ERASED_NAME, "membership_number": "", "category": "professional", "email": "",
        "membership": {"state": "verified", "lapsed_since": None},
    }  # fmt: skip
    assert db.session.scalar(sa.select(Membership).where(Membership.user_id == member_id)) is None
    without_member = {k: v for k, v in snapshot_before.items() if k != "member"}
    assert {k: v for k, v in statement.snapshot.items() if k != "member"} == without_member
    assert statement.code == records.statement.code and statement.status == "valid"
    assert records.statement.signed_snapshot is None  # the signed copy named the person
    assert db.session.get(Certificate, records.certificate.id).holder_name == ERASED_NAME
    ledger_after = db.session.execute(
        sa.select(LedgerEntry.points, LedgerEntry.activity_date).where(
            LedgerEntry.user_id == member_id
        )
    ).all()
    assert ledger_after == ledger_before and sum(p for p, _d in ledger_after) == Decimal("10.5")

    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "member.erased")
    ).one()
    assert event.actor_id == records.admin.id and event.member_id == member_id
    assert event.after["reason"] == "Request 7" and event.after["statements"] == 1
    assert "wanjiru" not in str(event.after).lower()

    # Nothing of the person is left on the page anyone can open, and they cannot sign in.
    page = auth.client.get(f"/verify/{records.certificate.code}").get_data(as_text=True)
    assert "Wanjir" not in page and "Name erased at the person&#39;s request" in page
    page = auth.client.get(f"/verify/{records.statement.code}").get_data(as_text=True)
    assert "Wanjir" not in page and "Name erased at the person&#39;s request" in page
    assert "10.5" in page
    sw = {"Accept-Language": "sw"}
    page = auth.client.get(f"/verify/{records.certificate.code}", headers=sw).get_data(as_text=True)
    assert "Jina limefutwa kwa ombi la mhusika" in page
    login = auth.login("wanjiru@example.org", PASSWORD)
    assert "/dashboard" not in login.headers.get("Location", "")


def test_erasure_is_refused_without_an_admin_or_twice(records, runner, make_user):
    make_user(email="someone@example.org")
    refused = erase(runner, by="someone@example.org")
    assert refused.exit_code != 0 and "not an active admin" in refused.output
    unknown = erase(runner, email="nobody@example.org")
    assert unknown.exit_code != 0 and "no account" in unknown.output
    assert erase(runner).exit_code == 0
    db.session.expire_all()
    again = erase(runner, email=f"erased-{records.member.id}@erased.invalid")
    assert again.exit_code != 0 and "already erased" in again.output
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("member.erased") == 1
