"""corporate seats and membership imports: corporate_seats, membership_imports

Revision ID: f17b5e6a7c8d
Revises: f17a1b2c3d4e
Create Date: 2026-12-05 22:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from wired4ex.dbtypes import UTCDateTime


# revision identifiers, used by Alembic.
revision = "f17b5e6a7c8d"
down_revision = "f17a1b2c3d4e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "corporate_seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["membership_id"], ["memberships.id"],
                                name=op.f("fk_corporate_seats_membership_id_memberships"),
                                ondelete="CASCADE"),  # fmt: skip
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_corporate_seats_user_id_users"), ondelete="CASCADE"),  # fmt: skip
        sa.ForeignKeyConstraint(["invited_by_id"], ["users.id"],
                                name=op.f("fk_corporate_seats_invited_by_id_users"),
                                ondelete="SET NULL"),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corporate_seats")),
    )
    op.create_index(op.f("ix_corporate_seats_membership_id"), "corporate_seats", ["membership_id"])
    op.create_index(op.f("ix_corporate_seats_email"), "corporate_seats", ["email"])
    op.create_index("uq_corporate_seats_open_email", "corporate_seats", ["membership_id", "email"],
                    unique=True, sqlite_where=sa.text("ended_at IS NULL"),
                    postgresql_where=sa.text("ended_at IS NULL"))  # fmt: skip
    op.create_index("uq_corporate_seats_open_user", "corporate_seats", ["user_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL AND user_id IS NOT NULL"),
                    postgresql_where=sa.text("ended_at IS NULL AND user_id IS NOT NULL"))  # fmt: skip
    op.create_table(
        "membership_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('register', 'renewals')",
                           name=op.f("ck_membership_imports_kind")),  # fmt: skip
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_membership_imports_uploaded_by_id_users"),
                                ondelete="SET NULL"),  # fmt: skip
        sa.ForeignKeyConstraint(["applied_by_id"], ["users.id"],
                                name=op.f("fk_membership_imports_applied_by_id_users"),
                                ondelete="SET NULL"),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_imports")),
    )


def downgrade():
    op.drop_table("membership_imports")
    op.drop_index("uq_corporate_seats_open_user", table_name="corporate_seats")
    op.drop_index("uq_corporate_seats_open_email", table_name="corporate_seats")
    op.drop_index(op.f("ix_corporate_seats_email"), table_name="corporate_seats")
    op.drop_index(op.f("ix_corporate_seats_membership_id"), table_name="corporate_seats")
    op.drop_table("corporate_seats")
