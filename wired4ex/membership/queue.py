"""The secretariat's queue of membership applications, and who else holds or claims a number."""

import sqlalchemy as sa

from wired4ex.extensions import db
from wired4ex.membership.models import ApplicationStatus, Membership, MembershipApplication


def queue_query():
    """Open applications, oldest first (those waiting on the applicant last)."""
    return (
        sa.select(MembershipApplication)
        .where(MembershipApplication.status.in_(ApplicationStatus.OPEN))
        .order_by(
            (MembershipApplication.status == ApplicationStatus.INFO_REQUESTED).asc(),
            MembershipApplication.submitted_at,
            MembershipApplication.id,
        )
    )


def claimants_of(number: str | None) -> list[MembershipApplication | Membership]:
    """Who else holds or claims a number (the migration keeps duplicates for an admin)."""
    if not number:
        return []
    held = list(
        db.session.scalars(
            sa.select(Membership).where(sa.func.upper(Membership.number) == number.upper())
        )
    )
    claimed = list(db.session.scalars(
        sa.select(MembershipApplication).where(
            sa.func.upper(MembershipApplication.claimed_number) == number.upper(),
            MembershipApplication.status.in_(ApplicationStatus.OPEN))))  # fmt: skip
    return held + claimed
