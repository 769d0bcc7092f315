"""offline learning: quiz_attempts.submission_id and .received_at (answers sent from a phone
that answered offline), and course_packs (each course as one printable PDF, made at publish time)

Revision ID: f24a1b2c3d4e
Revises: f23a1b2c3d4e
Create Date: 2026-12-05 21:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

from wired4ex.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "f24a1b2c3d4e"
down_revision = "f23a1b2c3d4e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("received_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_quiz_attempts_submission_id"), ["submission_id"]
        )
    op.create_table(
        "course_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_bytes", sa.Integer(), nullable=False),
        sa.Column("offline_bytes", sa.Integer(), nullable=False),
        sa.Column("generated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_packs_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_packs")),
        sa.UniqueConstraint("course_id", name=op.f("uq_course_packs_course_id")),
    )


def downgrade():
    op.drop_table("course_packs")
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_quiz_attempts_submission_id", type_="unique")
        batch_op.drop_column("received_at")
        batch_op.drop_column("submission_id")
