"""Fixtures for the records tests: a member with ledger entries, a statement and a certificate."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from tests.cpd.conftest import policy  # noqa: F401  (the real CPD policy, synced)
from wired4ex.auth.models import User
from wired4ex.certification.models import Certificate
from wired4ex.cpd import services, statements
from wired4ex.cpd.models import Statement
from wired4ex.cpd.snapshots import Period
from wired4ex.cpd.verifiable import new_code
from wired4ex.extensions import db

TODAY = date(2026, 11, 20)


@dataclass
class Records:
    member: User
    admin: User
    statement: Statement
    certificate: Certificate


@pytest.fixture
def records(make_user, policy):  # noqa: F811
    """A member with two adjustments, an issued statement and a certificate; an admin."""
    admin = make_user(
        email="secretariat@example.org", full_name="Secretariat", roles=("member", "admin")
    )
    member = make_user(
        email="wanjiru@example.org", full_name="Wanjirũ Ng'ang'a", number="HESMA-0042"
    )
    db.session.commit()
    for points, day in ((Decimal("4.5"), date(2026, 3, 2)), (Decimal("6"), date(2026, 5, 9))):
        services.adjust(member, admin, points, "structured", day, "Workshop attended", policy)
    cycle = policy.cycle_for(TODAY)
    period = Period(cycle.start, cycle.end, cycle.label)
    entries = services.ledger_entries(member.id, cycle.start, cycle.end)
    statement, _new = statements.issue_statement(policy, member, period, entries, TODAY)
    certificate = Certificate(
        code=new_code(),
        user_id=member.id,
        programme_code="AHSM",
        programme_name="Associate in Health Systems Management",
        level=1,
        holder_name=member.full_name,
        competencies=["LG", "HF"],
        criteria="Awarded for the rules of the programme.",
        issued_on=date(2026, 1, 10),
        expires_on=date(2029, 1, 10),
    )
    db.session.add(certificate)
    db.session.commit()
    return Records(member, admin, statement, certificate)
