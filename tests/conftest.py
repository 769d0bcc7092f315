"""Shared fixtures: a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL), built by the
migrations, emptied after every test; the app, its client and CLI runner; builders for users."""

import copy
import os
import re
import uuid
from datetime import date, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig
from tests.append_only import triggers_suspended
from wired4ex import create_app
from wired4ex.auth.services import NewAccount, create_user
from wired4ex.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
PASSWORD = "correct-horse-battery-staple"


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogues when a .po is newer than its .mo, as `make test` does,
    so running pytest directly tests the Swahili that is in the .po file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "wired4ex" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po, mo_path.open("wb") as mo:
                write_mo(mo, read_po(po))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of this test run's own: a fresh PostgreSQL database, or a SQLite file."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url or server_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    url = sa.engine.make_url(server_url)
    name = f"w4x_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def config_class(database_url, tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        MAIL_OUTBOX = str(tmp_path_factory.mktemp("outbox"))
        EVIDENCE_DIR = str(tmp_path_factory.mktemp("evidence"))
        STATEMENT_PDF_DIR = str(tmp_path_factory.mktemp("statement-pdfs"))
        SIGNING_KEY_PATH = str(tmp_path_factory.mktemp("keys") / "signing-key.pem")
        CONTENT_DIR = str(ROOT / "content")

    return Config


@pytest.fixture(scope="session")
def _schema(config_class):
    """The schema, built once per run by the migrations (as `flask db upgrade` does)."""
    app = create_app(config_class)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


def _empty_all_tables() -> None:
    with db.engine.begin() as connection, triggers_suspended(connection):
        for table in reversed(db.metadata.sorted_tables):
            if table.name == "modules":
                connection.execute(table.update().values(current_version_id=None))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in a server,
    even though the test itself holds one open to use the database directly."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(config_class, _schema):
    app = create_app(config_class)
    app.test_client_class = FreshContextClient
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()
        for stored in Path(app.config["EVIDENCE_DIR"]).glob("*"):
            stored.unlink()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ReadMail(EmailMessage):
    """A mail as a test reads it: get_content() of a multipart mail is its plain-text part."""

    def get_content(self, *args, **kwargs):
        if self.is_multipart():
            return self.get_body(preferencelist=("plain",)).get_content(*args, **kwargs)
        return super().get_content(*args, **kwargs)


class Outbox:
    """The messages the app wrote to its outbox folder (no SMTP server in tests)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self) -> list[EmailMessage]:
        files = sorted(self.folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
        return [
            message_from_bytes(path.read_bytes(), _class=ReadMail, policy=email_policy.default)
            for path in files
        ]

    def clear(self) -> None:
        for path in self.folder.glob("*.eml"):
            path.unlink()


@pytest.fixture
def outbox(app):
    box = Outbox(Path(app.config["MAIL_OUTBOX"]))
    box.clear()
    yield box
    box.clear()


@pytest.fixture
def make_user(app):
    """Build a user: make_user(email=..., roles=("member", "admin"), category="student")."""
    counter = iter(range(1, 10_000))

    def build(
        email=None,
        full_name="Test Member",
        password=PASSWORD,
        roles=("member",),
        category="professional",
        country="KE",
        institution_id=None,
        language="en",
        confirmed=True,
        membership="approved",
        number=None,
    ):
        """membership="approved" (the default) gives the person an approved membership of
        `category`, current today, with a system number (or `number`); None leaves them without one (their
        category then counts for nothing, as for a person who registered and never applied)."""
        email = email or f"member{next(counter)}@example.org"
        account = NewAccount(
            email=email,
            full_name=full_name,
            password=password,
            membership_category=category,
            country=country,
            language=language,
        )
        user = create_user(account, roles=roles, institution_id=institution_id, confirmed=confirmed)
        if membership == "approved":
            grant_current_membership(user, category, number=number)
        return user

    return build


def grant_current_membership(
    user, category="professional", started_on=date(2020, 1, 1), number=None
):
    """An approved membership current today (renewal date a year ahead, whatever the hour),
    stored directly as a fixture (no audit event, so audit tests count only what they do);
    the number comes from the same counter as the service's."""
    from wired4ex.membership.models import Membership
    from wired4ex.membership.policy import category_policy
    from wired4ex.membership.services import allocate_number, check_given_number
    from wired4ex.timeutil import local_today

    lapses = category_policy(category).lapses
    number = check_given_number(number) if number else allocate_number(started_on.year)
    membership = Membership(
        user_id=user.id,
        category=category,
        number=number,
        started_on=started_on,
        renews_on=local_today() + timedelta(days=366) if lapses else None,
        organisation_name="Test organisation" if category == "corporate" else None,
        seats=10 if category == "corporate" else None,
    )
    db.session.add(membership)
    user.membership_category, user.membership_number = category, number
    db.session.commit()
    return membership


CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on a page, as a browser would have it."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


class _HiddenInputs(HTMLParser):
    """The hidden inputs of the forms on a page that post to one address."""

    def __init__(self, page_url: str, target: str):
        super().__init__()
        self.page_path, self.target = urlsplit(page_url).path, urlsplit(target).path
        self.inside, self.values = False, {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            action = urlsplit(attributes.get("action") or self.page_path).path or self.page_path
            self.inside = (attributes.get("method") or "").lower() == "post" and (
                action == self.target
            )
        elif tag == "input" and self.inside and attributes.get("type") == "hidden":
            self.values.setdefault(attributes.get("name"), attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def submit(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST a form the way a browser does: with the token and the other hidden fields (such as
    the version of a claim under review) of the form on the page that shows it."""
    page_text = client.get(page or url).get_data(as_text=True)
    match = CSRF_FIELD.search(page_text)
    assert match, f"no CSRF token on {page or url}"
    hidden = _HiddenInputs(page or url, url)
    hidden.feed(page_text)
    hidden.values.pop(None, None)
    sent = {**hidden.values, **data, "csrf_token": match.group(1) or match.group(2)}
    return client.post(url, data=sent, **kwargs)


class Auth:
    """Log in and out through the real pages."""

    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD, next_url=None, **kwargs):
        url = "/login" + (f"?next={next_url}" if next_url else "")
        return submit(self.client, url, {"email": email, "password": password}, **kwargs)

    def logout(self):
        return submit(self.client, "/logout", {}, page="/profile")


@pytest.fixture
def auth(client):
    return Auth(client)


_SYNCED: dict[str, tuple] = {}


def _snapshot() -> dict[str, list[dict]]:
    with db.engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(table.select())]
            for table in db.metadata.sorted_tables
            if table.name != "audit_events"  # the sync's own event is not content
        }


def _restore(snapshot: dict[str, list[dict]]) -> None:
    """Put the rows of a synced catalogue back, ids and all (modules and versions refer to
    each other, so modules get their current version once the versions exist)."""
    current_versions = []
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            rows = snapshot.get(table.name) or []
            if table.name == "modules":
                current_versions = [(r["id"], r["current_version_id"]) for r in rows]
                rows = [{**r, "current_version_id": None} for r in rows]
            if rows:
                connection.execute(table.insert(), rows)
        modules = db.metadata.tables["modules"]
        for module_id, version_id in current_versions:
            connection.execute(
                modules.update()
                .where(modules.c.id == module_id)
                .values(current_version_id=version_id)
            )
        if connection.dialect.name == "postgresql":
            for table in db.metadata.sorted_tables:
                if snapshot.get(table.name) and "id" in table.c and table.c.id.autoincrement:
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                    ))  # fmt: skip


@pytest.fixture
def synced_content(app):
    """The real content/ folder, imported into the test database.

    The first test of a run imports it with the real loader and sync; later tests get exactly
    the rows that import produced (and its report), which saves the rendering time per test.
    """
    from wired4ex.catalog.content import load_content
    from wired4ex.catalog.sync import sync_content

    key = app.config["SQLALCHEMY_DATABASE_URI"]
    if key not in _SYNCED:
        tree = load_content(ROOT / "content")
        assert tree.problems == []
        report = sync_content(tree)
        _SYNCED[key] = (report, _snapshot())
        return copy.deepcopy(report)
    report, snapshot = _SYNCED[key]
    _restore(snapshot)
    return copy.deepcopy(report)


def issue_statement(client, kind: str = "pdf", **period):
    """Issue (or reuse) a CPD statement the way the statements page does: a POST with the
    page's CSRF token, for cycle=YEAR or start=/end= dates; the file, after the redirect."""
    values = {name: str(value) for name, value in period.items()}
    return submit(
        client, f"/cpd/statement.{kind}", values, page="/cpd/statements", follow_redirects=True
    )


def page_scripts(html: str) -> list[str]:
    """The scripts of a page other than the one every page loads to register the offline service
    worker (static/offline.js, which only adds): a page that needs no JavaScript has none."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return [tag for tag in tags if 'src="/static/offline.js"' not in tag]
