"""Wired4EX: the learning platform and CPD tracker of HeSMA East Africa."""

import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, Config
from wired4ex import cli, contentversion, dbping, errors, jobs, readonly, security  # noqa: F401 (the model)
from wired4ex.deployment import SHARED_STORAGE_HINT, configured_workers, rate_limit_storage_problem
from wired4ex.extensions import babel, csrf, db, limiter, login_manager, migrate
from wired4ex.i18n import register_template_helpers, select_locale, select_timezone
from wired4ex.ui import register_ui
from wired4ex.urls import base_host, public_url


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application: configure, register extensions, blueprints, errors, CLI, headers."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config_class)
    register_extensions(app)
    jobs.init_app(app)
    register_blueprints(app)
    errors.register_error_handlers(app)
    cli.register_commands(app)
    security.register_security_headers(app)
    security.register_input_guard(app)
    register_template_helpers(app)
    app.add_template_global(public_url)  # links a person copies and shares
    register_ui(app)
    return app


def configure(app: Flask, config_class: type[Config] | None) -> None:
    """Load the config class and derive the settings that depend on the instance folder."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("WIRED4EX_CONFIG", "development")]
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):
        raise SystemExit(
            "Wired4EX: SECRET_KEY is not set; export SECRET_KEY=<a long random string>."
        )
    if not app.config.get("PUBLIC_BASE_URL") or not base_host(app.config["PUBLIC_BASE_URL"]):
        raise SystemExit(
            "Wired4EX: PUBLIC_BASE_URL is not set; export PUBLIC_BASE_URL=https://<public host>."
        )
    if app.config.get("TRUSTED_HOSTS") is None and app.config.get("TRUST_PUBLIC_HOST_ONLY"):
        app.config["TRUSTED_HOSTS"] = [base_host(app.config["PUBLIC_BASE_URL"])]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "wired4ex.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    if not app.config.get("MAIL_OUTBOX"):
        app.config["MAIL_OUTBOX"] = str(Path(app.instance_path) / "outbox")
    if not app.config.get("EVIDENCE_DIR"):
        app.config["EVIDENCE_DIR"] = str(Path(app.instance_path) / "evidence")
    if not app.config.get("STATEMENT_PDF_DIR"):
        app.config["STATEMENT_PDF_DIR"] = str(Path(app.instance_path) / "statement-pdfs")
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
        check_rate_limit_storage(app)


def check_rate_limit_storage(app: Flask) -> None:
    """Refuse per-process rate limits when several workers are configured; warn loudly when the
    worker count is unknown (gunicorn.conf.py checks --workers itself)."""
    storage = app.config.get("RATELIMIT_STORAGE_URI")
    problem = rate_limit_storage_problem(storage, configured_workers())
    if problem:
        raise SystemExit(problem)
    if (storage or "memory://").startswith("memory://"):
        logging.getLogger("wired4ex").warning(
            "RATELIMIT_STORAGE_URI is memory://: rate limits are counted per worker process. "
            "With more than one worker, %s.",
            SHARED_STORAGE_HINT,
        )


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in extensions.py to this app."""
    db.init_app(app)
    readonly.init_app(app)  # the first before_request hook: before anything loads the user
    if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
        with app.app_context():
            dbping.install(db.engine)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature package."""
    from wired4ex.admin import bp as admin_bp
    from wired4ex.api import bp as api_bp
    from wired4ex.auth import bp as auth_bp
    from wired4ex.authoring import bp as authoring_bp
    from wired4ex.catalog import bp as catalog_bp
    from wired4ex.certification import bp as certification_bp
    from wired4ex.certification.verify import verify_bp
    from wired4ex.cpd import bp as cpd_bp
    from wired4ex.events import bp as events_bp
    from wired4ex.home import bp as home_bp
    from wired4ex.learning import bp as learning_bp
    from wired4ex.membership import admin_bp as membership_admin_bp
    from wired4ex.membership import bp as membership_bp
    from wired4ex.notifications import bp as notifications_bp
    from wired4ex.offline import bp as offline_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(cpd_bp)
    app.register_blueprint(certification_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(offline_bp)
    app.register_blueprint(membership_bp)
    app.register_blueprint(membership_admin_bp)

    from wired4ex.membership.register_views import bp as member_register_bp

    app.register_blueprint(member_register_bp)  # register and renewal imports, corporate seats
    app.register_blueprint(notifications_bp)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, write-ahead log for concurrent readers, wait when busy."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
