"""The content version: one row that changes in the same transaction as any change to the
catalogue (institutions, courses, modules and their versions, media, competencies, policies).

Member pages read the course structure once per content version and reuse it across requests
(`cached`). The version is read in the same statement as the signed-in user (auth.services), or
on its own for a visitor, so a change committed by a sync or a publish on any worker or machine
shows on the next request everywhere. The stamp is random and new at every change, so a
database rebuilt or restored from a backup never matches what a worker read before.
"""

import secrets
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import String, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from wired4ex.extensions import db

T = TypeVar("T")
ROW_ID = 1
# The tables whose rows make up what `cached` values are built from.
CONTENT_TABLES = frozenset(
    {
        "institutions",
        "courses",
        "modules",
        "module_versions",
        "course_competencies",
        "course_media",
        "competencies",
        "competency_domains",
        "policy_documents",
    }
)


class ContentVersion(db.Model):
    """The single row (id 1) numbering the catalogue's state."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(default=1)
    stamp: Mapped[str] = mapped_column(String(32))


def version_column() -> sa.ScalarSelect:
    """The version key as a column to add to another query: "<number>:<stamp>" or NULL."""
    key = sa.cast(ContentVersion.number, String) + ":" + ContentVersion.stamp
    return sa.select(key).where(ContentVersion.id == ROW_ID).scalar_subquery()


def bump(connection: sa.Connection) -> None:
    """A new version, in the caller's transaction (the row is made when it is missing)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = ContentVersion.__table__
    stamp = secrets.token_hex(16)
    statement = insert(table).values(id=ROW_ID, number=1, stamp=stamp)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={"number": table.c.number + 1, "stamp": stamp},
    )
    connection.execute(statement)


def _touches_content(session: Session) -> bool:
    for instance in session.new | session.deleted:
        if getattr(instance, "__tablename__", None) in CONTENT_TABLES:
            return True
    for instance in session.dirty:
        if getattr(instance, "__tablename__", None) in CONTENT_TABLES and session.is_modified(
            instance
        ):
            return True
    return False


@event.listens_for(Session, "before_flush")
def _bump_on_content_change(session: Session, flush_context, instances) -> None:
    if _touches_content(session):
        bump(session.connection())
        if has_app_context():
            g.pop("content_version", None)


def remember(key: str | None) -> None:
    """The version read with the user (auth.services): this request uses it."""
    g.content_version = key


def current() -> str | None:
    """This request's version key (read once per request)."""
    if "content_version" not in g and has_request_context():
        # A signed-in person's version comes with their user row: load it first.
        current_user._get_current_object()
    if "content_version" not in g:
        g.content_version = db.session.execute(sa.select(version_column())).scalar()
    return g.content_version


def cached(name: str, loader: Callable[[], T]) -> T:
    """`loader()` as of this request's content version, built once per version and process.

    Values must not be changed by callers. Without a version row (an empty database) nothing is
    kept."""
    key = current()
    store = current_app.extensions.setdefault("wired4ex.content_cache", {})
    if key is None:
        return loader()
    entry = store.get(name)
    if entry is not None and entry[0] == key:
        return entry[1]
    value = loader()
    store[name] = (key, value)
    return value
