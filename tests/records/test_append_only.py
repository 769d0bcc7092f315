"""The database itself refuses to change the ledger, the audit log and issued documents
(triggers on SQLite and on PostgreSQL); corrections are new rows, revocation happens once."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from wired4ex import audit
from wired4ex.audit import AuditEvent
from wired4ex.certification.models import Certificate
from wired4ex.cpd import services, statements
from wired4ex.cpd.models import Statement
from wired4ex.cpd.verifiable import revoke_document
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry


def refused(sql: str, **params) -> str:
    """Run a statement that must be refused; the database's message (the session rolled back)."""
    with pytest.raises(sa.exc.IntegrityError) as raised:
        db.session.execute(sa.text(sql), params)
        db.session.flush()
    db.session.rollback()
    return str(raised.value.orig)


def points_in_ledger(user_id: int) -> list[Decimal]:
    return list(
        db.session.scalars(
            sa.select(LedgerEntry.points)
            .where(LedgerEntry.user_id == user_id)
            .order_by(LedgerEntry.id)
        )
    )


def test_update_and_delete_of_ledger_entries_are_refused(records):
    before = points_in_ledger(records.member.id)
    assert before == [Decimal("4.5"), Decimal("6.0")]
    assert "append-only" in refused("UPDATE ledger_entries SET points = 99")
    assert "append-only" in refused("UPDATE ledger_entries SET title = 'x' WHERE id = :id",
                                    id=db.session.scalar(sa.select(sa.func.min(LedgerEntry.id))))  # fmt: skip
    assert "append-only" in refused("DELETE FROM ledger_entries")
    assert points_in_ledger(records.member.id) == before


def test_the_orm_cannot_edit_a_ledger_entry_either(records):
    entry = db.session.scalars(sa.select(LedgerEntry)).first()
    entry.points = Decimal("99")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert points_in_ledger(records.member.id) == [Decimal("4.5"), Decimal("6.0")]


def test_a_correction_is_a_new_entry(records, policy):
    services.adjust(records.member, records.admin, Decimal("-1.5"), "structured",
                    date(2026, 6, 1), "Double-counted workshop", policy)  # fmt: skip
    assert points_in_ledger(records.member.id) == [Decimal("4.5"), Decimal("6.0"), Decimal("-1.5")]


def test_update_and_delete_of_audit_events_are_refused(records):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert count == 3  # the policy's sync and the two adjustments
    assert "append-only" in refused("UPDATE audit_events SET action = 'nothing.happened'")
    assert "append-only" in refused("UPDATE audit_events SET actor_id = NULL")
    assert "append-only" in refused("DELETE FROM audit_events")
    audit.record("test.appended", "user", records.member.id, actor_id=records.admin.id)
    db.session.commit()
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["content.synced", "ledger.adjustment", "ledger.adjustment", "test.appended"]


def test_truncate_is_refused_on_postgresql(records):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    for table in ("ledger_entries", "audit_events", "cpd_statements", "certificates"):
        assert "append-only" in refused(f"TRUNCATE {table} CASCADE")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cpd_statements SET snapshot_hash = 'f00d'",
        "UPDATE cpd_statements SET code = 'ABCDEFGHJKMN'",
        "UPDATE cpd_statements SET period_end = period_start",
        "UPDATE cpd_statements SET issued_at = revoked_at",
        "UPDATE cpd_statements SET user_id = (SELECT MIN(id) FROM users)",
        "UPDATE cpd_statements SET signed_snapshot = NULL",
        "UPDATE cpd_statements SET signed_snapshot = 'eyJhbGciOiJub25lIn0.e30.'",
        "DELETE FROM cpd_statements",
    ],
)
def test_an_issued_statement_keeps_what_was_issued(records, sql):
    message = refused(sql)
    assert "cpd_statements" in message and "issued" in message


def test_a_statements_figures_cannot_be_rewritten(records):
    statement = db.session.get(Statement, records.statement.id)
    assert statement.snapshot["counted"] == "10.5"
    statement.snapshot = {**statement.snapshot, "counted": "99.0"}
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Nor may the "member" block be rewritten to anyone but the erasure marker.
    statement = db.session.get(Statement, records.statement.id)
    member = {**statement.snapshot["member"], "name": "Someone Else"}
    statement.snapshot = {**statement.snapshot, "member": member}
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    stored = db.session.get(Statement, records.statement.id).snapshot
    assert stored["counted"] == "10.5" and stored["member"]["name"] == "Wanjirũ Ng'ang'a"


def test_revocation_happens_once_and_stays(records):
    statements.revoke_statement(records.statement, records.admin, "Issued in error")
    revoke_document(records.certificate, "certificate", records.admin, "Fraud")
    for table in ("cpd_statements", "certificates"):
        assert "issued" in refused(f"UPDATE {table} SET status = 'valid'")
        assert "issued" in refused(f"UPDATE {table} SET revoked_reason = 'Nothing happened'")
        assert "issued" in refused(f"UPDATE {table} SET revoked_at = NULL")
    assert db.session.get(Statement, records.statement.id).status == "revoked"
    assert db.session.get(Certificate, records.certificate.id).revoked_reason == "Fraud"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE certificates SET expires_on = issued_on",
        "UPDATE certificates SET holder_name = 'Someone Else'",
        "UPDATE certificates SET programme_code = 'FHSM'",
        "UPDATE certificates SET level = 3",
        "UPDATE certificates SET competencies = '[\"LG\"]'",
        "DELETE FROM certificates",
    ],
)
def test_an_issued_certificate_keeps_what_was_issued(records, sql):
    message = refused(sql)
    assert "certificates" in message and "issued" in message
    certificate = db.session.get(Certificate, records.certificate.id)
    assert certificate.holder_name == "Wanjirũ Ng'ang'a" and certificate.expires_on == date(
        2029, 1, 10
    )
