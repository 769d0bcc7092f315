"""claims: "more information asked" (status info_requested, a wider status column) and the
exchange of questions and replies, round by round (cpd_claim_info_requests)

Revision ID: f26a1b2c3d4e
Revises: f21a1b2c3d4e
Create Date: 2026-12-06 00:40:00.000000

"""

import re

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
    """The CHECK named "status" (ck_cpd_claims_status) and the column's length.

    PostgreSQL: dropped and created again in place. SQLite: the table is not rebuilt (a rebuild
    drops cpd_claims, which ledger entries and the questions refer to: with rows and foreign
    keys on, that fails); the rows stay valid under the new rule, so the stored CREATE TABLE is
    rewritten as SQLite documents for such changes (writable_schema, schema_version + 1).
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_cpd_claims_status"), "cpd_claims", type_="check")
        op.alter_column("cpd_claims", "status", existing_type=sa.String(length=old_length),
                        type_=sa.String(length=length), existing_nullable=False)  # fmt: skip
        op.create_check_constraint(op.f("ck_cpd_claims_status"), "cpd_claims", sa.text(check))
        return
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cpd_claims'"
    ).scalar_one()
    rewritten, checks = re.subn(
        r"(CONSTRAINT ck_cpd_claims_status CHECK \().*?(\)\s*(,|\n|\)$))",
        lambda m: m.group(1) + check + m.group(2), table_sql, count=1, flags=re.S,
    )  # fmt: skip
    rewritten, columns = re.subn(rf"\bstatus VARCHAR\({old_length}\)",
                                 f"status VARCHAR({length})", rewritten, count=1)  # fmt: skip
    if checks != 1 or columns != 1:
        raise RuntimeError(f"cpd_claims is not as expected: {table_sql}")
    schema_version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'cpd_claims'",
        (rewritten,),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(schema_version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


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
