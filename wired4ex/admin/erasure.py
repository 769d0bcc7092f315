"""Erasing a person's personal data on request: the only code path that changes issued records.

The ledger, the audit log and issued documents are append-only in the database (triggers, see
migration c4d1e7a90b21). Erasure is the one exception they allow: a certificate's holder name and
the "member" block of a statement's snapshot may be replaced by ERASED_NAME; every figure, date and
code stays, so the association's records still add up and a verifier still sees what was issued.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from wired4ex import audit
from wired4ex.auth.models import PersonalAccessToken, User
from wired4ex.certification.models import Certificate
from wired4ex.cpd import evidence
from wired4ex.cpd.models import Statement
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.membership.models import Membership, MembershipApplication
from wired4ex.records import ERASED_NAME

ERASED_FIELDS = ["full_name", "email", "membership_number", "password"]


class ErasureError(Exception):
    """Why an erasure was refused."""


@dataclass(frozen=True)
class ErasureReport:
    member_id: int
    statements: int
    certificates: int
    tokens: int


def erased_email(user_id: int) -> str:
    """The placeholder address of an erased account: unique, and never deliverable (.invalid)."""
    return f"erased-{user_id}@erased.invalid"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user.id)


def erase_member(
    member: User, admin: User, reason: str, at: datetime | None = None
) -> ErasureReport:
    """Replace a person's name, e-mail and membership number wherever they are stored, end their
    access, and record who did it and why; the ledger's figures stay. Commits."""
    reason = (reason or "").strip()
    if not reason:
        raise ErasureError("give the reason for the erasure")  # untranslated: CLI
    if not admin.is_admin or not admin.is_active:
        raise ErasureError(f"{admin.email} is not an active admin")  # untranslated: CLI
    if is_erased(member):
        raise ErasureError(f"account {member.id} is already erased")  # untranslated: CLI
    if admin.id == member.id:
        raise ErasureError("an admin cannot erase their own account")  # untranslated: CLI
    at = at or utcnow()
    statements = db.session.scalars(sa.select(Statement).where(Statement.user_id == member.id))
    statement_count = 0
    for statement in statements:
        block = dict(statement.snapshot.get("member") or {})
        block.update(name=ERASED_NAME, email="", membership_number="")
        statement.snapshot = {
            key: (block if key == "member" else value) for key, value in statement.snapshot.items()
        }
        statement.signed_snapshot = None  # the signed copy names the person too
        statement_count += 1
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == member.id)
    )
    certificate_count = 0
    for certificate in certificates:
        certificate.holder_name = ERASED_NAME
        certificate_count += 1
    token_count = 0
    for token in db.session.scalars(
        sa.select(PersonalAccessToken).where(
            PersonalAccessToken.user_id == member.id, PersonalAccessToken.revoked_at.is_(None)
        )
    ):
        token.revoked_at = at
        token_count += 1
    # The membership (its number), its renewals and the applications with their answers and
    # proof files name the person: removed.
    proofs = [
        application.proof_path
        for application in db.session.scalars(
            sa.select(MembershipApplication).where(MembershipApplication.user_id == member.id)
        )
        if application.proof_path
    ]
    db.session.execute(sa.delete(Membership).where(Membership.user_id == member.id))
    db.session.execute(
        sa.delete(MembershipApplication).where(MembershipApplication.user_id == member.id)
    )
    member.full_name = ERASED_NAME
    member.email = erased_email(member.id)
    member.membership_number = None
    member.password_hash = "!erased"  # matches no password: the account cannot sign in again
    member.is_active_account = False
    member.session_version += 1
    audit.record(
        "member.erased", "user", member.id, actor_id=admin.id, member_id=member.id,
        after={"fields": ERASED_FIELDS, "statements": statement_count,
               "certificates": certificate_count, "tokens_revoked": token_count,
               "reason": reason},
        at=at,
    )  # fmt: skip
    db.session.commit()
    for stored in proofs:
        evidence.discard(stored)
    return ErasureReport(member.id, statement_count, certificate_count, token_count)
