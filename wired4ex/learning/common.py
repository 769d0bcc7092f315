"""Shared by the learning use cases: the error they raise, and writing safely under concurrency."""

from sqlalchemy.dialects import postgresql, sqlite

from wired4ex.extensions import db


class LearningError(ValueError):
    """A use case refused; the message is safe to show to the member."""


# -- writing safely under concurrency ----------------------------------------------------------


def _start_writing() -> None:
    """End the reading transaction so the next one starts with a write.

    On SQLite in WAL mode a transaction that read first and writes later fails at once when another
    writer committed in between; one that starts with its write waits its turn (busy timeout).
    Callers read everything they need into plain values before calling this.
    """
    db.session.commit()


def _insert_ignoring_conflict(model, values: dict, unique: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None when the row existed."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model).values(**values).on_conflict_do_nothing(index_elements=unique)
    ).returning(model.id)
    return db.session.execute(statement).scalar()
