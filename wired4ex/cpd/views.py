"""CPD pages: my CPD and the policy (claims, review, members, audits and statements have
modules of their own)."""

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import load_only

from wired4ex.auth.models import User
from wired4ex.cpd import bp, services, standing
from wired4ex.cpd.forms import StatementForm
from wired4ex.cpd.models import Claim
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.cpd.statements import SOURCE_NAMES, STATEMENT_STATUS_LABELS, period_label
from wired4ex.extensions import db
from wired4ex.fields import year_in_period_bounds
from wired4ex.membership.services import request_status
from wired4ex.readonly import reads_only
from wired4ex.timeutil import local_today


def policy_or_503():
    """The synced CPD policy; 503 (a friendly page) when content has not been synced."""
    try:
        return load_policy()
    except PolicyMissing:
        abort(503)


def _wanted_cycle(policy):
    """The cycle the page asks for (`?cycle=<year>`), or None for the newest."""
    wanted = request.args.get("cycle", type=int)
    if wanted is None:
        return None
    if not year_in_period_bounds(wanted):
        abort(404)
    return policy.cycle_starting(wanted)


def _cycles_and_entries(policy, user_id, claim_dates, today):
    """The cycle shown, the cycles to choose from and the shown cycle's ledger entries: one
    statement reads the ledger's dates and the entries of the cycle expected to be shown (the
    one asked for, or the newest of the current cycle and the claims'); a second only when a
    ledger entry's date makes a newer cycle the one shown."""
    wanted = _wanted_cycle(policy)
    expected = wanted or standing.cycles_from_dates(policy, today, claim_dates)[0]
    ledger_dates, entries = standing.dates_and_entries(user_id, expected.start, expected.end)
    cycles = standing.cycles_from_dates(policy, today, ledger_dates | claim_dates)
    cycle = wanted or cycles[0]
    if cycle not in cycles:
        cycles = sorted([*cycles, cycle], key=lambda c: c.start, reverse=True)
    if cycle != expected:
        entries = services.ledger_entries(user_id, cycle.start, cycle.end)
    return cycle, cycles, entries


def _category_choices(policy):
    return [(code, category.name) for code, category in policy.categories.items()]


# What My CPD shows of a claim: its reflection, competencies and evidence file's details are
# not loaded (the claim's own page shows them).
LISTED_CLAIM_COLUMNS = (
    Claim.title, Claim.provider, Claim.end_date, Claim.status, Claim.points_claimed,
    Claim.points_approved, Claim.decision_reason,
)  # fmt: skip


def listed_claims(user_id: int) -> list[Claim]:
    """The member's claims as `services.member_claims` orders them, with the listed columns."""
    return list(
        db.session.scalars(
            sa.select(Claim)
            .where(Claim.user_id == user_id)
            .order_by(Claim.end_date.desc(), Claim.id.desc())
            .options(load_only(*LISTED_CLAIM_COLUMNS))
        )
    )


def _render_cpd_page(member: User, template_extra: dict | None = None):
    policy = policy_or_503()
    every_claim = listed_claims(member.id)
    today = local_today()
    claim_dates = {claim.end_date for claim in every_claim}
    cycle, cycles, entries = _cycles_and_entries(policy, member.id, claim_dates, today)
    summary = services.summarise(policy, entries, standing.target_category(member), cycle, today)
    claims = [c for c in every_claim if cycle.contains(c.end_date)]
    return render_template(
        "cpd/index.html",
        member=member,
        policy=policy,
        summary=summary,
        membership=request_status(member),
        cycles=cycles,
        claims=claims,
        is_current=cycle.contains(today),
        days_left=max((cycle.end - today).days, 0),
        statement_form=StatementForm(cycle=cycle.key),
        asked=[c for c in every_claim if c.status == "info_requested"],
        **(template_extra or {}),
    )


@bp.get("/")
@reads_only
@login_required
def index():
    return _render_cpd_page(current_user)


@bp.get("/policy")
@login_required
def policy():
    current = policy_or_503()
    return render_template(
        "cpd/policy.html", policy=current, cycle=current.cycle_for(local_today())
    )


CLAIM_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for verification"),
    "info_requested": _l("Information asked for"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
AUDIT_OUTCOME_LABELS = {"pending": _l("Pending"), "passed": _l("Passed"), "failed": _l("Failed")}


@bp.app_context_processor
def _cpd_labels() -> dict:
    return {
        "claim_status": lambda status: CLAIM_STATUS_LABELS.get(status, status),
        "audit_outcome": lambda outcome: AUDIT_OUTCOME_LABELS.get(outcome, outcome),
        "ledger_source": lambda source: SOURCE_NAMES.get(source, source),
        "period_label": period_label,
        "statement_status": lambda status: STATEMENT_STATUS_LABELS.get(status, status),
    }
