"""Membership use cases shared by every way in: grants, numbers, renewals and the status a page
shows. Applications and their decisions are in `applications.py`.

`grant_membership` and `record_renewal` add to the caller's transaction and flush; the caller
commits (an import grants many in one transaction, all or nothing).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
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
from wired4ex.membership.status import (  # noqa: F401  (part of this module's contract)
    REMINDER_DAYS,
    MembershipStatus,
    forget_request_status,
    lapses_on,
    membership_status,
    request_status,
    status_from,
    status_query,
    statuses_of,
    target_categories,
)
from wired4ex.timeutil import local_today

NUMBER_FORMAT = "HSM-{year:04d}-{sequence:05d}"
SYSTEM_NUMBER = re.compile(r"^HSM-(\d{4})-(\d{5})$")
# A number kept from an older register: letters, digits and - / . only.
GIVEN_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./#-]{2,59}$")
MAX_SEQUENCE = 99_999


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
    from wired4ex.notifications.hooks import membership_decided

    membership_decided(user, waiting.id, True, number=membership.number, reason=membership.reason)


# -- renewals -------------------------------------------------------------------------------------


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
