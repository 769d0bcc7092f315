"""Fixtures for authoring: a faculty member of a synced institution, an admin, logged-in clients."""

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def institution(synced_content):
    return db.session.scalar(
        sa.select(Institution).where(Institution.slug == "lake-region-university")
    )


@pytest.fixture
def faculty(app, make_user, institution):
    make_user(email="lecturer@lru.example", full_name="Dr Achieng Otieno", roles=("member", "faculty"),
              institution_id=institution.id)  # fmt: skip
    return login(app, "lecturer@lru.example")


@pytest.fixture
def admin(app, make_user, synced_content):
    make_user(email="reviewer@hesma.example", roles=("member", "admin"))
    return login(app, "reviewer@hesma.example")


MODULE = {
    "title": "Costing a community outreach",
    "key": "costing-outreach",
    "minutes": "40",
    "cpd_points": "1.5",
    "cpd_category": "structured",
    "competencies": ["FM1"],
    "pass_mark": "70",
    "objectives": "cost an outreach day\nlink costs to the work plan",
    "body": "## Why cost it\n\nEvery outreach needs fuel, allowances and supplies.\n\n"
    "```quiz\n? Which is a direct cost of an outreach day?\n- [x] Fuel for the vehicle\n- [ ] The county's audit fee\n"
    "> Fuel is spent because of the outreach.\n```\n",
}
