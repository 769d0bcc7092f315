"""CPD sums per member, cycle and category for the admin reports (cpd_sums, cpd_sums_state),
backfilled from the ledger with the synced CPD policy (wired4ex/admin/cpd_sums.py)

Revision ID: f25a1b2c3d4e
Revises: f26a1b2c3d4e
Create Date: 2026-12-06 00:50:00.000000

"""

from alembic import op
import sqlalchemy as sa

import wired4ex.dbtypes


# revision identifiers, used by Alembic.
revision = "f25a1b2c3d4e"
down_revision = "f26a1b2c3d4e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cpd_sums",
        sa.Column("cycle_start", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("claimed", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("allowed", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_cpd_sums_user_id_users")),
        sa.PrimaryKeyConstraint("cycle_start", "user_id", "category", name=op.f("pk_cpd_sums")),
    )
    op.create_table(
        "cpd_sums_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("maximums", sa.JSON(), nullable=False),
        sa.Column("built_at", wired4ex.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpd_sums_state")),
    )
    # Backfill with the synced policy; without one there is nothing to sum by yet (the first
    # `flask content sync` builds the sums).
    from wired4ex.admin.cpd_sums import parameters, rebuild
    from wired4ex.cpd.policy import CpdPolicy

    documents = sa.table("policy_documents", sa.column("name", sa.String), sa.column("data", sa.JSON))
    connection = op.get_bind()
    data = connection.execute(
        sa.select(documents.c.data).where(documents.c.name == "cpd")
    ).scalar()
    if data is not None:
        rebuild(connection, *parameters(CpdPolicy.from_data(data)))


def downgrade():
    op.drop_table("cpd_sums_state")
    op.drop_table("cpd_sums")
