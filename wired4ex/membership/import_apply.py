"""Carrying out a register import that passed every check: one transaction, all or nothing.

This is the bulk form of `services.grant_membership` (5,000 rows in seconds, not minutes): the
same rules, checked for the whole file by `plan_import` (category, dates, the person holds no
membership yet, given numbers free), numbers the system gives come from
`services.allocate_number`, renewal dates from `services.renewal_date`, and each membership gets
the same `membership.granted` audit event. Rows are written with multi-row INSERTs; a number or
e-mail taken meanwhile by someone else hits the unique constraints and nothing is imported.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.membership import services
from wired4ex.membership.imports import (
    CREATE,
    NEVER_LAPSE,
    NO_PASSWORD,
    ImportReport,
    RowPlan,
    plan_import,
)
from wired4ex.membership.models import Membership
from wired4ex.membership.services import SYSTEM_NUMBER, MembershipError

CHUNK = 500


def _new_accounts(rows: list[RowPlan]) -> None:
    """Insert the accounts of the rows that create one and note their ids on the rows."""
    creating = [row for row in rows if row.action == CREATE]
    for start in range(0, len(creating), CHUNK):
        part = creating[start : start + CHUNK]
        ids = db.session.scalars(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": row.email,
                    "full_name": row.name,
                    "password_hash": NO_PASSWORD,
                    "membership_category": row.category,
                    "membership_number": row.number,
                    "country": row.country,
                    "language": row.language,
                    "email_confirmed_at": utcnow(),
                }
                for row in part
            ],  # fmt: skip
        ).all()
        for row, user_id in zip(part, ids, strict=True):
            row.user_id = user_id
        db.session.execute(
            sa.insert(UserRole), [{"user_id": uid, "name": RoleName.MEMBER.value} for uid in ids]
        )


def _reserve_given_numbers(rows: list[RowPlan]) -> None:
    """Numbers kept from the old register in the system's form move their year's counter past
    them (grant_membership's own step, once per year with that year's highest number), so a
    number assigned later never repeats one."""
    highest: dict[int, int] = {}
    for row in rows:
        match = SYSTEM_NUMBER.match(row.number or "")
        if match:
            year, sequence = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), sequence)
    for year, sequence in sorted(highest.items()):
        services._reserve_given_number(services.NUMBER_FORMAT.format(year=year, sequence=sequence))


def _renews_on(row: RowPlan) -> date | None:
    if row.category in NEVER_LAPSE:
        return None
    return row.renews_on or services.renewal_date(row.category, row.started_on)


def _grant_all(rows: list[RowPlan], by: User | None) -> None:
    """Memberships for the rows whose person holds none yet, with their audit events."""
    actor = by.id if by else None
    values = []
    for row in rows:
        number = row.number or services.allocate_number(row.started_on.year)
        values.append({
            "user_id": row.user_id, "category": row.category, "number": number,
            "started_on": row.started_on, "renews_on": _renews_on(row), "granted_by_id": actor,
            "reason": str(_l("Imported from the register (line %(line)d).", line=row.line)),
        })  # fmt: skip
    now = utcnow()
    for start in range(0, len(values), CHUNK):
        part = values[start : start + CHUNK]
        ids = db.session.scalars(
            sa.insert(Membership).returning(Membership.id, sort_by_parameter_order=True), part
        ).all()
        db.session.execute(sa.insert(AuditEvent), [
            {"action": "membership.granted", "subject_type": "membership", "subject_id": str(mid),
             "actor_id": actor, "member_id": value["user_id"], "before": None, "at": now,
             "after": {"category": value["category"], "number": value["number"],
                       "started_on": value["started_on"].isoformat(),
                       "renews_on": value["renews_on"] and value["renews_on"].isoformat(),
                       "reason": value["reason"]}}
            for mid, value in zip(ids, part, strict=True)
        ])  # fmt: skip
        # The account's own columns mirror the membership (as grant_membership keeps them).
        db.session.execute(sa.update(User), [
            {"id": v["user_id"], "membership_category": v["category"],
             "membership_number": v["number"]} for v in part
        ])  # fmt: skip


def _update(row: RowPlan, membership: Membership, by: User | None) -> None:
    """A member already holding a membership: category and dates as the register has them."""

    def state() -> dict:
        return {"category": membership.category, "started_on": membership.started_on.isoformat(),
                "renews_on": membership.renews_on and membership.renews_on.isoformat()}  # fmt: skip

    before = state()
    membership.category = row.category
    membership.started_on = row.started_on
    if row.renews_on is not None or row.category in NEVER_LAPSE:
        membership.renews_on = row.renews_on
    membership.user.membership_category = row.category
    after = state()
    if before != after:
        audit.record("membership.imported", "membership", membership.id, by.id if by else None,
                     membership.user_id, before=before, after=after)  # fmt: skip


def apply_import(data: bytes, *, by: User | None) -> ImportReport:
    """Import the file when every row passes; otherwise nothing. Commits once.

    The returned report says what was done (`applied`) or why nothing was; `invited` lists the
    accounts created, for `invitations.send_invitations` after the commit."""
    report = plan_import(data)
    if not report.ok:
        return report
    try:
        _reserve_given_numbers(report.rows)
        _new_accounts(report.rows)
        held = {
            membership.user_id: membership
            for start in range(0, len(report.updated), CHUNK)
            for membership in db.session.scalars(
                sa.select(Membership).where(Membership.user_id.in_(
                    [row.user_id for row in report.updated[start : start + CHUNK]]))
            )
        }  # fmt: skip
        for row in report.updated:
            if row.user_id in held:
                _update(row, held[row.user_id], by)
        _grant_all([row for row in report.rows if row.user_id not in held], by)
        audit.record("membership.register_imported", "membership_import", "csv",
                     by.id if by else None,
                     after={"created": len(report.created), "updated": len(report.updated)})  # fmt: skip
        db.session.commit()
    except (sa.exc.IntegrityError, MembershipError) as error:
        db.session.rollback()
        report.problems.append(
            str(error)
            if isinstance(error, MembershipError)
            else str(
                _l(
                    "Someone registered or was granted one of these e-mail addresses or numbers "
                    "while the file was imported. Nothing was imported: check the file again."
                )
            )
        )
        return report
    report.applied = True
    report.invited = [row.user_id for row in report.created]
    return report
