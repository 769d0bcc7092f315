"""The migration that brings e-mail confirmation treats every existing account as confirmed and
gives existing API tokens an expiry and the scopes they could use before."""

import os
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import ROOT
from wired4ex import create_app
from wired4ex.extensions import db

BEFORE = "a83c9189313b"
AFTER = "c3a1e5d2f7b4"


@pytest.fixture
def empty_database(tmp_path):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url or server_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"
        return
    url = sa.engine.make_url(server_url)
    name = f"w4x_migration_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_existing_accounts_are_confirmed_and_tokens_get_expiry_and_scopes(
    config_class, empty_database
):
    class Config(config_class):
        SQLALCHEMY_DATABASE_URI = empty_database

    app = create_app(Config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=BEFORE)
        created = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, email, full_name, password_hash, membership_category,"
                    " country, language, is_active_account, session_version, created_at)"
                    " VALUES (1, 'old@example.org', 'Old Member', 'x', 'professional', 'KE',"
                    " 'en', :yes, 1, :created)"
                ),
                {"yes": True, "created": created},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO personal_access_tokens (id, user_id, name, token_hash, prefix,"
                    " created_at) VALUES (1, 1, 'Old script', :hash, 'w4x_abcdefgh', :created)"
                ),
                {"hash": "0" * 64, "created": created},
            )
        upgrade(directory=str(ROOT / "migrations"), revision=AFTER)
        with db.engine.connect() as connection:
            confirmed = connection.execute(sa.text("SELECT email_confirmed_at FROM users")).scalar()
            token = connection.execute(
                sa.text("SELECT scopes, expires_at, held_at FROM personal_access_tokens")
            ).one()
        db.engine.dispose()
    assert confirmed is not None
    assert token.scopes == "me catalogue admin:read"
    assert token.expires_at is not None and token.held_at is None
