"""A person's membership status today: verified, lapsed, pending or not verified, read with one
query (and once per request on pages); lapses by the renewal date plus the category's grace."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import g, has_request_context

from wired4ex.auth.models import User
from wired4ex.extensions import db
from wired4ex.membership.models import ApplicationStatus, Membership, MembershipApplication
from wired4ex.membership.policy import category_policy
from wired4ex.timeutil import local_today

REMINDER_DAYS = 30  # the dashboard reminds a member this long before the renewal date


def lapses_on(membership: Membership) -> date | None:
    """The last day an unrenewed membership still counts (renewal date plus grace)."""
    if membership.renews_on is None:
        return None
    return membership.renews_on + timedelta(days=category_policy(membership.category).grace_days)


# -- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipStatus:
    """A person's membership today, in one of four states:

    verified (an approved membership that has not lapsed), lapsed, pending (no membership, an
    application open) and not_verified (neither)."""

    state: str
    category: str | None = None
    number: str | None = None
    started_on: date | None = None
    valid_until: date | None = None  # the renewal date; None: never lapses
    lapses_on: date | None = None  # the last day of grace
    lapsed_since: date | None = None
    pending_category: str | None = None

    @property
    def verified(self) -> bool:
        return self.state == "verified"

    @property
    def in_grace(self) -> bool:
        """Verified, past the renewal date, within the grace period."""
        return self.verified and self.valid_until is not None and self.lapses_on is not None \
            and self.valid_until < self._today <= self.lapses_on  # fmt: skip

    @property
    def renewal_due_soon(self) -> bool:
        """Verified, and the renewal date is at most REMINDER_DAYS away (or already passed)."""
        return (
            self.verified
            and self.valid_until is not None
            and self.valid_until - timedelta(days=REMINDER_DAYS) <= self._today
        )

    @property
    def target_category(self) -> str | None:
        """The category whose CPD target applies: only a verified one."""
        return self.category if self.verified else None

    _today: date = date.min


def status_from(
    membership: Membership | None, pending_category: str | None, today: date
) -> MembershipStatus:
    """The status of a membership row (or none) on a day."""
    if membership is None:
        if pending_category:
            return MembershipStatus("pending", pending_category=pending_category, _today=today)
        return MembershipStatus("not_verified", _today=today)
    last_day = lapses_on(membership)
    common = dict(category=membership.category, number=membership.number,
                  started_on=membership.started_on, valid_until=membership.renews_on,
                  lapses_on=last_day, pending_category=pending_category, _today=today)  # fmt: skip
    if last_day is not None and today > last_day:
        return MembershipStatus("lapsed", lapsed_since=last_day + timedelta(days=1), **common)
    if today < membership.started_on:
        return MembershipStatus("pending", **common)
    return MembershipStatus("verified", **common)


def pending_category(user_id) -> sa.ScalarSelect:
    """The category of the person's open application (or NULL), as a column: user_id is a value
    or a column of the outer query (the signed-in user's load, auth.services)."""
    return (
        sa.select(MembershipApplication.category)
        .where(
            MembershipApplication.user_id == user_id,
            MembershipApplication.status.in_(ApplicationStatus.OPEN),
        )
        .limit(1)
        .scalar_subquery()
    )


def status_query(user_id) -> sa.Select:
    """One statement: the person's membership (or NULLs) and their open application's category."""
    pending = pending_category(user_id)
    anchor = sa.select(sa.literal(1).label("one")).subquery()
    return (
        sa.select(Membership, pending.label("pending"))
        .select_from(anchor)
        .outerjoin(Membership, Membership.user_id == user_id)
    )


def statuses_of(user_ids, today: date | None = None) -> dict[int, MembershipStatus]:
    """The status of many people in one query (user_ids: a list or a select of ids)."""
    today = today or local_today()
    found = {
        membership.user_id: membership
        for membership in db.session.scalars(
            sa.select(Membership).where(Membership.user_id.in_(user_ids))
        )
    }
    return defaultdict(
        lambda: MembershipStatus("not_verified", _today=today),
        {user_id: status_from(row, None, today) for user_id, row in found.items()},
    )


def open_application_category() -> sa.ScalarSelect:
    """The category of the member's open membership application (a column beside User)."""
    return (
        sa.select(MembershipApplication.category)
        .where(
            MembershipApplication.user_id == User.id,
            MembershipApplication.status.in_(ApplicationStatus.OPEN),
        )
        .limit(1)
        .correlate(User)
        .scalar_subquery()
    )


def statuses_with_applications(ids: list[int], today: date) -> dict[int, MembershipStatus]:
    """Each member's status as request_status() gives it (pending with an open application), in
    one statement."""
    rows = db.session.execute(
        sa.select(User.id, Membership, open_application_category())
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(User.id.in_(ids))
    )
    return {
        user_id: status_from(membership, pending, today) for user_id, membership, pending in rows
    }


def target_categories(user_ids, today: date | None = None) -> dict[int, str | None]:
    """Per person, the category whose CPD target applies (None without a current membership)."""
    return defaultdict(
        lambda: None,
        {uid: status.target_category for uid, status in statuses_of(user_ids, today).items()},
    )


def request_status(user: User) -> MembershipStatus:
    """membership_status() for today, read once per request (pages ask for it from several
    places: the CPD target, the dashboard reminder, the header)."""
    if not has_request_context():
        return membership_status(user)
    cache = g.setdefault("membership_statuses", {})
    if user.id not in cache:
        loaded = g.get("membership_rows", {}).get(user.id)
        if loaded is not None:
            cache[user.id] = status_from(*loaded, local_today())
        else:
            cache[user.id] = membership_status(user)
    return cache[user.id]


def remember_loaded(user_id: int, membership: Membership | None, pending: str | None) -> None:
    """The membership row and open application read with the signed-in user in one statement
    (auth.services.load_session_user): this request's status is made from them, not read again."""
    if has_request_context():
        g.setdefault("membership_rows", {})[user_id] = (membership, pending)


def forget_request_status() -> None:
    """Drop the request's cached statuses (after a grant, a renewal or a decision)."""
    if has_request_context():
        g.pop("membership_statuses", None)
        g.pop("membership_rows", None)


def membership_status(user: User | int, today: date | None = None) -> MembershipStatus:
    """A person's membership status today (one SQL query)."""
    user_id = user if isinstance(user, int) else user.id
    row = db.session.execute(status_query(user_id)).first()
    membership, pending = (row[0], row[1]) if row else (None, None)
    return status_from(membership, pending, today or local_today())
