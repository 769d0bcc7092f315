"""content version: one row changed with every change to the catalogue, so member pages reuse the
course structure per version (wired4ex/contentversion.py)

Revision ID: f23a1b2c3d4e
Revises: c3d5e7f9a1b2
Create Date: 2026-12-05 21:45:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f23a1b2c3d4e"
down_revision = "c3d5e7f9a1b2"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_versions")),
    )
    op.bulk_insert(table, [{"id": 1, "number": 1, "stamp": secrets.token_hex(16)}])


def downgrade():
    op.drop_table("content_versions")
