"""Append-only records enforced by the database: triggers on ledger entries, the audit log,
issued statements and certificates

The ledger and the audit log refuse every UPDATE and DELETE (and TRUNCATE on PostgreSQL):
corrections are new rows. An issued statement keeps its code, member, period, snapshot and issue
date; a certificate keeps what was issued (code, holder, programme, competencies, dates). What may
still change:

- revocation, once: status from 'valid' to 'revoked' with revoked_at and revoked_reason; a
  revoked document's revocation fields never change again;
- erasure of personal data on request (`flask members erase`, the only code path that does it):
  a certificate's holder_name may become the marker 'Erased member', and a statement's snapshot
  may change only in its "member" block, whose name becomes that marker; every figure stays.

Tests empty their database between tests with the triggers set aside: on PostgreSQL with
`SET LOCAL session_replication_role = replica`, which only a superuser may set (the application's
role is not one), on SQLite by dropping and re-creating the triggers around the clean-up
(tests/append_only.py); the application itself never runs DDL.

Revision ID: c4d1e7a90b21
Revises: bccc2acfacfe
Create Date: 2026-12-05 18:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d1e7a90b21"
down_revision = "bccc2acfacfe"
branch_labels = None
depends_on = None

ERASED_NAME = "Erased member"  # wired4ex.admin.erasure.ERASED_NAME
APPEND_ONLY_TABLES = ("ledger_entries", "audit_events")

STATEMENT_FIXED = ("id", "code", "user_id", "period_start", "period_end", "snapshot_hash",
                   "issued_at")  # fmt: skip
CERTIFICATE_FIXED = ("id", "code", "user_id", "application_id", "programme_code", "programme_name",
                     "level", "criteria", "issued_on", "expires_on", "created_at")  # fmt: skip
REVOCATION = ("status", "revoked_at", "revoked_reason")


def _changed(columns, distinct: str, cast: str = "") -> str:
    return " OR ".join(f"NEW.{c}{cast} {distinct} OLD.{c}{cast}" for c in columns)


# -- SQLite ---------------------------------------------------------------------------------------


def _sqlite_upgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: "
                f"{verb} refused, add a correcting row instead'); END"
            )
    revoked_frozen = f"(OLD.status = 'revoked' AND ({_changed(REVOCATION, 'IS NOT')}))"
    op.execute(
        "CREATE TRIGGER cpd_statements_issued_fields BEFORE UPDATE ON cpd_statements WHEN "
        f"{_changed(STATEMENT_FIXED, 'IS NOT')} OR {revoked_frozen} OR ("
        "NEW.snapshot IS NOT OLD.snapshot AND NOT ("
        "json_remove(NEW.snapshot, '$.member') = json_remove(OLD.snapshot, '$.member') AND "
        f"json_extract(NEW.snapshot, '$.member.name') = '{ERASED_NAME}')) "
        "BEGIN SELECT RAISE(ABORT, 'cpd_statements: an issued statement cannot change "
        "(only revocation, once, and erasure of personal data)'); END"
    )
    op.execute(
        "CREATE TRIGGER certificates_issued_fields BEFORE UPDATE ON certificates WHEN "
        f"{_changed(CERTIFICATE_FIXED, 'IS NOT')} OR {revoked_frozen} "
        "OR json(NEW.competencies) IS NOT json(OLD.competencies) "
        f"OR (NEW.holder_name IS NOT OLD.holder_name AND NEW.holder_name <> '{ERASED_NAME}') "
        "BEGIN SELECT RAISE(ABORT, 'certificates: an issued certificate cannot change "
        "(only revocation, once, and erasure of personal data)'); END"
    )
    for table in ("cpd_statements", "certificates"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table}: an issued document is never deleted "
            "(revoke it instead)'); END"
        )


def _sqlite_downgrade() -> None:
    names = [f"{t}_append_only_{v}" for t in APPEND_ONLY_TABLES for v in ("update", "delete")]
    names += ["cpd_statements_issued_fields", "certificates_issued_fields",
              "cpd_statements_append_only_delete", "certificates_append_only_delete"]  # fmt: skip
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


# -- PostgreSQL -----------------------------------------------------------------------------------

# restrict_violation (23001): drivers report it as an integrity error, as SQLite's RAISE(ABORT).
PG_REFUSE = """
CREATE FUNCTION w4x_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused, add a correcting row instead',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$
"""

PG_DOCUMENT = """
CREATE FUNCTION w4x_{table}_issued_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{table}: an issued document is never deleted (revoke it instead)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF {condition} THEN
        RAISE EXCEPTION '{table}: an issued document cannot change (only revocation, once, and erasure of personal data)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$
"""


def _pg_upgrade() -> None:
    op.execute(PG_REFUSE)
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION w4x_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION w4x_refuse_change()"
        )
    distinct = "IS DISTINCT FROM"
    revoked_frozen = f"(OLD.status = 'revoked' AND ({_changed(REVOCATION, distinct)}))"
    statement = (
        f"{_changed(STATEMENT_FIXED, distinct)} OR {revoked_frozen} OR ("
        f"NEW.snapshot::jsonb {distinct} OLD.snapshot::jsonb AND NOT ("
        "(NEW.snapshot::jsonb - 'member') = (OLD.snapshot::jsonb - 'member') AND "
        f"COALESCE(NEW.snapshot::jsonb #>> '{{member,name}}', '') = '{ERASED_NAME}'))"
    )
    certificate = (
        f"{_changed(CERTIFICATE_FIXED, distinct)} OR {revoked_frozen} "
        f"OR NEW.competencies::jsonb {distinct} OLD.competencies::jsonb "
        f"OR (NEW.holder_name {distinct} OLD.holder_name AND NEW.holder_name <> '{ERASED_NAME}')"
    )
    for table, condition in (("cpd_statements", statement), ("certificates", certificate)):
        op.execute(PG_DOCUMENT.replace("{table}", table).replace("{condition}", condition))
        op.execute(
            f"CREATE TRIGGER {table}_issued_fields BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION w4x_{table}_issued_fields()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION w4x_refuse_change()"
        )


def _pg_downgrade() -> None:
    for table in (*APPEND_ONLY_TABLES, "cpd_statements", "certificates"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    for table in ("cpd_statements", "certificates"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_issued_fields ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS w4x_{table}_issued_fields()")
    op.execute("DROP FUNCTION IF EXISTS w4x_refuse_change()")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
