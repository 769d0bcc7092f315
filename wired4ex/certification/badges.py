"""Open Badges 3.0: each certificate as an OpenBadgeCredential signed as a VC-JWT (EdDSA), the
issuer profile, achievements, and the revocation list as a W3C Bitstring Status List credential.

Credentials are built from the certificate row as issued (the database keeps it unchanged) and
signed when served: Ed25519 signatures are deterministic, so the same certificate and key give the
same credential each time. A certificate's place in the status list is its id.
"""

import gzip
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from wired4ex import signing
from wired4ex.cpd.verifiable import ASSOCIATION

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
# W3C Bitstring Status List v1.0: at least 16 KB (131,072 entries) for herd privacy.
STATUS_LIST_BITS = 131_072
ISSUER_DESCRIPTION = (
    "The professional association of health systems managers in East Africa; it runs Wired4EX "
    "and awards the certifications in health systems management."
)


@dataclass(frozen=True)
class BadgeUrls:
    """The public addresses a credential refers to (built by the views)."""

    issuer: str  # the issuer profile (HTML, or JSON with Accept: application/json)
    home: str  # the association's site
    jwks: str  # /.well-known/jwks.json
    status_list: str  # the revocation list credential
    framework: str  # the competency framework page
    programmes: str  # a programme's page is this followed by its code

    def achievement(self, programme_code: str) -> str:
        return f"{self.programmes}{programme_code}"


def _moment(day: date, end_of_day: bool = False) -> datetime:
    return datetime.combine(day, time(23, 59, 59) if end_of_day else time(), UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile(urls: BadgeUrls) -> dict:
    """The issuer as an Open Badges Profile (what issuer.id answers in JSON)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": urls.issuer,
        "type": ["Profile"],
        "name": ASSOCIATION,
        "url": urls.home,
        "description": ISSUER_DESCRIPTION,
    }


def achievement(programme_code: str, name: str, level: int, criteria: str, urls: BadgeUrls,
                alignments: list[dict] | None = None) -> dict:  # fmt: skip
    """A certification programme as an Open Badges Achievement."""
    found = {
        "id": urls.achievement(programme_code),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": name,
        "description": f"Level {level} certification of {ASSOCIATION}.",
        "criteria": {"id": urls.achievement(programme_code), "narrative": criteria or name},
        "humanCode": programme_code,
        "creator": {"id": urls.issuer, "type": ["Profile"], "name": ASSOCIATION},
    }
    if alignments:
        found["alignment"] = alignments
    return found


def credential(certificate, credential_url: str, verify_url: str, urls: BadgeUrls,
               domain_names: dict[str, str]) -> dict:  # fmt: skip
    """The certificate as an OpenBadgeCredential (the JWT payload, before its claims)."""
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": domain_names.get(code, code),
            "targetCode": code,
            "targetFramework": "HeSMA East Africa competency framework",
            "targetUrl": f"{urls.framework}#{code}",
        }
        for code in certificate.competencies or []
    ]
    document = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.programme_name,
        "issuer": {"id": urls.issuer, "type": ["Profile"], "name": ASSOCIATION, "url": urls.home},
        "validFrom": _iso(_moment(certificate.issued_on)),
        "credentialSubject": {
            # An opaque, stable identifier: the credential names its holder, not their account.
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, credential_url)}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": achievement(
                certificate.programme_code,
                certificate.programme_name,
                certificate.level,
                certificate.criteria,
                urls,
                alignments,
            ),  # fmt: skip
        },
        "credentialStatus": {
            "id": f"{urls.status_list}#{certificate.id}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.id),
            "statusListCredential": urls.status_list,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "evidence": [{"type": ["Evidence"], "id": verify_url, "name": "Public verification page"}],
    }
    if certificate.expires_on:
        document["validUntil"] = _iso(_moment(certificate.expires_on, end_of_day=True))
    return document


def _claims(document: dict, subject: str) -> dict:
    """The VC-JWT claims Open Badges 3.0 asks for, from the credential's own fields."""
    claims = {
        **document,
        "iss": document["issuer"]["id"]
        if isinstance(document["issuer"], dict)
        else document["issuer"],
        "jti": document["id"],
        "sub": subject,
        "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp()),
    }
    if "validUntil" in document:
        claims["exp"] = int(datetime.fromisoformat(document["validUntil"]).timestamp())
    return claims


def signed_credential(document: dict, jwks_url: str) -> str:
    """The credential as a compact JWS (VC-JWT, EdDSA) signed with the association's key."""
    kid = signing.public_key(jwks_url).kid
    return signing.sign_compact(_claims(document, document["credentialSubject"]["id"]), kid)


def status_bits(revoked_indexes, size: int = STATUS_LIST_BITS) -> bytes:
    """The bitstring: bit i (counted from the first byte's most significant bit) set when the
    credential at index i is revoked. Grows by 16 KB steps when the indexes outgrow it."""
    indexes = sorted(set(revoked_indexes))
    while indexes and indexes[-1] >= size:
        size += STATUS_LIST_BITS
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encode_list(bits: bytes) -> str:
    """Multibase base64url (prefix "u", no padding) of the GZIP-compressed bitstring."""
    return "u" + signing.b64url(gzip.compress(bits, mtime=0))


def status_list_credential(urls: BadgeUrls, revoked_indexes, at: datetime) -> dict:
    """The revocation list as a BitstringStatusListCredential."""
    return {
        "@context": [VC_CONTEXT],
        "id": urls.status_list,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": urls.issuer,
        "validFrom": _iso(at),
        "credentialSubject": {
            "id": f"{urls.status_list}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(status_bits(revoked_indexes)),
        },
    }


def signed_status_list(urls: BadgeUrls, revoked_indexes, at: datetime) -> str:
    document = status_list_credential(urls, revoked_indexes, at)
    kid = signing.public_key(urls.jwks).kid
    claims = {**document, "iss": urls.issuer, "jti": urls.status_list, "sub": f"{urls.status_list}#list",
              "nbf": int(at.timestamp()), "iat": int(at.timestamp())}  # fmt: skip
    return signing.sign_compact(claims, kid)
