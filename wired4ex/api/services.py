"""Queries behind the API that no page has yet: member search and the CPD compliance report.

The CPD figures themselves come from wired4ex.cpd.services.summarise, the same arithmetic as the
My CPD page and the statements; this module only chooses whom to sum for and pages the result.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.auth.services import person_matches
from wired4ex.catalog.models import Institution
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.cpd.services import CpdSummary, summarise
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.services import target_categories


@dataclass(frozen=True)
class Page:
    """One page of a longer list."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_of_list(items: list, page: int, per_page: int) -> Page:
    """A page of a list already in memory."""
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


def page_of_query(query: sa.Select, page: int, per_page: int) -> Page:
    """A page of a query's rows, with the total count, in two queries."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(rows, page, per_page, total or 0)


# -- members ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFilters:
    """What the member list may be narrowed by; None means "any"."""

    q: str | None = None  # part of the name, e-mail address or membership number
    membership_category: str | None = None
    role: str | None = None
    institution: str | None = None  # institution slug (faculty)
    country: str | None = None
    active: bool | None = None


def members_query(filters: MemberFilters) -> sa.Select:
    """Accounts matching the filters, by name then id."""
    query = sa.select(User).order_by(User.full_name, User.id)
    if filters.q:
        query = query.where(person_matches(filters.q))
    if filters.membership_category:
        query = query.where(User.membership_category == filters.membership_category)
    if filters.role:
        query = query.where(
            sa.exists().where(UserRole.user_id == User.id, UserRole.name == filters.role)
        )
    if filters.institution:
        query = query.where(
            User.institution_id.in_(
                sa.select(Institution.id).where(Institution.slug == filters.institution)
            )
        )
    if filters.country:
        query = query.where(User.country == filters.country.upper())
    if filters.active is not None:
        query = query.where(User.is_active_account == filters.active)
    return query


def get_member(member_id: int) -> User | None:
    return db.session.get(User, member_id)


# -- compliance ------------------------------------------------------------------------------------


@dataclass
class ComplianceReport:
    """Every active member's standing in one cycle, and the counts over them."""

    cycle: Cycle
    rows: list[tuple[User, CpdSummary]]

    @property
    def counts(self) -> dict[str, int]:
        exempt = sum(1 for _member, summary in self.rows if summary.exempt)
        met = sum(1 for _member, summary in self.rows if summary.target_met and not summary.exempt)
        return {
            "members": len(self.rows),
            "met": met,
            "not_met": len(self.rows) - met - exempt,
            "exempt": exempt,
        }


def compliance_report(
    policy: CpdPolicy, cycle: Cycle, today: date, membership_category: str | None = None
) -> ComplianceReport:
    """The cycle's summary for every active member (with the member role), in four queries;
    targets from each member's approved, current membership."""
    members_query = (
        sa.select(User)
        .where(
            User.is_active_account.is_(True),
            sa.exists().where(UserRole.user_id == User.id, UserRole.name == RoleName.MEMBER.value),
        )
        .order_by(User.full_name, User.id)
    )
    if membership_category:
        members_query = members_query.where(User.membership_category == membership_category)
    members = list(db.session.scalars(members_query))
    entries = defaultdict(list)
    if members:
        ids = members_query.with_only_columns(User.id).order_by(None)
        for entry in db.session.scalars(
            sa.select(LedgerEntry)
            .where(
                LedgerEntry.user_id.in_(ids),
                LedgerEntry.activity_date >= cycle.start,
                LedgerEntry.activity_date <= cycle.end,
            )
            .order_by(LedgerEntry.activity_date, LedgerEntry.id)
        ):
            entries[entry.user_id].append(entry)
    categories = target_categories(ids, today) if members else {}
    rows = [
        (member, summarise(policy, entries[member.id], categories[member.id], cycle, today))
        for member in members
    ]
    return ComplianceReport(cycle, rows)


def compliance_status(summary: CpdSummary) -> str:
    """met, not_met or exempt."""
    if summary.exempt:
        return "exempt"
    return "met" if summary.target_met else "not_met"
