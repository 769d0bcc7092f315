"""A member's CPD standing at a glance, for the dashboard: the same figures as My CPD (one owner,
`services.member_summary`), for the current cycle, with the days left in it."""

from dataclasses import dataclass
from datetime import date

from wired4ex.cpd import services
from wired4ex.cpd.policy import Cycle, PolicyMissing, load_policy
from wired4ex.cpd.standing import target_category


@dataclass(frozen=True)
class Glance:
    cycle: Cycle
    summary: services.CpdSummary
    days_left: int


def glance_cycle(today: date) -> Cycle | None:
    """The cycle containing `today`; None before content is synced."""
    try:
        return load_policy().cycle_for(today)
    except PolicyMissing:
        return None


def cpd_at_a_glance(member, today: date, entries=None) -> Glance | None:
    """The member's standing in the cycle containing `today`; None before content is synced.

    `entries`: the member's ledger entries in that cycle, oldest first, when the caller read them
    (`services.ledger_entries` with the cycle's dates)."""
    try:
        policy = load_policy()
    except PolicyMissing:
        return None
    cycle = policy.cycle_for(today)
    if entries is None:
        summary = services.member_summary(policy, member, cycle, today)
    else:
        summary = services.summarise(policy, entries, target_category(member), cycle, today)
    return Glance(cycle=cycle, summary=summary, days_left=max((cycle.end - today).days, 0))
