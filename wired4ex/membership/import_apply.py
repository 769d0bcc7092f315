"""Carrying out a register import that passed every check: one transaction, all or nothing."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.extensions import db
from wired4ex.membership import services
from wired4ex.membership.imports import CREATE, NO_PASSWORD, ImportReport, RowPlan, plan_import
from wired4ex.membership.models import Membership
from wired4ex.membership.services import MembershipError


def _new_accounts(rows: list[RowPlan]) -> dict[int, User]:
    """The accounts of the rows that create one, inserted (not committed), by CSV line."""
    users = {}
    for row in rows:
        if row.action != CREATE:
            continue
        user = User(
            email=row.email,
            full_name=row.name,
            password_hash=NO_PASSWORD,
            membership_category=row.category,
            country=row.country,
            language=row.language,
        )
        user.roles = [UserRole(name=RoleName.MEMBER.value)]
        users[row.line] = user
    db.session.add_all(users.values())
    db.session.flush()
    return users


def _update(row: RowPlan, membership: Membership, by: User) -> None:
    """A member already holding a membership: category and dates as the register has them."""
    before = {
        "category": membership.category,
        "started_on": membership.started_on.isoformat(),
        "renews_on": membership.renews_on and membership.renews_on.isoformat(),
    }
    membership.category = row.category
    membership.started_on = row.started_on
    if row.renews_on is not None or row.category in ("life", "honorary"):
        membership.renews_on = row.renews_on
    membership.user.membership_category = row.category
    after = {
        "category": membership.category,
        "started_on": membership.started_on.isoformat(),
        "renews_on": membership.renews_on and membership.renews_on.isoformat(),
    }
    if before != after:
        audit.record("membership.imported", "membership", membership.id, by.id,
                     membership.user_id, before=before, after=after)  # fmt: skip


def apply_import(data: bytes, *, by: User) -> ImportReport:
    """Import the file when every row passes; otherwise nothing. Commits once.

    The returned report says what was done (`applied`) or why nothing was; `invited` lists the
    accounts created, for `invitations.send_invitations` after the commit."""
    report = plan_import(data)
    if not report.ok:
        return report
    try:
        users = _new_accounts(report.rows)
        existing = {
            membership.user_id: membership
            for membership in db.session.scalars(
                sa.select(Membership).where(
                    Membership.user_id.in_([row.user_id for row in report.updated])
                )
            )
        } if report.updated else {}  # fmt: skip
        for row in report.rows:
            user = users.get(row.line) or db.session.get(User, row.user_id)
            if row.user_id in existing:
                _update(row, existing[row.user_id], by)
                continue
            try:
                services.grant_membership(
                    user,
                    row.category,
                    by=by,
                    started_on=row.started_on,
                    number=row.number,
                    reason=str(_l("Imported from the register (line %(line)d).", line=row.line)),
                    renews_on=row.renews_on,
                )
            except MembershipError as error:
                db.session.rollback()
                row.refuse(str(error))
                return report
        audit.record("membership.register_imported", "membership_import", "csv", by.id,
                     after={"created": len(report.created), "updated": len(report.updated)})  # fmt: skip
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        report.problems.append(
            str(
                _l(
                    "Someone registered or was granted one of these e-mail addresses or numbers "
                    "while the file was imported. Nothing was imported: check the file again."
                )
            )
        )
        return report
    report.applied = True
    report.invited = [user.id for user in users.values()]
    return report
