"""course language editions: courses.edition_of_id, completions via 'edition'

Revision ID: a83c9189313b
Revises: 480cd4caf51b
Create Date: 2026-11-23 01:44:32.582074

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a83c9189313b"
down_revision = "480cd4caf51b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_of_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_courses_edition_of_id"), ["edition_of_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_courses_edition_of_id_courses"),
            "courses",
            ["edition_of_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("module_completions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_module_completions_via"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_module_completions_via"), "via IN ('quiz', 'marked_done', 'edition')"
        )


def downgrade():
    op.execute("DELETE FROM module_completions WHERE via = 'edition'")
    with op.batch_alter_table("module_completions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_module_completions_via"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_module_completions_via"), "via IN ('quiz', 'marked_done')"
        )

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_courses_edition_of_id_courses"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_courses_edition_of_id"), type_="unique")
        batch_op.drop_column("edition_of_id")
