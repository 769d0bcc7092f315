"""What a CPD statement says: the snapshot of a member's counted activities for a period (plain
JSON, hashed and stored with the statement) with its hash, and how its parts read in the language
of a page or document.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from wired4ex.auth.models import User
from wired4ex.catalog.structure import structure
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.cpd.services import summarise
from wired4ex.cpd.verifiable import ASSOCIATION, snapshot_hash
from wired4ex.i18n import canonical, show_date
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.status import MembershipStatus, request_status

SOURCE_LABELS = {
    "module": "Completed on Wired4EX",
    "claim": "Approved claim, verified by the secretariat",
    "adjustment": "Adjustment by the secretariat",
    "event": "Attendance recorded at the event",
}  # the English stored in snapshots (hashed): documents show SOURCE_NAMES in their language
SOURCE_NAMES = {
    "module": _l("Completed on Wired4EX"),
    "claim": _l("Approved claim, verified by the secretariat"),
    "adjustment": _l("Adjustment by the secretariat"),
    "event": _l("Attendance recorded at the event"),
}
_SOURCE_BY_LABEL = {label: code for code, label in SOURCE_LABELS.items()}


def source_label(activity: dict) -> str:
    """How a snapshot's activity was verified, in the language of the page or document: from its
    source code, or from the English label snapshots store; other stored text as it was."""
    code = activity.get("source") or _SOURCE_BY_LABEL.get(activity.get("verified", ""))
    return str(SOURCE_NAMES[code]) if code in SOURCE_NAMES else activity.get("verified", "")


def period_label(snapshot: dict) -> str:
    """A snapshot's period for people: the cycle ("2026/27"), or its dates written out in the
    page's language when it is a range (stored as "2026-01-01 to 2026-06-30")."""
    period = snapshot["period"]
    if period["label"] != f"{period['start']} to {period['end']}":
        return period["label"]
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    return str(_l("%(start)s to %(end)s", start=show_date(start), end=show_date(end)))


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def _points(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.1")))


def _domains_covered(entries: list[LedgerEntry]) -> list[str]:
    """The names of the competency domains the entries address, in the framework's order (from
    the course structure read once per content version: no query per statement)."""
    codes = {code for entry in entries for code in (entry.competencies or [])}
    if not codes:
        return []
    framework = structure()
    covered = {
        framework.competencies[code].domain_code for code in codes if code in framework.competencies
    }
    return [domain.name for domain in framework.domains if domain.code in covered]


def build_snapshot(
    policy: CpdPolicy,
    member: User,
    period: Period,
    entries: list[LedgerEntry],
    today: date,
    status: MembershipStatus | None = None,
) -> dict:
    """Every figure a statement shows, as plain JSON (the thing that is hashed and stored).
    status: the member's membership status when the caller read it (else read here)."""
    span = Cycle(period.start, period.end)  # a date range is summed like a cycle
    status = status or request_status(member)
    summary = summarise(policy, entries, status.target_category, span, today)
    activities = [
        {
            "date": entry.activity_date.isoformat(),
            "title": entry.title,
            "provider": entry.provider,
            "category": policy.category_name(entry.category),
            "points": _points(entry.points),
            "verified": SOURCE_LABELS.get(entry.source, entry.source),
        }
        for entry in sorted(summary.entries, key=lambda e: (e.activity_date, e.id or 0))
    ]
    return {
        "association": ASSOCIATION,
        "member": {
            "name": member.full_name,
            # Only an approved membership gives a number, and only a current one a category.
            "membership_number": status.number or "",
            "category": status.target_category,
            "email": member.email,
            "membership": {
                "state": "verified"
                if status.verified
                else "lapsed"
                if status.state == "lapsed"
                else "not_verified",
                "lapsed_since": status.lapsed_since.isoformat() if status.lapsed_since else None,
            },  # fmt: skip
        },
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
        },  # fmt: skip
        "activities": activities,
        "categories": [
            {
                "name": total.name,
                "claimed": _points(total.claimed),
                "cap": _points(total.cap) if total.cap is not None else None,
                "counted": _points(total.counted),
                "minimum": _points(total.minimum) if total.minimum is not None else None,
            }
            for total in summary.categories
            if total.claimed or total.minimum
        ],
        "claimed": _points(summary.claimed),
        "counted": _points(summary.counted),
        "target": _points(summary.target) if summary.target is not None else None,
        "target_met": summary.target_met,
        "exempt": summary.exempt,
        "domains": _domains_covered(summary.entries),
    }


def figures(
    policy: CpdPolicy,
    member: User,
    period: Period,
    entries: list[LedgerEntry],
    today: date,
    status: MembershipStatus | None = None,
) -> tuple[dict, str]:
    """The snapshot of a member's figures for a period, and its hash (language-independent)."""
    with canonical():  # the same figures give the same statement in any language
        snapshot = build_snapshot(policy, member, period, entries, today, status)
    return snapshot, snapshot_hash(snapshot)
