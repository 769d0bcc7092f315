"""A member's CPD standing at a glance, for the dashboard: the same figures as My CPD (one owner,
`services.member_summary`), for the current cycle, with the days left in it."""

from dataclasses import dataclass
from datetime import date

from wired4ex.cpd import services
from wired4ex.cpd.policy import Cycle, PolicyMissing, load_policy


@dataclass(frozen=True)
class Glance:
    cycle: Cycle
    summary: services.CpdSummary
    days_left: int


def cpd_at_a_glance(member, today: date) -> Glance | None:
    """The member's standing in the cycle containing `today`; None before content is synced."""
    try:
        policy = load_policy()
    except PolicyMissing:
        return None
    cycle = policy.cycle_for(today)
    summary = services.member_summary(policy, member, cycle, today)
    return Glance(cycle=cycle, summary=summary, days_left=max((cycle.end - today).days, 0))
