"""e-mail confirmation, single-use account tokens (confirm, reset), API token scopes and holds

Existing accounts count as confirmed (since they were created); existing API tokens keep every
scope they could use before and, when they had no expiry, get the default 90 days from now.

Revision ID: c3a1e5d2f7b4
Revises: a83c9189313b
Create Date: 2026-12-05 18:50:00

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import wired4ex.dbtypes

revision = "c3a1e5d2f7b4"
down_revision = "a83c9189313b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_confirmed_at", wired4ex.dbtypes.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.execute("UPDATE users SET email_confirmed_at = created_at")

    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            wired4ex.dbtypes.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("expires_at", wired4ex.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", wired4ex.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('confirm', 'reset')", name=op.f("ck_account_tokens_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_tokens_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("personal_access_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes",
                sa.String(length=100),
                nullable=False,
                server_default="me catalogue admin:read",
            )
        )
        batch_op.add_column(
            sa.Column("held_at", wired4ex.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
    tokens = sa.table(
        "personal_access_tokens",
        sa.column("expires_at", wired4ex.dbtypes.UTCDateTime(timezone=True)),
    )
    op.execute(
        tokens.update()
        .where(tokens.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=90))
    )


def downgrade():
    with op.batch_alter_table("personal_access_tokens", schema=None) as batch_op:
        batch_op.drop_column("held_at")
        batch_op.drop_column("scopes")
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_tokens_user_id"))
    op.drop_table("account_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
