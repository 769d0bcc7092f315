"""Builders for the register, renewal and corporate-seat tests."""

import pytest

from tests.conftest import PASSWORD, submit
from wired4ex.extensions import db
from wired4ex.membership import services


def login(app, email):
    client = app.test_client()
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def admin(make_user):
    return make_user(email="secretariat@hesma.example", full_name="Secretariat Admin",
                     roles=("member", "admin"), membership=None)  # fmt: skip


@pytest.fixture
def grant(admin):
    """grant(user, category="professional", number=None, **kwargs) -> Membership"""

    def build(user, category="professional", **kwargs):
        membership = services.grant_membership(user, category, by=admin, **kwargs)
        db.session.commit()
        return membership

    return build
