"""Claim version counter: a decision names the version the reviewer saw

Revision ID: c1a1f0e5d2b7
Revises: c3a1e5d2f7b4
Create Date: 2026-12-05 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a1f0e5d2b7'
down_revision = 'c3a1e5d2f7b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cpd_claims', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('cpd_claims', schema=None) as batch_op:
        batch_op.drop_column('version')
