"""CPD statements: issue (one member, or many at once for the batch), lookup and revocation.

A statement is issued once per set of figures: asking again for the same member and period while
nothing changed returns the statement already issued, with its code. What it says (its snapshot)
is built in wired4ex.cpd.snapshots; its code and revocation are those of every verifiable
document (wired4ex.cpd.verifiable).
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex.auth.models import User
from wired4ex.cpd import signatures
from wired4ex.cpd.models import Statement
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.services import CpdError
from wired4ex.cpd.snapshots import Period, figures
from wired4ex.cpd.verifiable import add_with_new_code, new_code, normalise_code, revoke_document
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.status import MembershipStatus

STATEMENT_STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked")}


def find_issued(member_id: int, period: Period, digest: str) -> Statement | None:
    """The valid statement already issued for this member, period and figures, if any."""
    return db.session.scalar(
        sa.select(Statement)
        .where(
            Statement.user_id == member_id,
            Statement.period_start == period.start,
            Statement.period_end == period.end,
            Statement.snapshot_hash == digest,
            Statement.status == "valid",
        )
        .order_by(Statement.issued_at.desc())
        .limit(1)
    )


def issue_statement(
    policy: CpdPolicy,
    member: User,
    period: Period,
    entries: list[LedgerEntry],
    today: date,
    at: datetime | None = None,
    commit: bool = True,
) -> tuple[Statement, bool]:
    """The statement for these figures: the one already issued, or a new one. (statement, new?)"""
    if period.end < period.start:
        raise CpdError(_l("The end of the period cannot be before its start."))
    snapshot, digest = figures(policy, member, period, entries, today)
    member_id = member.id
    if commit:
        db.session.commit()  # end the reading transaction: issuing starts with its write
        # Issues for one member wait for each other (a no-op write on the member's row takes
        # the lock first), so two requests at the same moment give one statement.
        db.session.execute(sa.update(User).where(User.id == member_id).values(id=member_id))
    existing = find_issued(member_id, period, digest)
    if existing is not None:
        if commit:
            db.session.commit()
        return existing, False

    statement = add_with_new_code(
        lambda code: _signed(code, member_id, period, snapshot, digest, at or utcnow())
    )
    if commit:
        db.session.commit()
    return statement, True


def _signed(code: str, member_id: int, period: Period, snapshot: dict, digest: str,
            at: datetime) -> Statement:  # fmt: skip
    statement = Statement(
        code=code, user_id=member_id, period_start=period.start, period_end=period.end,
        snapshot=snapshot, snapshot_hash=digest, issued_at=at, status="valid",
    )  # fmt: skip
    statement.signed_snapshot = signatures.sign(statement)
    return statement


def _row(statement: Statement) -> dict:
    columns = ("code", "user_id", "period_start", "period_end", "snapshot", "snapshot_hash",
               "signed_snapshot", "issued_at", "status")  # fmt: skip
    return {column: getattr(statement, column) for column in columns}


def _lock_members(member_ids: list[int]) -> None:
    if member_ids:  # issue_statement()'s lock for many members: a no-op write on their rows
        db.session.execute(sa.update(User).where(User.id.in_(member_ids)).values(id=User.id))


def _issued_for(figured: list[tuple[int, dict, str]], period: Period) -> dict:
    """(member id, figures' hash) -> the valid statement already issued for them, in one query."""
    issued: dict[tuple[int, str], Statement] = {}
    if figured:
        for statement in db.session.scalars(
            sa.select(Statement)
            .where(
                Statement.user_id.in_({member_id for member_id, _s, _d in figured}),
                Statement.period_start == period.start,
                Statement.period_end == period.end,
                Statement.snapshot_hash.in_({digest for _m, _s, digest in figured}),
                Statement.status == "valid",
            )
            .order_by(Statement.issued_at.desc())
        ):
            issued.setdefault((statement.user_id, statement.snapshot_hash), statement)
    return issued


def issue_many(
    policy: CpdPolicy,
    members: list[tuple[User, MembershipStatus, list[LedgerEntry]]],
    period: Period,
    today: date,
    at: datetime | None = None,
) -> list[tuple[Statement, bool]]:
    """issue_statement(commit=False) for many members at once, in the order given: one query
    finds the statements already issued for their figures, one executemany inserts the new ones
    (the batch command; the caller commits). New statements come back unattached to the session,
    with every column a document shows but no id. Call it with no reading transaction open.

    It first takes issue_statement()'s lock of each member (until the caller commits): a member
    issuing theirs at the same moment waits, then finds the batch's statement (or the reverse)."""
    if period.end < period.start:
        raise CpdError(_l("The end of the period cannot be before its start."))
    member_ids = sorted({member.id for member, _status, _entries in members})
    _lock_members(member_ids)
    figured = [
        (member.id, *figures(policy, member, period, entries, today, status))
        for member, status, entries in members
    ]
    for attempt in range(5):
        if attempt:  # the rollback below let the locks go: take them again, read again
            _lock_members(member_ids)
        issued = _issued_for(figured, period)
        fresh = [(m, snap, digest) for m, snap, digest in figured if (m, digest) not in issued]
        made = {
            (member_id, digest): _signed(new_code(), member_id, period, snapshot, digest,
                                         at or utcnow())
            for member_id, snapshot, digest in fresh
        }  # fmt: skip
        try:  # one executemany, not an INSERT per statement (the objects stay unattached)
            if made:
                db.session.execute(sa.insert(Statement), [_row(s) for s in made.values()])
        except sa.exc.IntegrityError:  # a code already taken (astronomically rare): again
            db.session.rollback()
            continue
        return [
            (issued[key], False) if key in issued else (made[key], True)
            for key in ((member_id, digest) for member_id, _s, digest in figured)
        ]
    raise RuntimeError(_l("could not allocate a statement code"))


def find_by_code(text: str) -> Statement | None:
    """The statement a typed code refers to, whatever its case or dashes."""
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Statement).where(Statement.code == code))


def member_statements(user_id: int) -> list[Statement]:
    return list(
        db.session.scalars(
            sa.select(Statement)
            .where(Statement.user_id == user_id)
            .order_by(Statement.issued_at.desc())
        )
    )


def revoke_statement(
    statement: Statement, admin: User, reason: str, at: datetime | None = None
) -> None:
    """Mark a statement revoked with a reason; commits."""
    revoke_document(statement, "statement", admin, reason, at)
