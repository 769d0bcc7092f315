"""Signed statement snapshots: each issued statement keeps its snapshot signed with the
association's key (a compact JWS), append-only like the rest of the statement

`signed_snapshot` is written at issue and never changes, except that erasing a person's data
(`flask members erase`) removes it together with the name (the signed copy names the person).

Revision ID: d7a3f0c2e915
Revises: c4d1e7a90b21
Create Date: 2026-12-05 18:55:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7a3f0c2e915"
down_revision = "c4d1e7a90b21"
branch_labels = None
depends_on = None

ERASED_NAME = "Erased member"  # wired4ex.records.ERASED_NAME
STATEMENT_FIXED = ("id", "code", "user_id", "period_start", "period_end", "snapshot_hash",
                   "issued_at")  # fmt: skip
REVOCATION = ("status", "revoked_at", "revoked_reason")


def _changed(columns, distinct: str, cast: str = "") -> str:
    return " OR ".join(f"NEW.{c}{cast} {distinct} OLD.{c}{cast}" for c in columns)


def _sqlite_trigger(with_signature: bool) -> str:
    erased = (
        "json_remove(NEW.snapshot, '$.member') = json_remove(OLD.snapshot, '$.member') AND "
        f"json_extract(NEW.snapshot, '$.member.name') = '{ERASED_NAME}'"
    )
    signature = (
        f" OR (NEW.signed_snapshot IS NOT OLD.signed_snapshot AND NOT (NEW.signed_snapshot IS NULL "
        f"AND json_extract(NEW.snapshot, '$.member.name') = '{ERASED_NAME}'))"
        if with_signature
        else ""
    )
    return (
        "CREATE TRIGGER cpd_statements_issued_fields BEFORE UPDATE ON cpd_statements WHEN "
        f"{_changed(STATEMENT_FIXED, 'IS NOT')} "
        f"OR (OLD.status = 'revoked' AND ({_changed(REVOCATION, 'IS NOT')})) "
        f"OR (NEW.snapshot IS NOT OLD.snapshot AND NOT ({erased})){signature} "
        "BEGIN SELECT RAISE(ABORT, 'cpd_statements: an issued statement cannot change "
        "(only revocation, once, and erasure of personal data)'); END"
    )


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION w4x_cpd_statements_issued_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cpd_statements: an issued document is never deleted (revoke it instead)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF {condition} THEN
        RAISE EXCEPTION 'cpd_statements: an issued document cannot change (only revocation, once, and erasure of personal data)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$
"""


def _pg_function(with_signature: bool) -> str:
    distinct = "IS DISTINCT FROM"
    erased_name = f"COALESCE(NEW.snapshot::jsonb #>> '{{member,name}}', '') = '{ERASED_NAME}'"
    condition = (
        f"{_changed(STATEMENT_FIXED, distinct)} "
        f"OR (OLD.status = 'revoked' AND ({_changed(REVOCATION, distinct)})) "
        f"OR (NEW.snapshot::jsonb {distinct} OLD.snapshot::jsonb AND NOT ("
        f"(NEW.snapshot::jsonb - 'member') = (OLD.snapshot::jsonb - 'member') AND {erased_name}))"
    )
    if with_signature:
        condition += (
            f" OR (NEW.signed_snapshot {distinct} OLD.signed_snapshot AND NOT "
            f"(NEW.signed_snapshot IS NULL AND {erased_name}))"
        )
    return PG_FUNCTION.replace("{condition}", condition)


def upgrade():
    # Adding a nullable column is a plain ALTER TABLE on SQLite too: the table (and its
    # triggers) stay in place.
    op.add_column("cpd_statements", sa.Column("signed_snapshot", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function(with_signature=True))
    else:
        op.execute("DROP TRIGGER cpd_statements_issued_fields")
        op.execute(_sqlite_trigger(with_signature=True))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function(with_signature=False))
        op.drop_column("cpd_statements", "signed_snapshot")
    else:
        op.execute("DROP TRIGGER cpd_statements_issued_fields")
        with op.batch_alter_table("cpd_statements") as batch_op:
            batch_op.drop_column("signed_snapshot")  # rebuilds the table: its triggers go too
        op.execute(_sqlite_trigger(with_signature=False))
        op.execute(
            "CREATE TRIGGER cpd_statements_append_only_delete BEFORE DELETE ON cpd_statements "
            "BEGIN SELECT RAISE(ABORT, 'cpd_statements: an issued document is never deleted "
            "(revoke it instead)'); END"
        )
