"""Open Badges 3.0 that verify: each certificate's credential is a VC-JWT (EdDSA) checked here
with an independent library (joserfc, not the app's signing code) against the published key, it
validates against 1EdTech's JSON Schema, and its Bitstring Status List entry flips on revocation."""

import base64
import gzip
import json
import os
import stat
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, OKPKey

from tests.conftest import DATA
from wired4ex.certification import services
from wired4ex.certification.models import Certificate
from wired4ex.cpd.verifiable import format_code, new_code
from wired4ex.extensions import db

SCHEMA = json.loads((DATA / "openbadges" / "ob_v3p0_achievementcredential_schema.json").read_text())
LOCAL = "http://localhost"


def path_of(url: str) -> str:
    assert url.startswith(LOCAL + "/"), url
    return url.removeprefix(LOCAL)


def decode(token: str, keys) -> jwt.Token:
    """Verify and decode with joserfc; RFC 9864 renames EdDSA, which is still what OB 3.0 uses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.decode(token, keys, algorithms=["EdDSA"])


def published_keys(client) -> KeySet:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert all("d" not in key for key in document["keys"])  # never the private part
    return KeySet.import_key_set(document)


@pytest.fixture
def certificate(synced_content, make_user):
    member = make_user(email="achieng@example.org", full_name="Achieng' Otieno Wanjirũ")
    found = Certificate(
        code=new_code(), user_id=member.id, programme_code="AHSM",
        programme_name="Associate in Health Systems Management", level=1,
        holder_name=member.full_name, competencies=["LG"],
        criteria="Awarded for completing County Health Leadership.",
        issued_on=date(2026, 3, 2), expires_on=date(2029, 3, 2),
    )  # fmt: skip
    db.session.add(found)
    db.session.commit()
    return found


def credential_token(client, certificate) -> str:
    response = client.get(f"/certification/badges/{certificate.code}.jwt")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vc+jwt"
    return response.get_data(as_text=True)


def test_the_credential_verifies_with_an_independent_library(client, certificate):
    token = decode(credential_token(client, certificate), published_keys(client))
    assert token.header["alg"] == "EdDSA" and token.header["typ"] == "JWT"
    assert token.header["kid"].startswith(f"{LOCAL}/.well-known/jwks.json#")
    vc = token.claims
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(vc["type"])
    assert vc["iss"] == vc["issuer"]["id"] and vc["jti"] == vc["id"]
    assert vc["sub"] == vc["credentialSubject"]["id"]
    assert vc["nbf"] == int(datetime(2026, 3, 2, tzinfo=UTC).timestamp())
    assert vc["validFrom"] == "2026-03-02T00:00:00Z"
    assert vc["validUntil"] == "2029-03-02T23:59:59Z"  # the certificate's expiry
    assert vc["exp"] == int(datetime(2029, 3, 2, 23, 59, 59, tzinfo=UTC).timestamp())
    (identity,) = vc["credentialSubject"]["identifier"]
    assert identity["identityHash"] == "Achieng' Otieno Wanjirũ"
    assert vc["credentialSubject"]["achievement"]["achievementType"] == "Certification"


def test_the_credential_validates_against_the_1edtech_schema(client, certificate):
    vc = decode(credential_token(client, certificate), published_keys(client)).claims
    assert vc["@context"][1] == "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    validator = jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(vc)] == []
    broken = {**vc, "credentialSubject": {**vc["credentialSubject"], "type": ["Person"]}}
    assert list(validator.iter_errors(broken))  # the schema does check what it claims to


def test_a_tampered_credential_or_another_key_fails(client, certificate):
    keys = published_keys(client)
    token = credential_token(client, certificate)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        decode(f"{header}.{forged}.{signature}", keys)
    stranger = OKPKey.generate_key("Ed25519")
    with pytest.raises(BadSignatureError):
        decode(token, stranger)


def status_bit(client, vc: dict, keys) -> int:
    entry = vc["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    response = client.get(path_of(entry["statusListCredential"]))
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    status = decode(response.get_data(as_text=True), keys).claims
    assert "BitstringStatusListCredential" in status["type"]
    assert status["credentialSubject"]["statusPurpose"] == "revocation"
    encoded = status["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) >= 16 * 1024
    index = int(entry["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_the_status_bit_flips_on_revocation(client, certificate, make_user):
    keys = published_keys(client)
    vc = decode(credential_token(client, certificate), keys).claims
    assert status_bit(client, vc, keys) == 0
    admin = make_user(email="secretariat@example.org", roles=("member", "admin"))
    services.revoke_certificate(certificate, admin, "Issued on forged evidence")
    assert status_bit(client, vc, keys) == 1
    # The credential itself is unchanged: its status is what tells a verifier it was revoked.
    assert decode(credential_token(client, certificate), keys).claims == vc


def test_achievement_and_issuer_ids_resolve_in_html_and_json(client, certificate):
    vc = decode(credential_token(client, certificate), published_keys(client)).claims
    achievement_id = vc["credentialSubject"]["achievement"]["id"]
    assert achievement_id == f"{LOCAL}/certification/programmes/AHSM"
    page = client.get(path_of(achievement_id))
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Associate in Health Systems Management" in page.get_data(as_text=True)
    as_json = client.get(path_of(achievement_id), headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    achievement = as_json.get_json()
    assert achievement["id"] == achievement_id and achievement["type"] == ["Achievement"]
    defs = {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"]}
    jsonschema.validate(achievement, {**defs, "$ref": "#/$defs/Achievement"})

    issuer_id = vc["issuer"]["id"]
    page = client.get(path_of(issuer_id))
    assert page.status_code == 200 and "HeSMA East Africa" in page.get_data(as_text=True)
    profile = client.get(path_of(issuer_id), headers={"Accept": "application/json"}).get_json()
    assert profile["id"] == issuer_id and profile["type"] == ["Profile"]
    jsonschema.validate(profile, {**defs, "$ref": "#/$defs/Profile"})
    assert client.get("/certification/programmes/NOPE").status_code == 404


def test_the_programme_page_in_kiswahili(client, certificate):
    page = client.get("/certification/programmes/AHSM", headers={"Accept-Language": "sw"})
    text = page.get_data(as_text=True)
    assert "Mshirika katika Usimamizi wa Mifumo ya Afya" in text and "Kiwango" in text


def test_the_member_downloads_the_credential_and_copies_a_share_link(auth, client, certificate):
    auth.login("achieng@example.org")
    page = client.get("/certification/").get_data(as_text=True)
    download = f"/certification/badges/{certificate.code}.jwt?download=1"
    assert f'href="{download}"' in page
    share = f"{LOCAL}/verify/{format_code(certificate.code)}"
    assert f'value="{share}"' in page and "Share link" in page
    saved = client.get(download)
    assert (
        saved.headers["Content-Disposition"]
        == f'attachment; filename="open-badge-{certificate.code}.jwt"'
    )
    verify = client.get(path_of(share)).get_data(as_text=True)
    assert f'href="/certification/badges/{certificate.code}.jwt"' in verify
    old = client.get(f"/certification/badges/{certificate.code}.json")
    assert old.status_code == 308 and old.location.endswith(f"/badges/{certificate.code}.jwt")


def test_keys_generate_writes_a_private_key_outside_the_repository(app, runner, tmp_path):
    target = tmp_path / "keys" / "hesma.pem"
    app.config["SIGNING_KEY_PATH"] = str(target)
    made = runner.invoke(args=["keys", "generate"])
    assert made.exit_code == 0, made.output
    assert "Key thumbprint" in made.output
    assert target.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    again = runner.invoke(args=["keys", "generate"])
    assert again.exit_code != 0 and "--force" in again.output
    before = target.read_bytes()
    assert runner.invoke(args=["keys", "generate", "--force"]).exit_code == 0
    assert target.read_bytes() != before


def test_without_a_key_production_refuses_to_sign(app, client, certificate, tmp_path):
    app.config["SIGNING_KEY_PATH"] = str(tmp_path / "missing.pem")
    app.config["SIGNING_KEY_AUTOGENERATE"] = False  # as in ProductionConfig
    for url in (f"/certification/badges/{certificate.code}.jwt", "/.well-known/jwks.json",
                "/certification/status/revocation"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 503, url
        assert "signing key is not installed" in response.get_data(as_text=True)
    assert not Path(tmp_path / "missing.pem").exists()
    assert client.get(f"/verify/{format_code(certificate.code)}").status_code == 200
