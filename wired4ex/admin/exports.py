"""CSV exports of every admin table, streamed: rows are read in chunks and written as they come.

Cells go through wired4ex.csvsafe.safe_cell, so a name such as "=HYPERLINK(...)" opens in a
spreadsheet as text, never as a formula. The first chunk starts with a byte-order mark so
spreadsheets read the file as UTF-8.
"""

import csv
import io
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from flask import Response, request, stream_with_context
from flask_login import current_user

from wired4ex import audit
from wired4ex.admin.reports import CHUNK, cpd_standing, cpd_status_column
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User, UserRole
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.csvsafe import safe_cell
from wired4ex.extensions import db

ROWS_PER_WRITE = 500


def csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text in pieces of ROWS_PER_WRITE rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(name) for name in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if number % ROWS_PER_WRITE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """A streamed CSV download; the rows are produced while the response is sent.

    Every export is personal data or figures about people: the download is audited (who, which
    file, with which filters) before the first row is sent."""
    audit.record(
        "export.downloaded", "export", filename[:60], current_user.id,
        after={"file": filename, "filters": {k: v[:200] for k, v in request.args.items()}},
    )  # fmt: skip
    db.session.commit()
    response = Response(
        stream_with_context(csv_chunks(header, rows)), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def streamed(query) -> Iterator:
    """Rows of a query fetched CHUNK at a time (server-side cursor on PostgreSQL)."""
    yield from db.session.execute(query.execution_options(yield_per=CHUNK))


MEMBER_HEADER = ["id", "full_name", "email", "membership_number", "membership_category",
                 "country", "roles", "active", "cpd_status", "cpd_cycle", "joined"]  # fmt: skip


def member_rows(base: sa.Select, policy: CpdPolicy, cycle: Cycle) -> Iterator[list]:
    """Members of a filtered list with their CPD status in the cycle, in chunks.

    Roles are read per chunk of ids, so the number of queries grows with the chunks, not rows.
    """
    standing = cpd_standing(policy, cycle)
    ids = base.with_only_columns(User.id).subquery()
    query = (
        sa.select(
            User.id,
            User.full_name,
            User.email,
            User.membership_number,
            User.membership_category,
            User.country,
            User.is_active_account,
            cpd_status_column(policy, standing),
            User.created_at,
        )  # fmt: skip
        .join(ids, ids.c.id == User.id)
        .outerjoin(standing, standing.c.user_id == User.id)
        .order_by(User.full_name, User.id)
    )
    chunk: list = []
    for row in streamed(query):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _with_roles(chunk, cycle)
            chunk = []
    yield from _with_roles(chunk, cycle)


def _with_roles(chunk: list, cycle: Cycle) -> Iterator[list]:
    if not chunk:
        return
    roles: dict[int, list[str]] = {}
    found = db.session.execute(
        sa.select(UserRole.user_id, UserRole.name)
        .where(UserRole.user_id.in_([row[0] for row in chunk]))
        .order_by(UserRole.name)
    )
    for user_id, name in found:
        roles.setdefault(user_id, []).append(name)
    for uid, name, email, number, category, country, active, status, joined in chunk:
        yield [uid, name, email, number, category, country, " ".join(roles.get(uid, [])),
               "yes" if active else "no", status, cycle.label, joined.date().isoformat()]  # fmt: skip


AUDIT_HEADER = ["at", "action", "actor_email", "subject_type", "subject_id", "member_email",
                "before", "after"]  # fmt: skip


def audit_rows(base: sa.Select) -> Iterator[list]:
    """The filtered audit log with people's e-mails, streamed."""
    actor = sa.orm.aliased(User)
    member = sa.orm.aliased(User)
    ids = base.with_only_columns(AuditEvent.id).order_by(None).subquery()
    query = (
        sa.select(AuditEvent, actor.email, member.email)
        .join(ids, ids.c.id == AuditEvent.id)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(member, member.id == AuditEvent.member_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    for event, actor_email, member_email in streamed(query):
        yield [event.at.isoformat(), event.action, actor_email, event.subject_type,
               event.subject_id, member_email, _json(event.before), _json(event.after)]  # fmt: skip


def _json(value) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
