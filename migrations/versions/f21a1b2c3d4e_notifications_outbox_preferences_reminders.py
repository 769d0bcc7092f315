"""notifications, the mail outbox, notification preferences, reminders sent; users' unread count

Revision ID: f21a1b2c3d4e
Revises: f17b5e6a7c8d
Create Date: 2026-12-05 22:20:00.000000

"""

from alembic import op
import sqlalchemy as sa

import wired4ex.dbtypes


# revision identifiers, used by Alembic.
revision = "f21a1b2c3d4e"
down_revision = "f17b5e6a7c8d"
branch_labels = None
depends_on = None

UTC = wired4ex.dbtypes.UTCDateTime(timezone=True)
STATUSES = "'queued', 'sending', 'sent', 'retrying', 'failed', 'bounced', 'skipped'"


def upgrade():
    # A plain ADD COLUMN (no table rebuild): users keeps every trigger and row as it is.
    op.add_column(
        "users",
        sa.Column("unread_notifications", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("read_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )  # fmt: skip
    op.create_index("ix_notifications_user_created", "notifications", ["user_id", "created_at"])
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_mail_messages_status")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_mail_messages_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_mail_messages_idempotency_key")),
    )  # fmt: skip
    op.create_index("ix_mail_messages_due", "mail_messages", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_mail_messages_user_id"), "mail_messages", ["user_id"])
    op.create_index(op.f("ix_mail_messages_created_at"), "mail_messages", ["created_at"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_notification_preferences_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preferences")),
    )  # fmt: skip
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.String(length=40), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_reminders_sent_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("user_id", "kind", "threshold", "cycle",
                            name=op.f("uq_reminders_sent_user_id_kind_threshold_cycle")),
    )  # fmt: skip
    op.create_index(op.f("ix_reminders_sent_user_id"), "reminders_sent", ["user_id"])


def downgrade():
    op.drop_table("reminders_sent")
    op.drop_table("notification_preferences")
    op.drop_index("ix_mail_messages_due", table_name="mail_messages")
    op.drop_table("mail_messages")
    op.drop_index("ix_notifications_user_created", table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("unread_notifications")
