"""Bringing the existing register in: a CSV of members, checked whole, imported all or nothing.

`plan_import(data)` reads and checks every row against the file and the database and says what
would be created, updated and refused, with the CSV line and the reason; it changes nothing.
`apply_import(data, by=admin)` plans again and, only when no row is refused, creates the accounts
and grants or updates the memberships in one transaction (numbers given in the file are kept and
checked unique; empty ones are assigned by `services.grant_membership`). New accounts have no
usable password: `invitations.send_invitations` mails each a set-your-password link.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from wired4ex.auth.models import MembershipCategory, User
from wired4ex.extensions import db
from wired4ex.fields import latest_period_date
from wired4ex.membership import rowcheck
from wired4ex.membership.csvfile import read_csv
from wired4ex.membership.models import Membership
from wired4ex.timeutil import local_today

COLUMNS = (
    "name",
    "email",
    "category",
    "membership_number",
    "start_date",
    "renewal_date",
    "country",
    "language",
)
REQUIRED = COLUMNS[:7]
NEVER_LAPSE = {MembershipCategory.LIFE.value, MembershipCategory.HONORARY.value}
# An account created by the import has no password anyone can type: argon2 refuses this text as a
# hash, so no login succeeds until the member sets a password through the invitation link.
NO_PASSWORD = "!imported: set through the invitation link"
CHUNK = 500

CREATE, UPDATE, REFUSE = "create", "update", "refuse"


@dataclass
class RowPlan:
    """What the import would do with one CSV row."""

    line: int
    email: str
    name: str = ""
    category: str = ""
    number: str | None = None  # as given in the file; None: assigned by the system
    started_on: date | None = None
    renews_on: date | None = None
    country: str = ""
    language: str = "en"
    action: str = CREATE
    reasons: list[str] = field(default_factory=list)
    user_id: int | None = None
    changes: list[str] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.action = REFUSE
        self.reasons.append(reason)


@dataclass
class ImportReport:
    """Every row's fate, and the problems that stop the file being read at all."""

    rows: list[RowPlan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    applied: bool = False
    invited: list[int] = field(default_factory=list)  # ids of the accounts created

    def _with(self, action: str) -> list[RowPlan]:
        return [row for row in self.rows if row.action == action]

    @property
    def created(self) -> list[RowPlan]:
        return self._with(CREATE)

    @property
    def updated(self) -> list[RowPlan]:
        return self._with(UPDATE)

    @property
    def refused(self) -> list[RowPlan]:
        return self._with(REFUSE)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.refused and bool(self.rows)

    @property
    def refused_lines(self) -> list[int]:
        return [row.line for row in self.refused]


def _check_row(values: dict[str, str], line: int, today: date) -> RowPlan:
    """The checks one row passes or fails on its own."""
    email, problem = rowcheck.check_email(values["email"])
    row = RowPlan(line=line, email=email or values["email"])
    if problem:
        row.refuse(problem)
    name, problem = rowcheck.check_text(values["name"], "name", 120)
    row.name = name or values["name"]
    if problem:
        row.refuse(problem)
    category = values["category"].lower()
    if category not in {c.value for c in MembershipCategory}:
        row.refuse(
            str(
                _l(
                    "category \u201c%(value)s\u201d is not one of %(choices)s.",
                    value=values["category"],
                    choices=", ".join(c.value for c in MembershipCategory),
                )
            )
        )
    elif category == MembershipCategory.CORPORATE:
        row.refuse(
            str(
                _l(
                    "category corporate: an organisation's membership needs its contact person "
                    "and number of seats; grant it on the memberships page."
                )
            )
        )
    row.category = category
    if values["membership_number"]:
        row.number, problem = rowcheck.check_number(values["membership_number"], today.year)
        if problem:
            row.refuse(problem)
    latest = latest_period_date()
    row.started_on, problem = rowcheck.check_date(values["start_date"], "start_date", latest)
    if problem:
        row.refuse(problem)
    if values["renewal_date"]:
        if category in NEVER_LAPSE:
            row.refuse(
                str(
                    _l(
                        "renewal_date: a %(category)s membership never lapses; leave it empty.",
                        category=category,
                    )
                )
            )
        else:
            row.renews_on, problem = rowcheck.check_date(
                values["renewal_date"], "renewal_date", latest.replace(year=latest.year + 10)
            )
            if problem:
                row.refuse(problem)
            elif row.started_on and row.renews_on <= row.started_on:
                row.refuse(str(_l("renewal_date must be after start_date.")))
    row.country, problem = rowcheck.check_country(values["country"])
    if problem:
        row.refuse(problem)
    language = (values.get("language") or "").lower() or current_app.config["BABEL_DEFAULT_LOCALE"]
    if language not in current_app.config["LANGUAGES"]:
        row.refuse(str(_l("language \u201c%(value)s\u201d is not en or sw.", value=language)))
    row.language = language
    return row


def _chunks(values: list) -> list[list]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


DUPLICATE_MESSAGES = {
    "email": _l("email %(value)s is also on line %(line)d."),
    "number": _l("membership_number %(value)s is also on line %(line)d."),
}


def _check_duplicates(rows: list[RowPlan]) -> None:
    """A second row with an e-mail or a number already on an earlier line is refused."""
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        for column in ("email", "number"):
            value = getattr(row, column)
            if not value:
                continue
            if (column, value) in first:
                message = DUPLICATE_MESSAGES[column]
                row.refuse(message % {"value": value, "line": first[column, value]})
            else:
                first[column, value] = row.line


def _check_database(rows: list[RowPlan]) -> None:
    """Existing accounts become updates; numbers held by someone else are refused."""
    emails = [row.email for row in rows]
    accounts: dict[str, tuple[int, bool]] = {}
    for part in _chunks(emails):
        query = sa.select(User.email, User.id, User.is_active_account).where(User.email.in_(part))
        accounts.update({email: (uid, active) for email, uid, active in db.session.execute(query)})
    user_ids = [uid for uid, _active in accounts.values()]
    held: dict[int, tuple[str, str, date, date | None]] = {}
    for part in _chunks(user_ids):
        query = sa.select(
            Membership.user_id,
            Membership.number,
            Membership.category,
            Membership.started_on,
            Membership.renews_on,
        ).where(Membership.user_id.in_(part))
        held.update({row[0]: tuple(row[1:]) for row in db.session.execute(query)})
    numbers = [row.number for row in rows if row.number]
    owners: dict[str, int] = {}
    for part in _chunks(numbers):
        query = sa.select(sa.func.upper(Membership.number), Membership.user_id).where(
            sa.func.upper(Membership.number).in_(part)
        )
        owners.update(dict(db.session.execute(query).all()))
    for row in rows:
        account = accounts.get(row.email)
        if account is not None:
            row.user_id, active = account
            if not active:
                row.refuse(str(_l("email %(value)s belongs to a closed account.", value=row.email)))
                continue
            if row.action != REFUSE:
                row.action = UPDATE
            current = held.get(row.user_id)
            if current is not None:
                _describe_update(row, *current)
        if row.number and row.number in owners and owners[row.number] != row.user_id:
            row.refuse(
                str(
                    _l(
                        "membership_number %(value)s is already held by another member.",
                        value=row.number,
                    )
                )
            )


def _describe_update(row: RowPlan, number, category, started_on, renews_on) -> None:
    """What changes for a member who already holds a membership (their number stays)."""
    if row.number and row.number != number.upper():
        row.refuse(
            str(
                _l(
                    "membership_number: this member already holds %(held)s, not %(given)s; "
                    "leave the cell empty or correct it.",
                    held=number,
                    given=row.number,
                )
            )
        )
        return
    if category == MembershipCategory.CORPORATE and row.category != category:
        row.refuse(
            str(
                _l(
                    "category: this member holds a corporate membership with staff seats; "
                    "change it on their membership page."
                )
            )
        )
        return
    if category != row.category:
        row.changes.append(f"category: {category} \u2192 {row.category}")
    if row.started_on and started_on != row.started_on:
        row.changes.append(f"start_date: {started_on} \u2192 {row.started_on}")
    if row.renews_on and renews_on != row.renews_on:
        row.changes.append(f"renewal_date: {renews_on or '-'} \u2192 {row.renews_on}")
    elif row.category in NEVER_LAPSE and renews_on is not None:
        row.changes.append(f"renewal_date: {renews_on} \u2192 -")


def plan_import(data: bytes) -> ImportReport:
    """What importing this file would do, row by row; changes nothing."""
    csv_file = read_csv(data, COLUMNS, REQUIRED)
    report = ImportReport(problems=csv_file.problems)
    if csv_file.problems:
        return report
    today = local_today()
    rows = [_check_row(row.values, row.line, today) for row in csv_file.rows]
    for line, reason in csv_file.broken.items():
        broken = RowPlan(line=line, email="")
        broken.refuse(reason)
        rows.append(broken)
    rows.sort(key=lambda row: row.line)
    checked = [row for row in rows if row.email]
    _check_duplicates(checked)
    _check_database(checked)
    report.rows = rows
    return report
