"""Renewals recorded from a CSV (the bank's or M-Pesa's statement, reworked in a spreadsheet).

Columns `membership_number,renewed_on,amount,reference`. Every row is checked on its own and
against the database, then each passes through `services.record_renewal` (the one owner of the
renewal rules: the period, the CPD target a category may require) inside one transaction. The
preview runs exactly that and rolls back, so it reports what the real run would refuse; the real
run commits only when no row is refused.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.extensions import db
from wired4ex.membership import rowcheck, services
from wired4ex.membership.csvfile import read_csv
from wired4ex.membership.models import Membership, MembershipRenewal
from wired4ex.timeutil import local_today

COLUMNS = ("membership_number", "renewed_on", "amount", "reference")
CHUNK = 500


@dataclass
class RenewalRow:
    line: int
    number: str
    renewed_on: date | None = None
    amount: Decimal | None = None
    reference: str = ""
    member_name: str = ""
    membership_id: int | None = None
    renews_on: date | None = None  # the renewal date the renewal sets (after the run)
    reasons: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.reasons)


@dataclass
class RenewalReport:
    rows: list[RenewalRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def refused(self) -> list[RenewalRow]:
        return [row for row in self.rows if row.refused]

    @property
    def accepted(self) -> list[RenewalRow]:
        return [row for row in self.rows if not row.refused]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.refused and bool(self.rows)


def _check_row(values: dict[str, str], line: int, today: date) -> RenewalRow:
    row = RenewalRow(line=line, number=values["membership_number"].upper())
    if not row.number:
        row.reasons.append(str(_l("membership_number is empty.")))
    row.renewed_on, problem = rowcheck.check_date(values["renewed_on"], "renewed_on", today)
    if problem:
        row.reasons.append(problem)
    row.amount, problem = rowcheck.check_amount(values["amount"])
    if problem:
        row.reasons.append(problem)
    reference, problem = rowcheck.check_text(values["reference"], "reference", 60)
    row.reference = reference or values["reference"]
    if problem:
        row.reasons.append(problem)
    return row


def _check_database(rows: list[RenewalRow]) -> None:
    numbers = list({row.number for row in rows if row.number})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(numbers), CHUNK):
        query = (
            sa.select(sa.func.upper(Membership.number), Membership.id, User.full_name)
            .join(User, User.id == Membership.user_id)
            .where(sa.func.upper(Membership.number).in_(numbers[start : start + CHUNK]))
        )
        found.update({number: (mid, name) for number, mid, name in db.session.execute(query)})
    references = [row.reference.upper() for row in rows if row.reference]
    recorded: set[str] = set()
    for start in range(0, len(references), CHUNK):
        recorded.update(
            db.session.scalars(
                sa.select(MembershipRenewal.reference).where(
                    MembershipRenewal.reference.in_(references[start : start + CHUNK])
                )
            )
        )
    first_line: dict[str, int] = {}
    for row in rows:
        if row.number and row.number not in found:
            row.reasons.append(
                str(
                    _l(
                        "membership_number %(value)s: no membership has this number.",
                        value=row.number,
                    )
                )
            )
        elif row.number:
            row.membership_id, row.member_name = found[row.number]
        if not row.reference:
            continue
        if row.reference.upper() in recorded:
            row.reasons.append(
                str(
                    _l(
                        "reference %(value)s is already recorded for a renewal.",
                        value=row.reference,
                    )
                )
            )
        key = row.reference.upper()
        if key in first_line:
            row.reasons.append(
                str(
                    _l(
                        "reference %(value)s is also on line %(line)d.",
                        value=row.reference,
                        line=first_line[key],
                    )
                )
            )
        else:
            first_line[key] = row.line


def _record_all(report: RenewalReport, by: User) -> None:
    """Record every row through the service (inside the current transaction, not committed)."""
    memberships = {}
    ids = [row.membership_id for row in report.rows]
    for start in range(0, len(ids), CHUNK):
        for membership in db.session.scalars(
            sa.select(Membership).where(Membership.id.in_(ids[start : start + CHUNK]))
        ):
            memberships[membership.id] = membership
    for row in sorted(report.rows, key=lambda r: (r.renewed_on, r.line)):
        try:  # the service checks everything before it changes anything
            renewal = services.record_renewal(
                memberships[row.membership_id],
                renewed_on=row.renewed_on,
                amount=row.amount,
                reference=row.reference,
                by=by,
            )
        except services.RenewalRefused as error:
            row.reasons.append(str(error))
            continue
        row.renews_on = renewal.renews_on


def run_renewals(data: bytes, *, by: User, apply: bool) -> RenewalReport:
    """Check the file and run every renewal; commit only when `apply` and no row is refused."""
    csv_file = read_csv(data, COLUMNS, COLUMNS)
    report = RenewalReport(problems=csv_file.problems)
    if csv_file.problems:
        return report
    today = local_today()
    report.rows = [_check_row(row.values, row.line, today) for row in csv_file.rows]
    for line, reason in csv_file.broken.items():
        report.rows.append(RenewalRow(line=line, number="", reasons=[reason]))
    report.rows.sort(key=lambda row: row.line)
    _check_database([row for row in report.rows if not row.refused])
    if report.refused:
        return report
    _record_all(report, by)
    if apply and report.ok:
        audit.record("membership.renewals_imported", "membership_import", "csv", by.id,
                     after={"renewals": len(report.rows)})  # fmt: skip
        db.session.commit()
        report.applied = True
    else:
        db.session.rollback()
    return report
