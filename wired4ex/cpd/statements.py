"""CPD statements: the snapshot of a member's counted activities, its code, issue and lookup.

A statement is issued once per set of figures: asking again for the same member and period while
nothing changed returns the statement already issued, with its code.
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.catalog.structure import structure
from wired4ex.cpd import signatures
from wired4ex.cpd.models import Statement
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.cpd.services import CpdError, summarise
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.i18n import canonical, show_date
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.status import MembershipStatus, request_status

ASSOCIATION = "HeSMA East Africa (Health Systems Management Association)"
# No 0/O, 1/I/L: a code read from paper is typed back without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
SOURCE_LABELS = {
    "module": "Completed on Wired4EX",
    "claim": "Approved claim, verified by the secretariat",
    "adjustment": "Adjustment by the secretariat",
    "event": "Attendance recorded at the event",
}  # the English stored in snapshots (hashed): documents show SOURCE_NAMES in their language
SOURCE_NAMES = {
    "module": _l("Completed on Wired4EX"),
    "claim": _l("Approved claim, verified by the secretariat"),
    "adjustment": _l("Adjustment by the secretariat"),
    "event": _l("Attendance recorded at the event"),
}
STATEMENT_STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked")}
_SOURCE_BY_LABEL = {label: code for code, label in SOURCE_LABELS.items()}


def source_label(activity: dict) -> str:
    """How a snapshot's activity was verified, in the language of the page or document: from its
    source code, or from the English label snapshots store; other stored text as it was."""
    code = activity.get("source") or _SOURCE_BY_LABEL.get(activity.get("verified", ""))
    return str(SOURCE_NAMES[code]) if code in SOURCE_NAMES else activity.get("verified", "")


def period_label(snapshot: dict) -> str:
    """A snapshot's period for people: the cycle ("2026/27"), or its dates written out in the
    page's language when it is a range (stored as "2026-01-01 to 2026-06-30")."""
    period = snapshot["period"]
    if period["label"] != f"{period['start']} to {period['end']}":
        return period["label"]
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    return str(_l("%(start)s to %(end)s", start=show_date(start), end=show_date(end)))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """XXXX-XXXX-XXXX."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str | None:
    """A typed code in canonical form (upper case, no dashes or spaces), or None if malformed."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in "- \t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def _points(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.1")))


def _domains_covered(entries: list[LedgerEntry]) -> list[str]:
    """The names of the competency domains the entries address, in the framework's order (from
    the course structure read once per content version: no query per statement)."""
    codes = {code for entry in entries for code in (entry.competencies or [])}
    if not codes:
        return []
    framework = structure()
    covered = {
        framework.competencies[code].domain_code for code in codes if code in framework.competencies
    }
    return [domain.name for domain in framework.domains if domain.code in covered]


def build_snapshot(
    policy: CpdPolicy,
    member: User,
    period: Period,
    entries: list[LedgerEntry],
    today: date,
    status: MembershipStatus | None = None,
) -> dict:
    """Every figure a statement shows, as plain JSON (the thing that is hashed and stored).
    status: the member's membership status when the caller read it (else read here)."""
    span = Cycle(period.start, period.end)  # a date range is summed like a cycle
    status = status or request_status(member)
    summary = summarise(policy, entries, status.target_category, span, today)
    activities = [
        {
            "date": entry.activity_date.isoformat(),
            "title": entry.title,
            "provider": entry.provider,
            "category": policy.category_name(entry.category),
            "points": _points(entry.points),
            "verified": SOURCE_LABELS.get(entry.source, entry.source),
        }
        for entry in sorted(summary.entries, key=lambda e: (e.activity_date, e.id or 0))
    ]
    return {
        "association": ASSOCIATION,
        "member": {
            "name": member.full_name,
            # Only an approved membership gives a number, and only a current one a category.
            "membership_number": status.number or "",
            "category": status.target_category,
            "email": member.email,
            "membership": {
                "state": "verified"
                if status.verified
                else "lapsed"
                if status.state == "lapsed"
                else "not_verified",
                "lapsed_since": status.lapsed_since.isoformat() if status.lapsed_since else None,
            },  # fmt: skip
        },
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
        },  # fmt: skip
        "activities": activities,
        "categories": [
            {
                "name": total.name,
                "claimed": _points(total.claimed),
                "cap": _points(total.cap) if total.cap is not None else None,
                "counted": _points(total.counted),
                "minimum": _points(total.minimum) if total.minimum is not None else None,
            }
            for total in summary.categories
            if total.claimed or total.minimum
        ],
        "claimed": _points(summary.claimed),
        "counted": _points(summary.counted),
        "target": _points(summary.target) if summary.target is not None else None,
        "target_met": summary.target_met,
        "exempt": summary.exempt,
        "domains": _domains_covered(summary.entries),
    }


def snapshot_hash(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def figures(
    policy: CpdPolicy,
    member: User,
    period: Period,
    entries: list[LedgerEntry],
    today: date,
    status: MembershipStatus | None = None,
) -> tuple[dict, str]:
    """The snapshot of a member's figures for a period, and its hash (language-independent)."""
    with canonical():  # the same figures give the same statement in any language
        snapshot = build_snapshot(policy, member, period, entries, today, status)
    return snapshot, snapshot_hash(snapshot)


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


Coded = TypeVar("Coded")  # a model with a unique verification `code`


def add_with_new_code(make: Callable[[str], Coded]) -> Coded:
    """Add the record `make(code)` builds with a fresh verification code, flushed; on a code
    collision (astronomically rare; the unique constraint catches it) roll back and try another.
    Statements and certificates of attendance are issued through it."""
    for _attempt in range(5):
        record = make(new_code())
        db.session.add(record)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            db.session.rollback()
            continue
        return record
    raise RuntimeError(_l("could not allocate a statement code"))


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


def revoke_document(
    document, kind: str, admin: User, reason: str, at: datetime | None = None
) -> None:
    """Revoke a verifiable document (a statement or a certificate) with a reason; commits.

    Verifying it afterwards says it was revoked, and when. kind names it in messages and the
    audit log ("statement", "certificate").
    """
    reason = (reason or "").strip()
    certificate = kind == "certificate"
    if not reason:
        raise CpdError(
            _l("Give the reason for revoking the certificate.")
            if certificate
            else _l("Give the reason for revoking the statement.")
        )
    if document.status == "revoked":
        raise CpdError(
            _l("This certificate is already revoked.")
            if certificate
            else _l("This statement is already revoked.")
        )
    document.status = "revoked"
    document.revoked_at = at or utcnow()
    document.revoked_reason = reason
    audit.record(
        f"{kind}.revoked", kind, document.id, actor_id=admin.id,
        member_id=document.user_id, before={"status": "valid"},
        after={"status": "revoked", "reason": reason},
    )  # fmt: skip
    if certificate:  # the holder is told in the revocation's own transaction
        from wired4ex.notifications.outbox import notify, path_for

        notify(db.session.get(User, document.user_id), "certificate_revoked", str(document.id),
               {"certificate_id": document.id, "title": document.programme_name},
               path_for("certification.index"))  # fmt: skip
    db.session.commit()


def revoke_statement(
    statement: Statement, admin: User, reason: str, at: datetime | None = None
) -> None:
    """Mark a statement revoked with a reason; commits."""
    revoke_document(statement, "statement", admin, reason, at)
