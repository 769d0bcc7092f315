"""What My CPD reads of a member, in one statement and as columns: the days they have ledger
entries on (the cycles they have activity in), their entries in one cycle, and their claims
(with, for the claims waiting on the member, the secretariat's questions)."""

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from wired4ex.cpd.models import Claim, ClaimInfoRequest
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry


class ListedEntry(NamedTuple):
    """What My CPD shows and counts of a ledger entry (read as columns, not as an object)."""

    id: int
    activity_date: date
    title: str
    provider: str
    category: str
    points: Decimal
    reason: str | None
    source: str


class Question(NamedTuple):
    question: str
    replied_at: datetime | None


@dataclass
class ListedClaim:
    """What My CPD shows of a claim: not its reflection, competencies or evidence file's
    details (the claim's own page shows them)."""

    id: int
    title: str
    provider: str
    end_date: date
    status: str
    points_claimed: Decimal
    points_approved: Decimal | None
    decision_reason: str | None
    questions: list[Question] = field(default_factory=list)  # by round

    @property
    def open_request(self) -> Question | None:
        """As `Claim.open_request`: the question the member has yet to answer."""
        if self.status != "info_requested" or not self.questions:
            return None
        last = self.questions[-1]
        return last if last.replied_at is None else None


ENTRY_COLUMNS = (
    LedgerEntry.id, LedgerEntry.activity_date, LedgerEntry.title, LedgerEntry.provider,
    LedgerEntry.category, LedgerEntry.points, LedgerEntry.reason, LedgerEntry.source,
)  # fmt: skip
CLAIM_COLUMNS = (
    Claim.id, Claim.title, Claim.provider, Claim.end_date, Claim.status, Claim.points_claimed,
    Claim.points_approved, Claim.decision_reason,
)  # fmt: skip


@dataclass
class MyCpd:
    ledger_dates: set[date] = field(default_factory=set)
    entries: list[ListedEntry] = field(default_factory=list)  # from start to end, oldest first
    # Newest first (end date, then id), as `services.member_claims` orders them; the claims
    # waiting on the member with the secretariat's questions.
    claims: list[ListedClaim] = field(default_factory=list)


def read(user_id: int, start: date, end: date) -> MyCpd:
    """The member's ledger days, their entries from `start` to `end` (as
    `services.ledger_entries` orders them) and their claims."""
    found = MyCpd()
    params = {"user_id": user_id, "start": start, "end": end}
    entry_end = 2 + len(ENTRY_COLUMNS)
    claim_end = entry_end + len(CLAIM_COLUMNS)
    claim = None
    for row in db.session.execute(_statement(), params):
        if row[0] == 1:
            if row[1] is not None:
                found.ledger_dates.add(row[1])
            if row[2] is not None:
                found.entries.append(ListedEntry(*row[2:entry_end]))
        elif row[entry_end] is not None:
            if claim is None or claim.id != row[entry_end]:  # a row per question
                claim = ListedClaim(*row[entry_end:claim_end])
                found.claims.append(claim)
            if row[claim_end] is not None:
                claim.questions.append(Question(*row[claim_end:]))
    return found


@functools.cache
def _statement() -> sa.Select:
    """Two rows of a one-column table: the first joined to the member's ledger days and each
    day's entries within the dates, the second to their claims (and each claim waiting on the
    member to its questions, by round). Built once, with bound parameters (user_id, start,
    end)."""
    user_id = sa.bindparam("user_id")
    sides = sa.union_all(
        sa.select(sa.literal(1).label("side")), sa.select(sa.literal(2))
    ).subquery()
    days = (
        sa.select(LedgerEntry.activity_date.label("day"))
        .where(LedgerEntry.user_id == user_id)
        .distinct()
        .subquery()
    )
    in_range = sa.and_(
        LedgerEntry.user_id == user_id,
        LedgerEntry.activity_date == days.c.day,
        days.c.day >= sa.bindparam("start"),
        days.c.day <= sa.bindparam("end"),
    )
    waiting = sa.and_(ClaimInfoRequest.claim_id == Claim.id, Claim.status == "info_requested")
    return (
        sa.select(
            sides.c.side,
            days.c.day,
            *ENTRY_COLUMNS,
            *CLAIM_COLUMNS,
            ClaimInfoRequest.question,
            ClaimInfoRequest.replied_at,
        )  # fmt: skip
        .select_from(sides)
        .outerjoin(days, sides.c.side == 1)
        .outerjoin(LedgerEntry, in_range)
        .outerjoin(Claim, sa.and_(sides.c.side == 2, Claim.user_id == user_id))
        .outerjoin(ClaimInfoRequest, waiting)
        .order_by(
            sides.c.side,
            days.c.day,
            LedgerEntry.id,
            Claim.end_date.desc(),
            Claim.id.desc(),
            ClaimInfoRequest.round,
        )  # fmt: skip
    )


def entries_between(user_id: int, start: date, end: date) -> list[ListedEntry]:
    """The member's entries from `start` to `end`, oldest first, as `read` gives them (for a
    cycle other than the one `read` was asked for)."""
    statement = (
        sa.select(*ENTRY_COLUMNS)
        .where(LedgerEntry.user_id == user_id)
        .where(LedgerEntry.activity_date >= start, LedgerEntry.activity_date <= end)
        .order_by(LedgerEntry.activity_date, LedgerEntry.id)
    )
    return [ListedEntry(*row) for row in db.session.execute(statement)]
