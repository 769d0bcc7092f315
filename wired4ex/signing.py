"""The association's signing key: Ed25519, kept outside the repository, used for compact JWS
(EdDSA) by the Open Badges credentials and anything else the association signs.

The private key is a PKCS#8 PEM file at SIGNING_KEY_PATH (default: <instance>/signing-key.pem),
made by `flask keys generate`. The public key is published as a JWK set at
/.well-known/jwks.json; each signature names its key by `kid`, the JWKS address with the key's
RFC 7638 thumbprint as fragment, so a verifier can dereference it.
"""

import base64
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app


class SigningKeyMissing(RuntimeError):
    """No signing key is configured, and this environment may not make one by itself."""


class SignatureInvalid(ValueError):
    """A JWS that is malformed, signed by another key, or altered since it was signed."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_path() -> Path:
    """Where the private key lives: SIGNING_KEY_PATH, or signing-key.pem in the instance folder."""
    configured = current_app.config.get("SIGNING_KEY_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "signing-key.pem"


def generate_key(path: Path, overwrite: bool = False) -> Ed25519PrivateKey:
    """Write a new Ed25519 private key (PKCS#8 PEM, readable by its owner only)."""
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    os.replace(temporary, path)
    return key


_LOADED: dict[tuple[str, float], Ed25519PrivateKey] = {}


def load_key() -> Ed25519PrivateKey:
    """The private key; made on first use where SIGNING_KEY_AUTOGENERATE allows (development,
    tests), otherwise SigningKeyMissing."""
    path = key_path()
    if not path.exists():
        if not current_app.config.get("SIGNING_KEY_AUTOGENERATE"):
            raise SigningKeyMissing(str(path))
        with contextlib.suppress(FileExistsError):  # another worker made it first
            generate_key(path)
        current_app.logger.warning("Generated a new signing key at %s", path)
    cache_key = (str(path), path.stat().st_mtime)
    if cache_key not in _LOADED:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyMissing(f"{path} is not an Ed25519 private key")
        _LOADED.clear()
        _LOADED[cache_key] = key
    return _LOADED[cache_key]


def _public_x(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url(raw)


def thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 public key."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _public_x(public)}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return b64url(hashlib.sha256(canonical).digest())


def thumbprint_uri() -> str:
    """The key's RFC 9278 thumbprint URI: names it whatever address the site has."""
    return f"urn:ietf:params:oauth:jwk-thumbprint:sha-256:{thumbprint(load_key().public_key())}"


@dataclass(frozen=True)
class PublicKey:
    """The public half, as published: its JWK and the kid that signatures carry."""

    kid: str
    jwk: dict


def published_keys(jwks_url: str) -> list[dict]:
    """The JWK set: the key under its address-based kid (Open Badges credentials) and under its
    thumbprint URI (CPD statements, checked offline long after the site may have moved)."""
    key = public_key(jwks_url)
    return [key.jwk, {**key.jwk, "kid": thumbprint_uri()}]


def public_key(jwks_url: str) -> PublicKey:
    """The signing key's public JWK, named by the JWKS address and its thumbprint."""
    public = load_key().public_key()
    kid = f"{jwks_url}#{thumbprint(public)}"
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _public_x(public), "kid": kid,
           "alg": "EdDSA", "use": "sig"}  # fmt: skip
    return PublicKey(kid, jwk)


def _json_bytes(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_compact(payload: dict, kid: str, typ: str = "JWT") -> str:
    """A compact JWS (EdDSA) of a JSON payload, with alg, kid and typ in its header."""
    header = {"alg": "EdDSA", "kid": kid, "typ": typ}
    signing_input = f"{b64url(_json_bytes(header))}.{b64url(_json_bytes(payload))}"
    signature = load_key().sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


def verify_compact(token: str, jwk: dict) -> tuple[dict, dict]:
    """(header, payload) of a compact JWS signed with the key of this public JWK, or
    SignatureInvalid. Used to check documents the app issued (not by the tests, which use an
    independent library)."""
    try:
        header_part, payload_part, signature_part = token.strip().split(".")
        header = json.loads(b64url_decode(header_part))
        payload = json.loads(b64url_decode(payload_part))
        signature = b64url_decode(signature_part)
        if header.get("alg") != "EdDSA" or jwk.get("crv") != "Ed25519":
            raise SignatureInvalid("not an EdDSA (Ed25519) signature")
        public = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
        public.verify(signature, f"{header_part}.{payload_part}".encode("ascii"))
    except (ValueError, KeyError, TypeError, InvalidSignature) as error:
        raise SignatureInvalid(str(error) or "invalid signature") from error
    if not isinstance(payload, dict) or not isinstance(header, dict):
        raise SignatureInvalid("the payload is not a JSON object")
    return header, payload
