"""What the member's home page shows, each figure from the package that owns it."""

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.certification import services as certification
from wired4ex.certification.models import Certificate
from wired4ex.cpd.glance import Glance, cpd_at_a_glance, glance_cycle
from wired4ex.cpd.policy import Cycle
from wired4ex.extensions import db
from wired4ex.learning import records
from wired4ex.learning import services as learning
from wired4ex.learning.models import LedgerEntry
from wired4ex.learning.records import MemberRecords
from wired4ex.membership.services import MembershipStatus, request_status


class RenewalDue(NamedTuple):
    """What the dashboard reads of a certificate (`certification.expiring_among` and the
    renewal banner): its columns, not the whole row as an object."""

    id: int
    programme_code: str
    programme_name: str
    expires_on: date | None
    status: str

    state_on = Certificate.state_on  # the certificate's own rule: valid, expired or revoked


CERTIFICATE_COLUMNS = (
    Certificate.id, Certificate.programme_code, Certificate.programme_name,
    Certificate.expires_on, Certificate.status,
)  # fmt: skip


@dataclass
class Home:
    learning: learning.Dashboard  # courses in progress and completed, where to resume
    standing: Glance | None  # the current CPD cycle; None before the policy is synced
    renewals: list[Certificate | RenewalDue]  # certificates expiring soon
    membership: MembershipStatus  # for the reminder before it lapses (read once per request)


def home(member: User, today: date) -> Home:
    """The member's progress, CPD standing in the current cycle and certificates due for renewal."""
    cycle = glance_cycle(today)
    if cycle is None:
        standing = cpd_at_a_glance(member, today)
        renewals = certification.expiring_certificates(member.id, today)
        board = learning.dashboard(member.id, today)
    else:
        mine, entries, certificates = _records_entries_and_certificates(member.id, cycle)
        standing = cpd_at_a_glance(member, today, entries)
        renewals = certification.expiring_among(certificates, today)
        board = learning.dashboard(member.id, today, mine)
    return Home(
        learning=board,
        standing=standing,
        renewals=renewals,
        membership=request_status(member),
    )


class _Entry(NamedTuple):
    """What the CPD standing reads of a ledger entry (`standing.summarise`)."""

    id: int
    activity_date: date
    category: str
    points: Decimal
    source: str


ENTRY_COLUMNS = (
    LedgerEntry.id, LedgerEntry.activity_date, LedgerEntry.category, LedgerEntry.points,
    LedgerEntry.source,
)  # fmt: skip


def _records_entries_and_certificates(
    user_id: int, cycle: Cycle
) -> tuple[MemberRecords, list[_Entry], list[RenewalDue]]:
    """In one statement: the member's learning records (`learning.records`), their ledger
    entries in the cycle, oldest first (as `cpd.services.ledger_entries` reads them), and the
    certificates that `certification.expiring_certificates` reads (as RenewalDue).

    Run on the session's connection: plain rows, without the ORM's result handling (nothing
    here is an ORM object, and a page that only reads has nothing to flush)."""
    params = {"user_id": user_id, "start": cycle.start, "end": cycle.end}
    width = len(records.statement().selected_columns)
    entry_end = width + len(ENTRY_COLUMNS)
    entries: list[_Entry] = []
    certificates: list[RenewalDue] = []
    rows = []
    for row in db.session.connection().execute(_statement(), params).all():  # one fetch
        kind = row[0]
        if kind == LEDGER:
            if row[width] is not None:
                entries.append(_Entry(*row[width:entry_end]))
        elif kind == CERTIFICATES:
            if row[entry_end] is not None:
                certificates.append(RenewalDue(*row[entry_end:]))
        else:
            rows.append(row[:width])
    mine = records.records_from_rows(user_id, rows, records.EnrolmentRow)  # read, not changed
    return mine, entries, certificates


LEDGER, CERTIFICATES = "ledger", "certs"


@functools.cache
def _statement() -> sa.Select:
    """The learning records' rows, and two more rows (kinds LEDGER and CERTIFICATES), each
    joined to one of the two (a row with nothing joined when there is none). Built once, with
    bound parameters (user_id, start, end); ordered by kind and id (the enrolments in the order
    they were made)."""
    learning_rows = records.statement()
    nulls = [sa.cast(sa.null(), column.type) for column in learning_rows.selected_columns][1:]
    kind_type = learning_rows.selected_columns[0].type
    rows = sa.union_all(
        *learning_rows.selects,
        sa.select(sa.literal(LEDGER, kind_type), *nulls),
        sa.select(sa.literal(CERTIFICATES, kind_type), *nulls),
    ).subquery()
    kind, first = rows.c[0], rows.c[1]
    user_id = sa.bindparam("user_id")
    in_cycle = sa.and_(
        kind == LEDGER,
        LedgerEntry.user_id == user_id,
        LedgerEntry.activity_date >= sa.bindparam("start"),
        LedgerEntry.activity_date <= sa.bindparam("end"),
    )
    valid = sa.and_(kind == CERTIFICATES, certification.valid_certificates_of(user_id))
    return (
        sa.select(*rows.c, *ENTRY_COLUMNS, *CERTIFICATE_COLUMNS)
        .select_from(rows)
        .outerjoin(LedgerEntry, in_cycle)
        .outerjoin(Certificate, valid)
        .order_by(kind, first, LedgerEntry.activity_date, LedgerEntry.id, Certificate.id)
    )
