"""Verifiable documents (CPD statements, certificates, certificates of attendance): the issuer
they name, their verification codes (made, written, read back), the hash of a document's
snapshot, issuing one with a fresh code, and revoking one.
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.cpd.errors import CpdError
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

ASSOCIATION = "HeSMA East Africa (Health Systems Management Association)"
# No 0/O, 1/I/L: a code read from paper is typed back without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """XXXX-XXXX-XXXX."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str | None:
    """A typed code in canonical form (upper case, no dashes or spaces), or None if malformed."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in "- \t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def snapshot_hash(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


Coded = TypeVar("Coded")  # a model with a unique verification `code`


def add_with_new_code(make: Callable[[str], Coded]) -> Coded:
    """Add the record `make(code)` builds with a fresh verification code, flushed; on a code
    collision (astronomically rare; the unique constraint catches it) roll back and try another.
    Statements and certificates of attendance are issued through it."""
    for _attempt in range(5):
        record = make(new_code())
        db.session.add(record)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            db.session.rollback()
            continue
        return record
    raise RuntimeError(_l("could not allocate a statement code"))


def revoke_document(
    document, kind: str, admin: User, reason: str, at: datetime | None = None
) -> None:
    """Revoke a verifiable document (a statement or a certificate) with a reason; commits.

    Verifying it afterwards says it was revoked, and when. kind names it in messages and the
    audit log ("statement", "certificate").
    """
    reason = (reason or "").strip()
    certificate = kind == "certificate"
    if not reason:
        raise CpdError(
            _l("Give the reason for revoking the certificate.")
            if certificate
            else _l("Give the reason for revoking the statement.")
        )
    if document.status == "revoked":
        raise CpdError(
            _l("This certificate is already revoked.")
            if certificate
            else _l("This statement is already revoked.")
        )
    document.status = "revoked"
    document.revoked_at = at or utcnow()
    document.revoked_reason = reason
    audit.record(
        f"{kind}.revoked", kind, document.id, actor_id=admin.id,
        member_id=document.user_id, before={"status": "valid"},
        after={"status": "revoked", "reason": reason},
    )  # fmt: skip
    if certificate:  # the holder is told in the revocation's own transaction
        from wired4ex.notifications.outbox import notify, path_for

        notify(db.session.get(User, document.user_id), "certificate_revoked", str(document.id),
               {"certificate_id": document.id, "title": document.programme_name},
               path_for("certification.index"))  # fmt: skip
    db.session.commit()
