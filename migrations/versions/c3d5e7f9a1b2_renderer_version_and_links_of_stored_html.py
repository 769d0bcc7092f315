"""renderer version and found links of stored HTML: module_versions.renderer_version, .links;
courses.overview_renderer_version

Revision ID: c3d5e7f9a1b2
Revises: 61a3241c70b1
Create Date: 2026-12-05 19:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3d5e7f9a1b2"
down_revision = "61a3241c70b1"
branch_labels = None
depends_on = None


def upgrade():
    # NULL: rendered before the renderer recorded its version; `flask content rerender` fills it.
    with op.batch_alter_table("module_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renderer_version", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("links", sa.JSON(), nullable=True))
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("overview_renderer_version", sa.String(length=20), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("overview_renderer_version")
    with op.batch_alter_table("module_versions", schema=None) as batch_op:
        batch_op.drop_column("links")
        batch_op.drop_column("renderer_version")
