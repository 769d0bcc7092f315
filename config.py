"""Configuration classes, read from the environment.

`create_app()` picks one by name (`WIRED4EX_CONFIG`: development, testing, production) unless a class
is passed in. Every setting that differs between machines comes from an environment variable; the
README lists them.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def env_int(name: str, default: int) -> int:
    """An integer from the environment, or the default when unset."""
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str) -> list[str] | None:
    """A comma-separated list from the environment, or None when unset."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    # None means "a SQLite file in the instance folder", resolved by create_app().
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # No pool_pre_ping: a pooled PostgreSQL connection is pinged at checkout only when it may be
    # dead (wired4ex/dbping.py), which spares a round trip per request.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    CONTENT_DIR = os.environ.get("CONTENT_DIR", str(BASE_DIR / "content"))
    # The public address every absolute link is built from (mails, PDFs, QR codes, badges):
    # https://cpd.hesma.example. Never taken from the request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host names the app answers for; another Host gets 400. Unset: any host in development,
    # the host of PUBLIC_BASE_URL in production (see create_app).
    TRUSTED_HOSTS = env_list("TRUSTED_HOSTS")
    # Outgoing mail: SMTP when MAIL_SERVER is set, otherwise written to MAIL_OUTBOX and the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Wired4EX <no-reply@hesma.example>")
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX")  # default: <instance>/outbox
    # Seconds before each new attempt after an SMTP failure (1 min, 5 min, 30 min, 2 h, 12 h);
    # after the last the mail is marked failed for the admins.
    MAIL_RETRY_DELAYS = [int(s) for s in os.environ.get(
        "MAIL_RETRY_DELAYS", "60,300,1800,7200,43200").split(",") if s.strip()]  # fmt: skip
    # The job queue: a SQLite file in the instance folder by default (JOBS_SQLITE_PATH),
    # redis://host:6379/0 in production (any number of consumers on any number of machines).
    JOBS_URL = os.environ.get("JOBS_URL", "")
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME", "wired4ex")
    JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH")  # default: <instance>/jobs.sqlite
    JOBS_IMMEDIATE = env_bool("JOBS_IMMEDIATE", False)  # run jobs inside the request (tests)
    # Local time (TIMEZONE) of the daily reminders and the admins' digest.
    REMINDERS_AT = os.environ.get("REMINDERS_AT", "07:00")
    # Uploaded claim evidence; never inside static/. Default: <instance>/evidence
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR")
    # Issued statements' PDFs, rendered once (wired4ex/cpd/pdfstore.py); instance/statement-pdfs
    STATEMENT_PDF_DIR = os.environ.get("STATEMENT_PDF_DIR")
    # The association's Ed25519 signing key (Open Badges credentials), made by `flask keys
    # generate`; keep it outside the repository. Default: <instance>/signing-key.pem
    SIGNING_KEY_PATH = os.environ.get("SIGNING_KEY_PATH")
    # Make a key on first use when none exists (development and tests only; production refuses).
    SIGNING_KEY_AUTOGENERATE = env_bool("SIGNING_KEY_AUTOGENERATE", True)
    # Events: seconds each attendance code is shown (new sessions start with it; 15 to 600).
    EVENT_CODE_PERIOD = env_int("EVENT_CODE_PERIOD", 60)

    # The association behind the service: the header, the footer and the documents' letterhead
    # and signatory block. SIGNATURE_IMAGE is an optional PNG or JPEG file printed above the name.
    ASSOCIATION_NAME = os.environ.get(
        "ASSOCIATION_NAME", "HeSMA East Africa (Health Systems Management Association)"
    )
    ASSOCIATION_SHORT_NAME = os.environ.get("ASSOCIATION_SHORT_NAME", "HeSMA East Africa")
    ASSOCIATION_ADDRESS = os.environ.get(
        "ASSOCIATION_ADDRESS",
        "Chai House, Koinange Street · P.O. Box 47620-00100, Nairobi, Kenya"
        " · +254 20 222 4850 · secretariat@hesma.example",
    )
    SIGNATORY_NAME = os.environ.get("SIGNATORY_NAME", "The Registrar")
    SIGNATORY_TITLE = os.environ.get("SIGNATORY_TITLE", "Registrar, HeSMA East Africa")
    SIGNATURE_IMAGE = os.environ.get("SIGNATURE_IMAGE", "")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Africa/Nairobi")
    LANGUAGES = ("en", "sw")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Namespaces the counters when several deployments share one Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute; 30 per hour")
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    # API requests per personal access token (per account for a session, per address otherwise).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")

    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    PASSWORD_RESET_MAX_AGE = env_int("PASSWORD_RESET_MAX_AGE", 3600)
    # Seconds an e-mail confirmation link stays valid (3 days).
    EMAIL_CONFIRM_MAX_AGE = env_int("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 3600)
    # Registrations allowed per address and per e-mail (every attempt counts).
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per minute; 30 per hour")

    # Sessions end after this many idle minutes, and this many days after logging in, checked on
    # the server; "Keep me logged in" on the login form makes both REMEMBER_ME_DAYS.
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
    SESSION_MAX_DAYS = env_int("SESSION_MAX_DAYS", 7)
    REMEMBER_ME_DAYS = env_int("REMEMBER_ME_DAYS", 30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=REMEMBER_ME_DAYS)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session, so long forms are not lost

    # Argon2id cost; tests lower it to keep the suite fast.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536


class DevelopmentConfig(Config):
    """Local development: debug tools on, mail to the outbox folder."""

    DEBUG = True


class TestingConfig(Config):
    """The test suite: a database chosen by the fixtures, cheap hashing."""

    TESTING = True
    SECRET_KEY = "testing-secret"
    PUBLIC_BASE_URL = "http://localhost"
    TRUSTED_HOSTS = None
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    LOGIN_RATE_LIMIT = "5 per minute"
    REGISTER_RATE_LIMIT = "5 per minute"
    # Tests about what a mail says run the job at once; delivery tests run the real consumer.
    JOBS_IMMEDIATE = True


class ProductionConfig(Config):
    """Production: secrets must come from the environment, cookies only over HTTPS."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")  # required: create_app refuses without
    TRUST_PUBLIC_HOST_ONLY = True  # TRUSTED_HOSTS defaults to PUBLIC_BASE_URL's host
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"
    SIGNING_KEY_AUTOGENERATE = False  # no credential is signed without `flask keys generate`


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
