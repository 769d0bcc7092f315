"""claims: "more information asked" (status info_requested, a wider status column) and the
exchange of questions and replies, round by round (cpd_claim_info_requests)

Revision ID: f26a1b2c3d4e
Revises: f21a1b2c3d4e
Create Date: 2026-12-06 00:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

from wired4ex.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "f26a1b2c3d4e"
down_revision = "f21a1b2c3d4e"
branch_labels = None
depends_on = None

UTC = UTCDateTime(timezone=True)
OLD = "status IN ('draft', 'submitted', 'approved', 'rejected', 'withdrawn')"
NEW = "status IN ('draft', 'submitted', 'info_requested', 'approved', 'rejected', 'withdrawn')"


def _status(check: str, length: int, old_length: int) -> None:
    """The CHECK named "status" (ck_cpd_claims_status): on PostgreSQL dropped and created again
    in place; on SQLite the batch rebuilds the table with the new one."""
    with op.batch_alter_table("cpd_claims", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cpd_claims_status"), type_="check")
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=old_length),
            type_=sa.String(length=length),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_cpd_claims_status"), sa.text(check))


def upgrade():
    _status(NEW, 20, 12)
    op.create_table(
        "cpd_claim_info_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTC, nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", UTC, nullable=True),
        sa.Column("reply_evidence_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["cpd_claims.id"],
                                name=op.f("fk_cpd_claim_info_requests_claim_id_cpd_claims")),
        sa.ForeignKeyConstraint(["asked_by_id"], ["users.id"],
                                name=op.f("fk_cpd_claim_info_requests_asked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpd_claim_info_requests")),
        sa.UniqueConstraint("claim_id", "round",
                            name=op.f("uq_cpd_claim_info_requests_claim_id_round")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_cpd_claim_info_requests_claim_id"), "cpd_claim_info_requests", ["claim_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_cpd_claim_info_requests_claim_id"), table_name="cpd_claim_info_requests")
    op.drop_table("cpd_claim_info_requests")
    # A claim still waiting on its member goes back to the secretariat's queue.
    op.execute("UPDATE cpd_claims SET status = 'submitted' WHERE status = 'info_requested'")
    _status(OLD, 12, 20)
