"""Signed CPD statements: the snapshot of each statement is signed at issue with the
association's key (compact JWS, EdDSA, see wired4ex/signing.py), the signed copy travels inside
the PDF as an embedded file, and `flask verify FILE.pdf` or the verify page check it.

The JWS is self-contained: an employer without a network reads the figures from it and checks
them against the published key (/.well-known/jwks.json, where it is also listed under its RFC 9278
thumbprint URI, the `kid` of every signed statement).
"""

import io
from dataclasses import dataclass

from flask import current_app
from pypdf import PdfReader, PdfWriter

from wired4ex import signing

PAYLOAD_TYPE = "HeSMA CPD statement"
JWS_SUFFIX = ".jws"


def payload_of(statement) -> dict:
    """What is signed: the statement's code, period, issue time and every figure it shows."""
    return {
        "type": PAYLOAD_TYPE,
        "code": statement.code,
        "issued_at": statement.issued_at.isoformat(),
        "period_start": statement.period_start.isoformat(),
        "period_end": statement.period_end.isoformat(),
        "snapshot": statement.snapshot,
    }


def sign(statement) -> str | None:
    """The statement's signed snapshot, or None (logged) when no signing key is installed.
    Call before the statement is first written: the database keeps it unchanged after."""
    try:
        # Named by its thumbprint URI: checkable offline whatever address the site has then.
        return signing.sign_compact(payload_of(statement), signing.thumbprint_uri())
    except signing.SigningKeyMissing:
        current_app.logger.error("No signing key: statement %s issued unsigned", statement.code)
        return None


@dataclass(frozen=True)
class Check:
    """What checking a signed statement found: state is signed, unsigned, erased or invalid."""

    state: str
    payload: dict | None = None


def _public_jwk() -> dict:
    return signing.public_key("").jwk


def check_token(token: str, jwk: dict | None = None) -> Check:
    """Verify a signed statement (compact JWS) against the association's public key."""
    try:
        _header, payload = signing.verify_compact(token, jwk or _public_jwk())
    except signing.SignatureInvalid:
        return Check("invalid")
    if payload.get("type") != PAYLOAD_TYPE:
        return Check("invalid")
    return Check("signed", payload)


def check(statement) -> Check:
    """Whether the figures a statement shows are the ones signed at issue."""
    from wired4ex.records import ERASED_NAME

    if statement.signed_snapshot is None:
        erased = (statement.snapshot.get("member") or {}).get("name") == ERASED_NAME
        return Check("erased" if erased else "unsigned")
    try:
        found = check_token(statement.signed_snapshot)
    except signing.SigningKeyMissing:
        return Check("unsigned")
    if found.state != "signed" or found.payload != payload_of(statement):
        return Check("invalid", found.payload)
    return found


def embed(pdf: bytes, statement) -> bytes:
    """The PDF with the signed snapshot attached as an embedded file (when there is one)."""
    if not statement.signed_snapshot:
        return pdf
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.add_attachment(f"cpd-statement-{statement.code}{JWS_SUFFIX}",
                          statement.signed_snapshot.encode("ascii"))  # fmt: skip
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded_tokens(pdf: bytes) -> list[str]:
    """The signed statements embedded in a PDF (empty when none, or not a readable PDF)."""
    found = []
    try:
        for name, contents in PdfReader(io.BytesIO(pdf)).attachments.items():
            if name.endswith(JWS_SUFFIX):
                found += [data.decode("ascii", "replace").strip() for data in contents]
    except Exception:  # a damaged or hostile upload is a file that carries nothing we signed
        current_app.logger.info("Could not read the attachments of an uploaded PDF", exc_info=True)
        return []
    return found
