"""CPD totals per member and cycle for the admin reports' compliance figures (cpd_totals;
cpd_sums_state.totals), backfilled from the CPD sums with the synced CPD policy
(wired4ex/admin/cpd_totals.py)

Revision ID: f27e5a0c7d1b
Revises: f25a1b2c3d4e
Create Date: 2026-12-06 04:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f27e5a0c7d1b"
down_revision = "f25a1b2c3d4e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cpd_sums_state") as batch_op:
        batch_op.add_column(sa.Column("totals", sa.JSON(), nullable=True))
    op.create_table(
        "cpd_totals",
        sa.Column("cycle_start", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claimed", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("counted", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("minimum_0", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("minimum_1", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("minimum_2", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cpd_totals_user_id_users")
        ),
        sa.PrimaryKeyConstraint("cycle_start", "user_id", name=op.f("pk_cpd_totals")),
    )
    # Backfill from the sums when they were built with the synced policy (else the next rebuild
    # of the sums, e.g. the first `flask content sync`, builds both).
    from wired4ex.admin import cpd_totals
    from wired4ex.admin.cpd_sums import parameters
    from wired4ex.cpd.policy import CpdPolicy

    documents = sa.table(
        "policy_documents", sa.column("name", sa.String), sa.column("data", sa.JSON)
    )
    state = sa.table(
        "cpd_sums_state",
        sa.column("id", sa.Integer),
        sa.column("start_month", sa.Integer),
        sa.column("maximums", sa.JSON),
    )
    connection = op.get_bind()
    data = connection.execute(sa.select(documents.c.data).where(documents.c.name == "cpd")).scalar()
    built = connection.execute(sa.select(state.c.start_month, state.c.maximums)).first()
    if data is not None and built is not None:
        policy = CpdPolicy.from_data(data)
        if tuple(built) == parameters(policy):
            cpd_totals.rebuild(connection, cpd_totals.parameters(policy))


def downgrade():
    op.drop_table("cpd_totals")
    with op.batch_alter_table("cpd_sums_state") as batch_op:
        batch_op.drop_column("totals")
