"""CPD pages: my CPD and the policy (claims, review, members, audits and statements have
modules of their own)."""

from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from wired4ex import pagecache
from wired4ex.auth.forms import MEMBERSHIP_LABELS
from wired4ex.auth.models import User
from wired4ex.cpd import bp, mine, services, standing
from wired4ex.cpd.policy import Cycle, PolicyMissing, load_policy
from wired4ex.cpd.snapshots import SOURCE_NAMES, period_label
from wired4ex.cpd.statements import STATEMENT_STATUS_LABELS
from wired4ex.fields import year_in_period_bounds
from wired4ex.membership.services import MembershipStatus, request_status
from wired4ex.membership.texts import status_today
from wired4ex.readonly import reads_only
from wired4ex.timeutil import local_today
from wired4ex.ui import CSRF_SLOT


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


def _cycles_entries_and_claims(policy, user_id, today):
    """The cycle shown, the cycles to choose from, the shown cycle's ledger entries and every
    claim of the member: one statement reads the ledger's dates, the claims and the entries of
    the cycle expected to be shown (the one asked for, or the current one); a second only when
    a ledger entry's or a claim's date makes a newer cycle the one shown."""
    wanted = _wanted_cycle(policy)
    expected = wanted or standing.cycles_from_dates(policy, today, set())[0]
    found = mine.read(user_id, expected.start, expected.end)
    claim_dates = {claim.end_date for claim in found.claims}
    cycles = standing.cycles_from_dates(policy, today, found.ledger_dates | claim_dates)
    cycle = wanted or cycles[0]
    if cycle not in cycles:
        cycles = sorted([*cycles, cycle], key=lambda c: c.start, reverse=True)
    entries = found.entries
    if cycle != expected:
        entries = mine.entries_between(user_id, cycle.start, cycle.end)
    return cycle, cycles, entries, found.claims


def _category_choices(policy):
    return [(code, category.name) for code, category in policy.categories.items()]


def _render_cpd_page(member: User, template_extra: dict | None = None):
    policy = policy_or_503()
    today = local_today()
    cycle, cycles, entries, every_claim = _cycles_entries_and_claims(policy, member.id, today)
    # What the page is made of: with the policy (content, in pagecache's key) nothing else.
    made_of = Inputs(
        own=member.id == current_user.id,
        member_name=None if member.id == current_user.id else member.full_name,
        entries=entries, claims=every_claim, membership=request_status(member), cycles=cycles,
        cycle=cycle, today=today,
    )  # fmt: skip
    extra = template_extra or {}
    return render_template(
        "cpd/index.html",
        member=member,
        content=_content(policy, made_of, cached=made_of.own and not extra),
        **extra,
    )


@dataclass(frozen=True)
class Inputs:
    """Everything My CPD's content shows is made of (and the CPD policy)."""

    own: bool
    member_name: str | None  # None on one's own page
    entries: list  # mine.ListedEntry of the shown cycle
    claims: list  # every mine.ListedClaim of the member
    membership: MembershipStatus
    cycles: list  # the cycles to choose from
    cycle: Cycle  # the one shown
    today: date


def _shown(policy, made_of: Inputs) -> dict:
    """The values cpd/_mine.html's content macro shows."""
    cycle, today, claims = made_of.cycle, made_of.today, made_of.claims
    category = made_of.membership.target_category
    summary = services.summarise(policy, made_of.entries, category, cycle, today)
    return {
        "own": made_of.own,
        "member_name": made_of.member_name,
        "asked": [c for c in claims if c.status == "info_requested"],
        "summary": summary,
        "membership": made_of.membership,
        "cycles": made_of.cycles,
        "claims": [c for c in claims if cycle.contains(c.end_date)],
        "is_current": cycle.contains(today),
        "days_left": max((cycle.end - today).days, 0),
        # The category names in the reader's language, once per page (not once per entry).
        "category_names": {total.code: total.name for total in summary.categories},
    }


def _content(policy, made_of: Inputs, cached: bool) -> Markup:
    """The page's content (cpd/_mine.html). A member's own page is drawn once per process for
    what it is made of, keyed by all of `made_of` (wired4ex.pagecache, which adds the content
    version, so the policy, and the language): the same member's next visit, or anyone's whose
    page would read the same, reuses it; a new entry, claim or day gives another key. The
    statement form's CSRF token is put in afterwards."""
    macro = current_app.jinja_env.get_template("cpd/_mine.html").module.content

    def draw(csrf: str) -> Markup:
        return macro(**_shown(policy, made_of), csrf=csrf, **LABELS)

    if not cached:
        return draw(generate_csrf() if made_of.own else "")
    drawn = pagecache.part("my-cpd", pagecache.frozen(made_of), lambda: draw(CSRF_SLOT))
    return Markup(drawn.replace(CSRF_SLOT, str(escape(generate_csrf()))))


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
# The label functions cpd/_mine.html is given (pure: their texts depend on the language only).
LABELS = {
    "membership_label": lambda value: MEMBERSHIP_LABELS.get(value, value),
    "membership_today": status_today,
    "claim_status": lambda status: CLAIM_STATUS_LABELS.get(status, status),
}


@bp.app_context_processor
def _cpd_labels() -> dict:
    return {
        "claim_status": lambda status: CLAIM_STATUS_LABELS.get(status, status),
        "audit_outcome": lambda outcome: AUDIT_OUTCOME_LABELS.get(outcome, outcome),
        "ledger_source": lambda source: SOURCE_NAMES.get(source, source),
        "period_label": period_label,
        "statement_status": lambda status: STATEMENT_STATUS_LABELS.get(status, status),
    }
