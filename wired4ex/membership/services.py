"""Membership use cases shared by every way in: grants, numbers, renewals and the status a page
shows. Applications and their decisions are in `applications.py`.

`grant_membership` and `record_renewal` add to the caller's transaction and flush; the caller
commits (an import grants many in one transaction, all or nothing).
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import MembershipCategory, User
from wired4ex.extensions import db
from wired4ex.fields import EARLIEST_DATE, NotANumber, finite_decimal
from wired4ex.membership.models import (
    ApplicationStatus,
    Membership,
    MembershipApplication,
    MembershipNumberCounter,
    MembershipRenewal,
)
from wired4ex.membership.policy import category_policy
from wired4ex.timeutil import local_today

NUMBER_FORMAT = "HSM-{year:04d}-{sequence:05d}"
SYSTEM_NUMBER = re.compile(r"^HSM-(\d{4})-(\d{5})$")
# A number kept from an older register: letters, digits and - / . only.
GIVEN_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./#-]{2,59}$")
MAX_SEQUENCE = 99_999
REMINDER_DAYS = 30  # the dashboard reminds a member this long before the renewal date


class MembershipError(ValueError):
    """A grant or change refused; the message is safe to show."""


class RenewalRefused(MembershipError):
    """A renewal refused; the message names what is missing."""


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_zero = day.month - 1 + months
    year, month = day.year + month_zero // 12, month_zero % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


# -- numbers --------------------------------------------------------------------------------------


def allocate_number(year: int) -> str:
    """The next number of a year, counted in the caller's transaction.

    The counter row is updated first (PostgreSQL locks it until commit, SQLite takes its write
    lock), so parallel grants queue for it and each gets the next value; a grant that rolls back
    rolls its increment back too, so no number is skipped.
    """
    bump = (
        sa.update(MembershipNumberCounter)
        .where(MembershipNumberCounter.year == year)
        .values(last=MembershipNumberCounter.last + 1)
        .returning(MembershipNumberCounter.last)
    )
    value = db.session.execute(bump).scalar()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(MembershipNumberCounter).values(year=year, last=1))
            value = 1
        except sa.exc.IntegrityError:  # a parallel grant made the year's row first
            value = db.session.execute(bump).scalar_one()
    if value > MAX_SEQUENCE:
        raise MembershipError(_l("No membership numbers are left for %(year)s.", year=year))
    return NUMBER_FORMAT.format(year=year, sequence=value)


def _reserve_given_number(number: str) -> None:
    """A given number in the system's format moves its year's counter past it."""
    match = SYSTEM_NUMBER.match(number)
    if not match:
        return
    year, sequence = int(match.group(1)), int(match.group(2))
    counter = db.session.get(MembershipNumberCounter, year, with_for_update=True)
    if counter is None:
        db.session.add(MembershipNumberCounter(year=year, last=sequence))
    elif counter.last < sequence:
        counter.last = sequence
    db.session.flush()


def number_taken(number: str, except_membership_id: int | None = None) -> bool:
    query = sa.select(Membership.id).where(sa.func.upper(Membership.number) == number.upper())
    if except_membership_id is not None:
        query = query.where(Membership.id != except_membership_id)
    return db.session.scalar(query.limit(1)) is not None


def check_given_number(number: str) -> str:
    """A number typed by an admin or brought from the old register: trimmed, plausible, free."""
    number = (number or "").strip()
    if not GIVEN_NUMBER.match(number):
        raise MembershipError(
            _l("A membership number has letters, digits, - / or . only, at most 40 characters.")
        )
    if number_taken(number):
        raise MembershipError(_l("Membership number %(number)s is already held.", number=number))
    return number


# -- grants ---------------------------------------------------------------------------------------


def renewal_date(category: str, started_on: date) -> date | None:
    """When a membership started on a day is first due for renewal (None: it never lapses)."""
    months = category_policy(category).renewal_months
    return None if months is None else add_months(started_on, months)


def grant_membership(
    user: User,
    category: str,
    *,
    by: User | None,
    started_on: date | None = None,
    number: str | None = None,
    reason: str | None = None,
    organisation_name: str | None = None,
    seats: int | None = None,
    renews_on: date | None = None,
    application: MembershipApplication | None = None,
) -> Membership:
    """Give a person a membership; flushes (the caller commits); audited.

    The number is the system's next one when None, and checked unique when given. `renews_on`
    defaults to the policy's renewal period after the start (None for categories that never
    lapse). Raises MembershipError when the person already holds one or the input is wrong.
    """
    if category not in {c.value for c in MembershipCategory}:
        raise MembershipError(_l("Choose a membership category."))
    policy = category_policy(category)
    today = local_today()
    started_on = started_on or today
    if not EARLIEST_DATE <= started_on <= today + timedelta(days=366):
        raise MembershipError(_l("The start date is out of range."))
    if renews_on is None:
        renews_on = renewal_date(category, started_on)
    elif not policy.lapses:
        renews_on = None
    elif renews_on <= started_on:
        raise MembershipError(_l("The renewal date must be after the start date."))
    if category == MembershipCategory.CORPORATE:
        organisation_name = (organisation_name or "").strip()
        if not organisation_name:
            raise MembershipError(_l("A corporate membership needs the organisation's name."))
        if not isinstance(seats, int) or isinstance(seats, bool) or not 1 <= seats <= 10_000:
            raise MembershipError(_l("A corporate membership needs 1 to 10,000 seats."))
    else:
        organisation_name, seats = None, None
    if db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id)):
        raise MembershipError(_l("%(name)s already holds a membership.", name=user.full_name))
    if number is None:
        number = allocate_number(started_on.year)
    else:
        number = check_given_number(number)
        _reserve_given_number(number)
    membership = Membership(
        user_id=user.id,
        category=category,
        number=number,
        started_on=started_on,
        renews_on=renews_on,
        granted_by_id=by.id if by else None,
        reason=(reason or "").strip() or None,
        organisation_name=organisation_name,
        seats=seats,
        application_id=application.id if application else None,
    )
    db.session.add(membership)
    # The account's own columns mirror the membership for lists and exports; nothing that
    # counts (targets, eligibility, statements, verification) reads them.
    user.membership_category = category
    user.membership_number = number
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        raise MembershipError(
            _l("Membership number %(number)s is already held.", number=number)
        ) from error
    if application is None:  # a direct grant answers any application still in the queue
        _close_open_application(user, membership, by)
    audit.record("membership.granted", "membership", membership.id, by.id if by else None,
                 user.id, after={"category": category, "number": number,
                                 "started_on": started_on.isoformat(),
                                 "renews_on": renews_on.isoformat() if renews_on else None,
                                 "reason": membership.reason})  # fmt: skip
    forget_request_status()
    return membership


def _close_open_application(user: User, membership: Membership, by: User | None) -> None:
    from wired4ex.dbtypes import utcnow

    waiting = db.session.scalar(
        sa.select(MembershipApplication).where(
            MembershipApplication.user_id == user.id,
            MembershipApplication.status.in_(ApplicationStatus.OPEN),
        )
    )
    if waiting is None:
        return
    waiting.status = ApplicationStatus.APPROVED
    waiting.decided_by_id = by.id if by else None
    waiting.decided_at = utcnow()
    waiting.decision_reason = membership.reason
    membership.application_id = waiting.id


# -- renewals -------------------------------------------------------------------------------------


def lapses_on(membership: Membership) -> date | None:
    """The last day an unrenewed membership still counts (renewal date plus grace)."""
    if membership.renews_on is None:
        return None
    return membership.renews_on + timedelta(days=category_policy(membership.category).grace_days)


def renewal_problems(membership: Membership, renewed_on: date) -> list[str]:
    """What stops a renewal by policy (the last complete CPD cycle's target), in plain words."""
    policy = category_policy(membership.category)
    if not policy.requires_cpd_target:
        return []
    from wired4ex.cpd.policy import PolicyMissing, load_policy
    from wired4ex.cpd.standing import ledger_entries, summarise

    try:
        cpd = load_policy()
    except PolicyMissing:
        return [str(_l("The CPD policy is not loaded, so the CPD target cannot be checked."))]
    current = cpd.cycle_for(renewed_on)
    last = cpd.cycle_starting(current.start.year - 1)
    if membership.started_on > last.start:
        return []  # not a member for the whole of that cycle
    target = cpd.target_for(membership.category)
    summary = summarise(cpd, ledger_entries(membership.user_id, last.start, last.end),
                        membership.category, last, renewed_on)  # fmt: skip
    if target is None or summary.target_met:
        return []
    problems = []
    if summary.counted < target:
        problems.append(str(_l(
            "The CPD target of cycle %(cycle)s is not met: %(counted)s of %(target)s points "
            "counted, %(missing)s missing.",
            cycle=last.label, counted=summary.counted, target=target,
            missing=target - summary.counted)))  # fmt: skip
    for total in summary.unmet_minimums:
        problems.append(str(_l(
            "Cycle %(cycle)s: %(category)s needs at least %(minimum)s points; %(counted)s counted.",
            cycle=last.label, category=total.name, minimum=total.minimum,
            counted=total.counted)))  # fmt: skip
    return problems


def record_renewal(
    membership: Membership, *, renewed_on: date, amount, reference: str, by: User | None
) -> MembershipRenewal:
    """Record one renewal payment; flushes (the caller commits); audited.

    The new renewal date runs one renewal period from the old one, or from the renewal day
    when the membership had lapsed. Raises RenewalRefused naming what is missing.
    """
    policy = category_policy(membership.category)
    if not policy.lapses or membership.renews_on is None:
        raise RenewalRefused(_l("A %(category)s membership never lapses and is not renewed.",
                                category=policy.name))  # fmt: skip
    today = local_today()
    if not isinstance(renewed_on, date) or not membership.started_on <= renewed_on <= today:
        raise RenewalRefused(_l("The renewal date must be between the start of the membership "
                                "and today."))  # fmt: skip
    try:
        amount = finite_decimal(amount)
    except NotANumber as error:
        raise RenewalRefused(_l("Enter the amount paid, for example 2500.")) from error
    if amount < 0 or amount >= Decimal("100000000") or amount != round(amount, 2):
        raise RenewalRefused(_l("Enter the amount paid, for example 2500."))
    reference = (reference or "").strip().upper()
    if not REFERENCE.match(reference):
        raise RenewalRefused(_l("Enter the receipt number or M-Pesa reference (3 to 60 letters "
                                "and digits)."))  # fmt: skip
    if db.session.scalar(sa.select(MembershipRenewal.id).where(
            MembershipRenewal.reference == reference)):  # fmt: skip
        raise RenewalRefused(_l("Reference %(reference)s was already recorded for a renewal.",
                                reference=reference))  # fmt: skip
    problems = renewal_problems(membership, renewed_on)
    if problems:
        raise RenewalRefused(" ".join(problems))
    base = membership.renews_on if renewed_on <= lapses_on(membership) else renewed_on
    renews_on = add_months(base, policy.renewal_months)
    renewal = MembershipRenewal(
        membership_id=membership.id,
        renewed_on=renewed_on,
        amount=amount,
        reference=reference,
        renews_on=renews_on,
        recorded_by_id=by.id if by else None,
    )
    before = membership.renews_on
    membership.renews_on = renews_on
    db.session.add(renewal)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:  # a parallel renewal took the reference
        raise RenewalRefused(_l("Reference %(reference)s was already recorded for a renewal.",
                                reference=reference)) from error  # fmt: skip
    audit.record("membership.renewed", "membership", membership.id, by.id if by else None,
                 membership.user_id, before={"renews_on": before.isoformat()},
                 after={"renews_on": renews_on.isoformat(), "renewed_on": renewed_on.isoformat(),
                        "amount": str(amount), "reference": reference})  # fmt: skip
    forget_request_status()
    return renewal


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


def status_query(user_id) -> sa.Select:
    """One statement: the person's membership (or NULLs) and their open application's category."""
    pending = (
        sa.select(MembershipApplication.category)
        .where(
            MembershipApplication.user_id == user_id,
            MembershipApplication.status.in_(ApplicationStatus.OPEN),
        )
        .limit(1)
        .scalar_subquery()
    )
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
        cache[user.id] = membership_status(user)
    return cache[user.id]


def forget_request_status() -> None:
    """Drop the request's cached statuses (after a grant, a renewal or a decision)."""
    if has_request_context():
        g.pop("membership_statuses", None)


def membership_status(user: User | int, today: date | None = None) -> MembershipStatus:
    """A person's membership status today (one SQL query)."""
    user_id = user if isinstance(user, int) else user.id
    row = db.session.execute(status_query(user_id)).first()
    membership, pending = (row[0], row[1]) if row else (None, None)
    return status_from(membership, pending, today or local_today())
