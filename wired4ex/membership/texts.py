"""A membership in plain words, for statements (as issued) and verification (as it is today)."""

from datetime import date

from flask_babel import gettext as _

from wired4ex.auth.forms import MEMBERSHIP_LABELS
from wired4ex.i18n import show_date
from wired4ex.membership.services import MembershipStatus


def category_label(category: str | None) -> str:
    return str(MEMBERSHIP_LABELS.get(category, category or ""))


def issued_membership(member: dict) -> tuple[str, str]:
    """(label, value) of the membership line on a statement, from its snapshot's member block.

    Statements issued before memberships were granted carry no "membership" block: they show
    the category as it was then."""
    block = member.get("membership")
    if block is None:
        return _("Membership category"), category_label(member.get("category"))
    if block.get("state") == "verified" and member.get("category"):
        return _("Membership category"), category_label(member["category"])
    if block.get("state") == "lapsed" and block.get("lapsed_since"):
        since = show_date(date.fromisoformat(block["lapsed_since"]))
        return _("Membership"), _("lapsed since %(date)s", date=since)
    return _("Membership"), _("not verified")


def no_target_reason(member: dict) -> str | None:
    """Why a statement shows no target, when its membership was not verified; else None."""
    block = member.get("membership")
    if block is None or block.get("state") == "verified":
        return None
    return _("No CPD target is shown as met: the membership was not verified when this statement "
             "was issued.")  # fmt: skip


def status_today(status: MembershipStatus) -> str:
    """The holder's membership today, in one sentence."""
    if status.verified:
        if status.valid_until is None:
            return _("Verified %(category)s member, number %(number)s; the membership does not "
                     "lapse.", category=category_label(status.category), number=status.number)  # fmt: skip
        return _("Verified %(category)s member, number %(number)s, valid until %(date)s.",
                 category=category_label(status.category), number=status.number,
                 date=show_date(status.valid_until))  # fmt: skip
    if status.state == "lapsed":
        return _("Membership %(number)s lapsed since %(date)s.", number=status.number,
                 date=show_date(status.lapsed_since))  # fmt: skip
    return _("Membership not verified.")


def status_json(status: MembershipStatus) -> dict:
    """The holder's membership today for the API: the state, and the category and number only
    when verified."""
    return {
        "state": "verified" if status.verified else
                 "lapsed" if status.state == "lapsed" else "not_verified",
        "category": status.category if status.verified else None,
        "number": status.number if status.state in ("verified", "lapsed") else None,
        "valid_until": status.valid_until.isoformat()
        if status.verified and status.valid_until else None,
        "lapsed_since": status.lapsed_since.isoformat() if status.lapsed_since else None,
        "text": status_today(status),
    }  # fmt: skip
