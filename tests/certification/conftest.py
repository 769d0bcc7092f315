"""Fixtures for certification tests: the real content synced (programmes AHSM, DHSM, FHSM and the
real courses), and builders that write ledger entries, course completions and certificates
directly, so each test states exactly the record it evaluates."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from tests.documents import pdf_text, qr_of, require  # noqa: F401  (the tests import them from here)
from wired4ex.catalog.services import get_courses_by_key
from wired4ex.certification.eligibility import Programme, load_programmes, months_after
from wired4ex.certification.models import Application, Certificate
from wired4ex.cpd.policy import CpdPolicy, load_policy
from wired4ex.cpd.verifiable import format_code, new_code
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, LedgerEntry
from wired4ex.timeutil import local_today

LEADERSHIP = "lake-region-university/county-health-leadership"
FINANCING = "lake-region-university/health-financing"
QUALITY = "eaihm/quality-improvement"
TAKWIMU = "eaihm/takwimu-kwa-maamuzi"
LEADERSHIP_TITLE = "Leadership and Governance in County Health Systems"
AHSM_NAME = "Associate in Health Systems Management"
STATEMENT = (
    "I lead the sub-county health management team in Kisumu East and completed the leadership "
    "course to run our quarterly reviews with the hospital board."
)
# A small but well-formed one-page PDF, for the optional CV.
CV_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def login(app, email: str):
    """A client of its own, logged in through the login page."""
    client = app.test_client()
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def fresh() -> None:
    """End the test's own transaction, so the next read sees what the requests wrote."""
    db.session.rollback()


def applications() -> list[Application]:
    fresh()
    return list(db.session.scalars(sa.select(Application).order_by(Application.id)))


def certificates() -> list[Certificate]:
    fresh()
    return list(db.session.scalars(sa.select(Certificate).order_by(Certificate.id)))


@pytest.fixture
def programmes(synced_content) -> dict[str, Programme]:
    """The programmes of content/policy/certifications.yml, by code."""
    return {programme.code: programme for programme in load_programmes()}


@pytest.fixture
def policy(synced_content) -> CpdPolicy:
    return load_policy()


@pytest.fixture
def today(app) -> date:
    """Today as the pages see it (the association's time zone)."""
    return local_today()


@pytest.fixture
def add_points(app):
    """Write a ledger entry: add_points(user, 10, day, category="conference", competencies=[...])."""

    def build(user, points, day, category="structured", competencies=(), source="claim"):
        entry = LedgerEntry(
            user_id=user.id,
            source=source,
            activity_date=day,
            title=f"{category} activity of {day.isoformat()}",
            provider="HeSMA East Africa",
            category=category,
            points=Decimal(str(points)),
            competencies=list(competencies),
            reason="Correction" if source == "adjustment" else None,
        )
        db.session.add(entry)
        db.session.commit()
        return entry

    return build


@pytest.fixture
def complete_course(synced_content):
    """Record that a member completed a real course: complete_course(user, "<institution>/<course>")."""

    def build(user, key):
        course = get_courses_by_key([key])[key]
        db.session.add(CourseCompletion(user_id=user.id, course_id=course.id))
        db.session.commit()

    return build


@pytest.fixture
def give_certificate(programmes):
    """Write a certificate row: give_certificate(user, "AHSM", issued_on, expires_on=...)."""

    def build(user, code="AHSM", issued_on=date(2025, 1, 10), expires_on=None, status="valid"):
        programme = programmes[code]
        if expires_on is None:
            expires_on = months_after(issued_on, programme.validity_months)
        certificate = Certificate(
            code=new_code(),
            user_id=user.id,
            programme_code=code,
            programme_name=programme.name,
            level=programme.level,
            holder_name=user.full_name,
            competencies=sorted({rule.domain for rule in programme.domain_rules}),
            criteria="Awarded for the rules of the programme.",
            issued_on=issued_on,
            expires_on=expires_on,
            status=status,
        )
        db.session.add(certificate)
        db.session.commit()
        return certificate

    return build


@pytest.fixture
def make_ahsm_eligible(add_points, complete_course):
    """Give a member everything AHSM asks for, dated `day`: the leadership course, 20 counted
    points (10 structured towards LG1, 10 from a conference)."""

    def build(user, day):
        complete_course(user, LEADERSHIP)
        add_points(user, 10, day, "structured", ["LG1"])
        add_points(user, 10, day, "conference")
        return user

    return build


def verify_path(certificate: Certificate) -> str:
    return f"/verify/{format_code(certificate.code)}"
