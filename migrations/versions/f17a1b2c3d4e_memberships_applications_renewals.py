"""memberships granted by the secretariat: memberships, membership_applications,
membership_renewals, membership_number_counters; existing accounts brought in

Existing accounts become applications in the queue (category and number as the person declared
them), except accounts an admin created, which become approved memberships: faculty created on
the admin pages (audit action `faculty.created`) and admins (only `flask users create` makes
them). Their number is kept when it is theirs alone, and given by the system (HSM-YYYY-NNNNN)
when they had none. A number declared by more than one account is never changed: those accounts
stay applications with the number as claimed, the conflict is printed and written to the audit
log (`membership.number_conflict`) for an admin to resolve.

Revision ID: f17a1b2c3d4e
Revises: f24a1b2c3d4e
Create Date: 2026-12-05 21:45:00.000000

"""

import logging
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

import wired4ex.dbtypes

# revision identifiers, used by Alembic.
revision = "f17a1b2c3d4e"
down_revision = "f24a1b2c3d4e"
branch_labels = None
depends_on = None

CATEGORIES = "category IN ('student', 'professional', 'associate', 'life', 'corporate', 'honorary')"
STATUSES = "status IN ('submitted', 'info_requested', 'approved', 'rejected', 'withdrawn')"
OPEN = "status IN ('submitted', 'info_requested')"
NEVER_LAPSE = {"life", "honorary"}
log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    op.create_table(
        "membership_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("claimed_number", sa.String(length=40), nullable=True),
        sa.Column("proof_path", sa.String(length=80), nullable=True),
        sa.Column("proof_name", sa.String(length=200), nullable=True),
        sa.Column("proof_type", sa.String(length=100), nullable=True),
        sa.Column("proof_size", sa.Integer(), nullable=True),
        sa.Column("info_request", sa.Text(), nullable=True),
        sa.Column("info_answer", sa.Text(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", wired4ex.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", wired4ex.dbtypes.UTCDateTime(timezone=True),
                  server_default=sa.func.now(), nullable=False),  # fmt: skip
        sa.Column("updated_at", wired4ex.dbtypes.UTCDateTime(timezone=True),
                  server_default=sa.func.now(), nullable=False),  # fmt: skip
        sa.CheckConstraint(CATEGORIES, name=op.f("ck_membership_applications_category")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_membership_applications_status")),
        sa.CheckConstraint("seats IS NULL OR seats > 0", name=op.f("ck_membership_applications_seats")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_membership_applications_decided_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_membership_applications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_applications")),
    )  # fmt: skip
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_applications_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_membership_applications_status"), ["status"])
        batch_op.create_index(
            "uq_membership_applications_open",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("renews_on", sa.Date(), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("created_at", wired4ex.dbtypes.UTCDateTime(timezone=True),
                  server_default=sa.func.now(), nullable=False),  # fmt: skip
        sa.CheckConstraint(CATEGORIES, name=op.f("ck_memberships_category")),
        sa.CheckConstraint("seats IS NULL OR seats > 0", name=op.f("ck_memberships_seats")),
        sa.ForeignKeyConstraint(["application_id"], ["membership_applications.id"],
                                ondelete="SET NULL",
                                name=op.f("fk_memberships_application_id_membership_applications")),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_memberships_granted_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_memberships_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("number", name=op.f("uq_memberships_number")),
        sa.UniqueConstraint("user_id", name=op.f("uq_memberships_user_id")),
    )  # fmt: skip

    op.create_table(
        "membership_renewals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("renewed_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("renews_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wired4ex.dbtypes.UTCDateTime(timezone=True),
                  server_default=sa.func.now(), nullable=False),  # fmt: skip
        sa.CheckConstraint("amount >= 0", name=op.f("ck_membership_renewals_amount")),
        sa.ForeignKeyConstraint(["membership_id"], ["memberships.id"], ondelete="CASCADE",
                                name=op.f("fk_membership_renewals_membership_id_memberships")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_membership_renewals_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_renewals")),
        sa.UniqueConstraint("reference", name=op.f("uq_membership_renewals_reference")),
    )  # fmt: skip
    with op.batch_alter_table("membership_renewals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_renewals_membership_id"), ["membership_id"])

    op.create_table(
        "membership_number_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_membership_number_counters")),
    )
    bring_in_existing_accounts()


def _one_year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def bring_in_existing_accounts() -> None:
    connection = op.get_bind()
    when = wired4ex.dbtypes.UTCDateTime(timezone=True)
    users_table = sa.table("users", sa.column("id", sa.Integer), sa.column("created_at", when),
                           sa.column("membership_category", sa.String),
                           sa.column("membership_number", sa.String))  # fmt: skip
    users = connection.execute(sa.select(users_table).order_by(users_table.c.id)).all()
    if not users:
        return
    admin_made = {
        row[0]
        for row in connection.execute(sa.text(
            "SELECT member_id FROM audit_events WHERE action = 'faculty.created' "
            "AND member_id IS NOT NULL "
            "UNION SELECT user_id FROM user_roles WHERE name = 'admin'"
        ))
    }  # fmt: skip
    holders: dict[str, list[int]] = {}
    for user in users:
        number = (user.membership_number or "").strip()
        if number:
            holders.setdefault(number.upper(), []).append(user.id)
    conflicts = {number: ids for number, ids in holders.items() if len(ids) > 1}
    now = datetime.now(UTC)
    today = now.date()
    counters: dict[int, int] = {}
    applications = sa.table(
        "membership_applications", *(sa.column(c) for c in (
            "user_id", "category", "status", "claimed_number")),
        sa.column("answers", sa.JSON), sa.column("submitted_at", when),
        sa.column("updated_at", when),
    )  # fmt: skip
    memberships = sa.table(
        "memberships", *(sa.column(c) for c in ("user_id", "category", "number", "reason")),
        sa.column("started_on", sa.Date), sa.column("renews_on", sa.Date),
        sa.column("created_at", when),
    )  # fmt: skip
    audit = sa.table("audit_events", *(sa.column(c) for c in (
        "actor_id", "action", "subject_type", "subject_id", "member_id")),
        sa.column("after", sa.JSON), sa.column("at", when))  # fmt: skip
    for user in users:
        number = (user.membership_number or "").strip() or None
        conflicting = number is not None and number.upper() in conflicts
        created = user.created_at if isinstance(user.created_at, datetime) else now
        if user.id in admin_made and not conflicting:
            started_on = created.date() if isinstance(created, datetime) else today
            if number is None:
                counters[started_on.year] = counters.get(started_on.year, 0) + 1
                number = f"HSM-{started_on.year:04d}-{counters[started_on.year]:05d}"
                while number.upper() in holders:  # a declared number in the system's format
                    counters[started_on.year] += 1
                    number = f"HSM-{started_on.year:04d}-{counters[started_on.year]:05d}"
            renews_on = None if user.membership_category in NEVER_LAPSE else _one_year_later(today)
            connection.execute(memberships.insert().values(
                user_id=user.id, category=user.membership_category, number=number,
                started_on=started_on, renews_on=renews_on, created_at=now,
                reason="Account created by an admin before memberships were granted "
                       "(migration f17a1b2c3d4e)."))  # fmt: skip
        else:
            connection.execute(applications.insert().values(
                user_id=user.id, category=user.membership_category, status="submitted",
                answers={}, claimed_number=number, submitted_at=created, updated_at=now))  # fmt: skip
    for year, last in counters.items():
        connection.execute(sa.text(
            "INSERT INTO membership_number_counters (year, last) VALUES (:year, :last)"
        ), {"year": year, "last": last})  # fmt: skip
    for number, ids in sorted(conflicts.items()):
        message = (f"membership number {number} is declared by {len(ids)} accounts "
                   f"(ids {', '.join(map(str, ids))}): kept as claimed on their applications "
                   "for an admin to resolve")  # fmt: skip
        log.warning(message)
        print(f"WARNING: {message}")
        connection.execute(audit.insert().values(
            actor_id=None, action="membership.number_conflict", subject_type="membership_number",
            subject_id=number[:60], member_id=None, after={"number": number, "user_ids": ids},
            at=now))  # fmt: skip


def downgrade():
    op.drop_table("membership_number_counters")
    with op.batch_alter_table("membership_renewals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_renewals_membership_id"))
    op.drop_table("membership_renewals")
    op.drop_table("memberships")
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.drop_index("uq_membership_applications_open")
        batch_op.drop_index(batch_op.f("ix_membership_applications_status"))
        batch_op.drop_index(batch_op.f("ix_membership_applications_user_id"))
    op.drop_table("membership_applications")
