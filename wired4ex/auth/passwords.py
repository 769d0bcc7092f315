"""Password hashing (argon2id) and the common-password check."""

import functools
import gzip
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 128
# The 20,000 most common passwords, one per line (the list Django ships, from Royce Williams' study).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A dummy hash to verify against when the e-mail is unknown, so both cases take the same time.
@functools.cache
def dummy_hash(time_cost: int, memory_cost: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost).hash("not-a-real-password")


def burn_verification_time() -> None:
    """Spend the time of one verification, for the unknown-account path."""
    config = current_app.config
    verify_password(dummy_hash(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"]), "wrong")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lower-cased."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def is_common_password(password: str) -> bool:
    """True when the password is on the common list (ignoring case)."""
    return password.strip().lower() in common_passwords()
