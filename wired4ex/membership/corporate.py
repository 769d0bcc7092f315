"""Corporate seats: an organisation's contact person invites staff by e-mail, up to the seats of
its membership; a person accepts with an account using that (confirmed) address; the contact sees
the staff's progress and CPD standing, read-only, and a CSV of it.

Only the contact (the holder of the corporate membership) sees their organisation's staff, and
only while the person has accepted: an invitation shares nothing until it is accepted.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import MembershipCategory, User
from wired4ex.auth.services import normalise_email
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.standing import CpdSummary, summarise
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment, LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.membership.register_models import CorporateSeat
from wired4ex.membership.rowcheck import check_email
from wired4ex.membership.services import status_from
from wired4ex.timeutil import local_today


class SeatError(ValueError):
    """A seat use case refused; the message is safe to show."""


def contact_membership(user: User) -> Membership | None:
    """The corporate membership this person is the contact of, if any."""
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.category == MembershipCategory.CORPORATE
        )
    )


def open_seats(membership: Membership) -> list[CorporateSeat]:
    """Invited and active seats, the accepted ones first, then by address."""
    return list(
        db.session.scalars(
            sa.select(CorporateSeat)
            .options(sa.orm.joinedload(CorporateSeat.user))
            .where(CorporateSeat.membership_id == membership.id, CorporateSeat.ended_at.is_(None))
            .order_by(CorporateSeat.accepted_at.is_(None), CorporateSeat.email)
        )
    )


def invite(membership: Membership, email: str, by: User) -> CorporateSeat:
    """Invite an address to a seat; commits. SeatError when full, repeated or not an address.

    The seat count is checked under a lock on the membership row, so two contacts' browser tabs
    inviting at once cannot pass the number of seats."""
    address, problem = check_email(email.strip())
    if problem:
        raise SeatError(_l("Enter an e-mail address, for example name@hospital.example."))
    locked = db.session.scalar(
        sa.select(Membership).where(Membership.id == membership.id).with_for_update()
    )
    if not status_from(locked, None, local_today()).verified:
        raise SeatError(
            _l("Your organisation's membership is not current: renew it to invite staff.")
        )
    if address == normalise_email(by.email):
        raise SeatError(_l("You are the contact person; invite your staff."))
    taken = db.session.scalars(
        sa.select(CorporateSeat.email).where(
            CorporateSeat.membership_id == locked.id, CorporateSeat.ended_at.is_(None)
        )
    ).all()
    if address in taken:
        raise SeatError(_l("%(email)s is already invited.", email=address))
    if len(taken) >= (locked.seats or 0):
        raise SeatError(
            _l("All %(count)d seats are taken: remove someone first.", count=locked.seats or 0)
        )
    seat = CorporateSeat(membership_id=locked.id, email=address, invited_by_id=by.id)
    db.session.add(seat)
    db.session.flush()
    audit.record(
        "corporate_seat.invited", "corporate_seat", seat.id, by.id, after={"email": address}
    )
    db.session.commit()
    return seat


def end_seat(seat: CorporateSeat, by: User) -> None:
    """The contact removes a seat, or its holder leaves it; commits."""
    seat.ended_at = utcnow()
    audit.record("corporate_seat.ended", "corporate_seat", seat.id, by.id, seat.user_id,
                 before={"email": seat.email, "state": "active" if seat.accepted_at else "invited"})  # fmt: skip
    db.session.commit()


def invitations_for(user: User) -> list[CorporateSeat]:
    """Open invitations to this person's address that they have not accepted yet."""
    return list(
        db.session.scalars(
            sa.select(CorporateSeat)
            .options(sa.orm.joinedload(CorporateSeat.membership))
            .where(
                CorporateSeat.email == normalise_email(user.email),
                CorporateSeat.ended_at.is_(None),
                CorporateSeat.accepted_at.is_(None),
            )
        )
    )


def seat_of(user: User) -> CorporateSeat | None:
    """The seat this person holds (accepted, not ended), if any."""
    return db.session.scalar(
        sa.select(CorporateSeat).where(
            CorporateSeat.user_id == user.id,
            CorporateSeat.accepted_at.is_not(None),
            CorporateSeat.ended_at.is_(None),
        )
    )


def accept(seat: CorporateSeat, user: User) -> None:
    """The invited person takes the seat (their address confirmed); commits."""
    if not user.email_confirmed or seat.email != normalise_email(user.email):
        raise SeatError(_l("This invitation is for another e-mail address."))
    current = seat_of(user)
    if current is not None:
        raise SeatError(
            _l(
                "You already hold a seat of %(name)s: leave it first.",
                name=current.membership.organisation_name,
            )  # fmt: skip
        )
    seat.user_id, seat.accepted_at = user.id, utcnow()
    audit.record("corporate_seat.accepted", "corporate_seat", seat.id, user.id, user.id)
    try:
        db.session.commit()
    except sa.exc.IntegrityError as error:  # accepted twice at once
        db.session.rollback()
        raise SeatError(_l("You already hold a seat.")) from error


@dataclass
class StaffRow:
    seat: CorporateSeat
    enrolled: int = 0
    courses_completed: int = 0
    summary: CpdSummary | None = None
    verified: bool = False


def staff_standing(seats: list[CorporateSeat], policy: CpdPolicy, today: date) -> list[StaffRow]:
    """Progress and CPD standing of the accepted seats, in a fixed number of queries.

    The standing is `cpd.standing.summarise` (the one CPD arithmetic) on each person's ledger
    entries of the current cycle, against the target of their own membership category."""
    cycle = policy.cycle_for(today)
    people = [seat.user_id for seat in seats if seat.user_id and seat.accepted_at]
    rows = [StaffRow(seat) for seat in seats]
    if not people:
        return rows
    enrolled = dict(
        db.session.execute(
            sa.select(Enrolment.user_id, sa.func.count())
            .where(Enrolment.user_id.in_(people), Enrolment.status != "withdrawn")
            .group_by(Enrolment.user_id)
        ).all()
    )
    completed = dict(
        db.session.execute(
            sa.select(CourseCompletion.user_id, sa.func.count())
            .where(CourseCompletion.user_id.in_(people))
            .group_by(CourseCompletion.user_id)
        ).all()
    )
    entries = defaultdict(list)
    for entry in db.session.scalars(
        sa.select(LedgerEntry).where(
            LedgerEntry.user_id.in_(people),
            LedgerEntry.activity_date >= cycle.start,
            LedgerEntry.activity_date <= cycle.end,
        )
    ):
        entries[entry.user_id].append(entry)
    memberships = {
        membership.user_id: membership
        for membership in db.session.scalars(
            sa.select(Membership).where(Membership.user_id.in_(people))
        )
    }
    for row in rows:
        user = row.seat.user
        if user is None or row.seat.accepted_at is None:
            continue
        row.enrolled = enrolled.get(user.id, 0)
        row.courses_completed = completed.get(user.id, 0)
        # Only a verified membership sets a target (issue 17): otherwise none is shown as met.
        status = status_from(memberships.get(user.id), None, today)
        row.verified = status.verified
        row.summary = summarise(
            policy, entries[user.id], status.target_category or "", cycle, today
        )
    return rows
