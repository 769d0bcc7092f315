"""API fixtures: the real content synced, a small known population of members with known ledgers,
statements and certificates, and tokens for them.

Alice (professional, target 40), cycle 2025:
  adjustments  structured 30 (1 Mar) + structured 15 (1 Jun) + conference 8 (10 Sep)
               + association 1 (1 Oct); one module completed on 5 May 2025 (structured 1.0);
               and structured 5 on 31 Dec 2024 (another cycle).
  => 2025 claimed 55, counted 49 (structured 46 capped at 40), association minimum 2 unmet.
Bob (student, target 10): structured 8 + association 2 in 2025 => met.
Carol (associate): structured 12, ten days ago (for eligibility windows that count from today).
Faith (honorary, faculty of EAIHM): exempt. Dan (life): deactivated.
Ada: admin (and member).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from wired4ex.auth.tokens import create_token
from wired4ex.catalog.models import Course, Institution, Module
from wired4ex.certification.models import Certificate
from wired4ex.cpd import services as cpd
from wired4ex.cpd.policy import load_policy
from wired4ex.cpd.snapshots import Period
from wired4ex.cpd.statements import issue_statement
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.timeutil import local_today

API = "/api/v1"


@dataclass
class World:
    ada: object
    alice: object
    bob: object
    carol: object
    faith: object
    dan: object
    statement_code: str
    certificate_code: str
    revoked_certificate_code: str
    tokens: dict


def course_by_key(key: str) -> Course:
    institution, slug = key.split("/")
    return db.session.scalar(
        sa.select(Course)
        .join(Course.institution)
        .where(Institution.slug == institution, Course.slug == slug)
    )


def pass_module(user, module: Module, at: datetime) -> None:
    version = module.current_version
    answers = {
        question["id"]: [option["id"] for option in question["options"] if option["correct"]]
        for question in version.quiz
    }
    outcome = learning.submit_attempt(
        user, module, version, answers, learning.new_attempt_nonce(), at=at
    )
    assert outcome.passed and outcome.newly_completed


@pytest.fixture
def world(app, make_user, synced_content) -> World:
    policy = load_policy()
    eaihm = db.session.scalar(sa.select(Institution).where(Institution.slug == "eaihm"))
    ada = make_user(email="ada@hesma.example", full_name="Ada Admin", roles=("member", "admin"))
    alice = make_user(email="alice@example.org", full_name="Alice Achieng", number="HESMA/0001")
    bob = make_user(email="bob@example.org", full_name="Bob Baraka", category="student",
                    country="UG")  # fmt: skip
    carol = make_user(email="carol@example.org", full_name="Carol Chebet", category="associate")
    faith = make_user(email="faith@eaihm.example", full_name="Faith Faculty",
                      category="honorary", roles=("member", "faculty"), institution_id=eaihm.id)  # fmt: skip
    dan = make_user(email="dan@example.org", full_name="Dan Dormant", category="life")
    dan.is_active_account = False
    db.session.commit()

    def adjust(member, points, category, day):
        cpd.adjust(member, ada, Decimal(str(points)), category, day, "Fixture", policy)

    adjust(alice, 5, "structured", date(2024, 12, 31))
    adjust(alice, 30, "structured", date(2025, 3, 1))
    adjust(alice, 15, "structured", date(2025, 6, 1))
    adjust(alice, 8, "conference", date(2025, 9, 10))
    adjust(alice, 1, "association", date(2025, 10, 1))
    adjust(bob, 8, "structured", date(2025, 4, 1))
    adjust(bob, 2, "association", date(2025, 5, 1))
    adjust(carol, 12, "structured", local_today() - timedelta(days=10))

    quality = course_by_key("eaihm/quality-improvement")
    learning.enrol(alice, quality, at=datetime(2025, 5, 1, 8, 0, tzinfo=UTC))
    pass_module(alice, quality.active_modules[0], datetime(2025, 5, 5, 9, 30, tzinfo=UTC))

    period = Period(date(2025, 1, 1), date(2025, 12, 31), "2025")
    statement, _new = issue_statement(
        policy, alice, period, cpd.ledger_entries(alice.id, period.start, period.end), local_today(),
        at=datetime(2026, 1, 10, 7, 0, tzinfo=UTC),
    )  # fmt: skip
    today = local_today()
    certificates = [
        Certificate(code="ABCDEFGHJKMN", user_id=bob.id, programme_code="AHSM",
                    programme_name="Associate in Health Systems Management", level=1,
                    holder_name="Bob Baraka", issued_on=today - timedelta(days=30),
                    expires_on=today + timedelta(days=365)),
        Certificate(code="PQRSTUVWXYZ2", user_id=bob.id, programme_code="AHSM",
                    programme_name="Associate in Health Systems Management", level=1,
                    holder_name="Bob Baraka", issued_on=today - timedelta(days=400),
                    expires_on=today + timedelta(days=300), status="revoked",
                    revoked_at=datetime(2025, 2, 1, 12, 0, tzinfo=UTC), revoked_reason="Error"),
    ]  # fmt: skip
    db.session.add_all(certificates)
    db.session.commit()
    tokens = {
        "ada": create_token(ada, "Admin script")[1],
        "alice": create_token(alice, "HR system")[1],
        "bob": create_token(bob, "Phone")[1],
        "carol": create_token(carol, "Laptop")[1],
    }
    return World(ada, alice, bob, carol, faith, dan, statement.code, "ABCDEFGHJKMN",
                 "PQRSTUVWXYZ2", tokens)  # fmt: skip


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_get(client, world):
    """GET an API path as someone: api_get("/me", as_="alice") (as_=None: anonymous)."""

    def get(path: str, as_: str | None = None, **kwargs):
        headers = bearer(world.tokens[as_]) if as_ else {}
        return client.get(API + path, headers=headers, **kwargs)

    return get
