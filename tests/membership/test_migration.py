"""Migration f17a1b2c3d4e on a database that already has accounts: accounts an admin created
become approved memberships, the others applications in the queue; a number declared by more
than one account is kept on their applications and reported, never changed."""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import ROOT
from wired4ex import create_app
from wired4ex.extensions import db

BEFORE = "c3d5e7f9a1b2"


@pytest.fixture
def old_database(config_class, tmp_path):
    """A database of its own, migrated up to the revision before memberships."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url and not server_url.startswith("sqlite"):
        url = sa.engine.make_url(server_url)
        name = f"w4x_migration_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        database_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        admin, name = None, None
        database_url = f"sqlite:///{tmp_path / 'old.sqlite'}"

    class Config(config_class):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


ACCOUNTS = [
    # id, category, declared number, role, created by an admin (faculty.created)
    (1, "honorary", "HSM-MEM-0001", "member", False),  # the stranger of issue 17
    (2, "professional", "HSM-MEM-0001", "member", False),  # the holder of that number
    (3, "life", None, "admin", False),  # made by `flask users create`
    (4, "student", "X-9", "faculty", True),  # faculty created on the admin pages
    (5, "associate", "hsm-mem-0001", "faculty", True),  # admin-made, but the number is shared
    (6, "professional", None, "member", False),
]


def test_existing_accounts_become_applications_or_memberships(old_database, capsys):
    with db.engine.begin() as connection:
        for user_id, category, number, role, made in ACCOUNTS:
            connection.execute(sa.text(
                "INSERT INTO users (id, email, full_name, password_hash, membership_category, "
                "membership_number, country, language, is_active_account, session_version, "
                "created_at) VALUES (:id, :email, 'Person', 'x', :category, :number, 'KE', 'en', "
                ":yes, 1, :at)"), {"id": user_id, "email": f"p{user_id}@example.org",
                                   "category": category, "number": number, "yes": True,
                                   "at": "2025-03-04 10:00:00"})  # fmt: skip
            connection.execute(sa.text(
                "INSERT INTO user_roles (user_id, name, granted_at) VALUES (:id, :role, :at)"
            ), {"id": user_id, "role": role, "at": "2025-03-04 10:00:00"})  # fmt: skip
            if made:
                connection.execute(sa.text(
                    "INSERT INTO audit_events (actor_id, action, subject_type, subject_id, "
                    "member_id, at) VALUES (3, 'faculty.created', 'user', :subject, :id, :at)"
                ), {"subject": str(user_id), "id": user_id, "at": "2025-03-04 10:00:00"})  # fmt: skip
    upgrade(directory=str(ROOT / "migrations"))
    with db.engine.connect() as connection:
        memberships = {
            row.user_id: row
            for row in connection.execute(sa.text(
                "SELECT user_id, category, number, renews_on FROM memberships"))
        }  # fmt: skip
        applications = {
            row.user_id: row
            for row in connection.execute(sa.text(
                "SELECT user_id, category, status, claimed_number FROM membership_applications"))
        }  # fmt: skip
        conflicts = connection.execute(sa.text(
            "SELECT subject_id FROM audit_events WHERE action = 'membership.number_conflict'"
        )).scalars().all()  # fmt: skip
        counter = connection.execute(
            sa.text("SELECT last FROM membership_number_counters WHERE year = 2025")
        ).scalar()
    assert set(memberships) == {3, 4}
    assert memberships[3].category == "life" and memberships[3].number == "HSM-2025-00001"
    assert memberships[3].renews_on is None
    assert memberships[4].number == "X-9" and memberships[4].renews_on is not None
    assert counter == 1
    assert set(applications) == {1, 2, 5, 6}
    assert all(row.status == "submitted" for row in applications.values())
    assert applications[1].category == "honorary"  # the claim waits for an admin
    assert [applications[i].claimed_number for i in (1, 2, 5)] == [
        "HSM-MEM-0001", "HSM-MEM-0001", "hsm-mem-0001",
    ]  # fmt: skip
    assert conflicts == ["HSM-MEM-0001"]
    assert "HSM-MEM-0001 is declared by 3 accounts (ids 1, 2, 5)" in capsys.readouterr().out
