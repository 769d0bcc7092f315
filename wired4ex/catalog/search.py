"""Catalogue search: the database's own full-text search over each published course's title,
summary, module titles, competencies and institution.

One function, `matching_course_ids`, hides the two engines: SQLite's FTS5 (a temporary virtual
table, filled for the query and emptied after it) and PostgreSQL's text search
(`to_tsvector` / `to_tsquery` with the 'simple' configuration, since courses are in English and
Kiswahili). The catalogue holds tens or hundreds of courses, so the documents are built from the
rows the catalogue page loads anyway; no index has to be kept in step with syncs and publishing.
"""

import re

import sqlalchemy as sa

from wired4ex.extensions import db

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(text: str) -> list[str]:
    """The words of a search box's text, lower-case, at most MAX_TERMS of them; punctuation and
    operators are dropped, so no input can change the query's meaning."""
    words = [word.lower()[:MAX_TERM_LENGTH] for word in _WORD.findall(text or "")]
    return list(dict.fromkeys(words))[:MAX_TERMS]


def course_document(course, competency_names: dict[str, str]) -> tuple[str, str]:
    """The text a course is found by: its title (which weighs most), and everything else."""
    parts = [course.summary or "", course.institution.name,
             course.institution.short_name or ""]  # fmt: skip
    parts += [
        module.current_version.title
        for module in course.active_modules
        if module.current_version is not None
    ]
    for code in course.competency_codes:
        parts += [code, competency_names.get(code, "")]
    return course.title, "\n".join(part for part in parts if part)


def matching_course_ids(documents: dict[int, tuple[str, str]], text: str) -> list[int]:
    """Ids of the documents that contain every word of `text` (a word matches as a prefix:
    "gover" finds "governance"), best match first (a word in the title counts most). Empty
    when the text has no words."""
    terms = search_terms(text)
    if not terms or not documents:
        return []
    if db.engine.dialect.name == "postgresql":
        return _postgresql(documents, terms)
    return _sqlite(documents, terms)


def _sqlite(documents: dict[int, tuple[str, str]], terms: list[str]) -> list[int]:
    # Each term quoted (FTS5 syntax characters lose their meaning), as a prefix, all required.
    match = " ".join('"' + term.replace('"', '""') + '"*' for term in terms)
    connection = db.session.connection()
    connection.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.course_search USING "
        "fts5(course_id UNINDEXED, title, document, tokenize = 'unicode61 remove_diacritics 2')"
    )
    try:
        connection.execute(
            sa.text(
                "INSERT INTO temp.course_search (course_id, title, document) "
                "VALUES (:id, :title, :doc)"
            ),
            [
                {"id": course_id, "title": title, "doc": document}
                for course_id, (title, document) in documents.items()
            ],  # fmt: skip
        )
        rows = connection.execute(
            sa.text(
                "SELECT course_id FROM temp.course_search WHERE course_search MATCH :match "
                "ORDER BY bm25(course_search, 0, 10, 1), course_id"
            ),
            {"match": match},
        )
        return [int(row[0]) for row in rows]
    finally:
        connection.exec_driver_sql("DELETE FROM temp.course_search")


def _postgresql(documents: dict[int, tuple[str, str]], terms: list[str]) -> list[int]:
    # Terms are words (\w+) only, so they are safe inside to_tsquery's syntax; ':*' is a prefix.
    query = " & ".join(f"{term}:*" for term in terms)
    values = sa.values(
        sa.column("course_id", sa.Integer), sa.column("title", sa.Text),
        sa.column("document", sa.Text), name="docs",
    ).data([(course_id, title, document) for course_id, (title, document) in documents.items()])  # fmt: skip
    simple = sa.literal_column("'simple'::regconfig")
    vector = sa.func.setweight(
        sa.func.to_tsvector(simple, values.c.title), sa.literal_column("'A'::\"char\"")
    ).op("||")(
        sa.func.setweight(
            sa.func.to_tsvector(simple, values.c.document), sa.literal_column("'B'::\"char\"")
        )
    )
    tsquery = sa.func.to_tsquery(simple, query)
    statement = (
        sa.select(values.c.course_id)
        .where(vector.op("@@")(tsquery))
        .order_by(sa.func.ts_rank(vector, tsquery).desc(), values.c.course_id)
    )
    return [int(course_id) for course_id in db.session.scalars(statement)]
