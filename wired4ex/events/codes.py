"""Rotating attendance codes: TOTP (RFC 6238) from a per-session secret and the clock.

A code is 6 characters from the alphabet of the verification codes. The code of a period is
HOTP's dynamic truncation of HMAC-SHA1(secret, period number), written in base 31: anyone with
the session's secret and a clock (an organiser's laptop without network) derives the same code,
and the server can check later which period a code belonged to.
"""

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime

from wired4ex.cpd.verifiable import CODE_ALPHABET

CODE_LENGTH = 6
_BASE = len(CODE_ALPHABET)


def new_secret() -> str:
    """A session's secret: 160 random bits in base32 (as TOTP apps store them)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def new_key() -> str:
    """The public part of a session's QR address."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def period_number(at: datetime, period: int) -> int:
    """The number of the code period that contains the moment `at`."""
    return int(at.timestamp()) // period


def code_for(secret: str, number: int) -> str:
    """The code of period `number`."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", number), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    chars = []
    for _ in range(CODE_LENGTH):
        value, digit = divmod(value, _BASE)
        chars.append(CODE_ALPHABET[digit])
    return "".join(reversed(chars))


def normalise(text: str | None) -> str | None:
    """A typed code in canonical form (upper case, no spaces or dashes), or None if malformed."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in "- \t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def matches(secret: str, code: str, number: int) -> bool:
    """Whether the code is that of period `number`, compared in constant time."""
    return hmac.compare_digest(code_for(secret, number), code)
