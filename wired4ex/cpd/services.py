"""CPD use cases: ledger arithmetic, claims, verification, audit samples, adjustments."""

import math
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.cpd import evidence
from wired4ex.cpd.models import AuditSample, AuditSampleMember, Claim
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry

ZERO = Decimal("0")


class CpdError(ValueError):
    """A use case refused; the message is safe to show."""


# -- arithmetic --------------------------------------------------------------------------------


@dataclass
class CategoryTotal:
    code: str
    name: str
    claimed: Decimal
    counted: Decimal
    cap: Decimal | None
    minimum: Decimal | None = None

    @property
    def over_cap(self) -> Decimal:
        return self.claimed - self.counted if self.claimed > self.counted else ZERO

    @property
    def minimum_met(self) -> bool:
        return self.minimum is None or self.counted >= self.minimum


@dataclass
class CpdSummary:
    """A member's standing in one cycle, computed from the ledger alone."""

    cycle: Cycle
    entries: list[LedgerEntry]
    categories: list[CategoryTotal]
    target: Decimal | None  # None: exempt
    expected_by_today: Decimal | None
    counted: Decimal = ZERO
    claimed: Decimal = ZERO
    unmet_minimums: list[CategoryTotal] = field(default_factory=list)

    @property
    def exempt(self) -> bool:
        return self.target is None

    @property
    def target_met(self) -> bool:
        return self.exempt or (self.counted >= self.target and not self.unmet_minimums)

    @property
    def still_needed(self) -> Decimal:
        if self.exempt:
            return ZERO
        return max(self.target - self.counted, ZERO)

    @property
    def behind_pace(self) -> bool:
        return self.expected_by_today is not None and self.counted < self.expected_by_today


def _points_text(points: Decimal | None) -> str | None:
    """Points as text with one decimal ("5.0"), for audit records."""
    return None if points is None else str(Decimal(points).quantize(Decimal("0.1")))


def _round_half(value: Decimal) -> Decimal:
    """Round to the nearest half point (pace figures)."""
    return (value * 2).to_integral_value() / 2


def summarise(
    policy: CpdPolicy,
    entries: list[LedgerEntry],
    membership_category: str,
    cycle: Cycle,
    today: date,
) -> CpdSummary:
    """Claimed and counted points per category (caps applied), target, minimums and pace.

    Points over a category's cap stay in the ledger but do not count. Negative adjustments reduce
    their category; a category never counts below zero.
    """
    in_cycle = [entry for entry in entries if cycle.contains(entry.activity_date)]
    sums: dict[str, Decimal] = {}
    for entry in in_cycle:
        sums[entry.category] = sums.get(entry.category, ZERO) + Decimal(entry.points)
    codes = list(policy.categories) + [code for code in sums if code not in policy.categories]
    totals = []
    for code in codes:
        claimed = sums.get(code, ZERO)
        category = policy.categories.get(code)
        cap = category.cap if category else None
        counted = max(min(claimed, cap) if cap is not None else claimed, ZERO)
        totals.append(
            CategoryTotal(
                code=code,
                name=policy.category_name(code),
                claimed=claimed,
                counted=counted,
                cap=cap,
                minimum=policy.minimums.get(code),
            )
        )
    target = policy.target_for(membership_category)
    if target is None:
        expected = None
    elif today > cycle.end:
        expected = target
    elif today < cycle.start:
        expected = ZERO
    else:
        elapsed = (today - cycle.start).days + 1
        expected = _round_half(target * elapsed / cycle.days)
    summary = CpdSummary(
        cycle=cycle,
        entries=sorted(in_cycle, key=lambda e: (e.activity_date, e.id or 0), reverse=True),
        categories=totals,
        target=target,
        expected_by_today=expected,
        counted=sum((t.counted for t in totals), ZERO),
        claimed=sum((t.claimed for t in totals), ZERO),
    )
    if target is not None:
        summary.unmet_minimums = [t for t in totals if not t.minimum_met]
    return summary


def ledger_entries(
    user_id: int, start: date | None = None, end: date | None = None
) -> list[LedgerEntry]:
    """A member's ledger entries, optionally within a date range, oldest first."""
    query = sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id)
    if start is not None:
        query = query.where(LedgerEntry.activity_date >= start)
    if end is not None:
        query = query.where(LedgerEntry.activity_date <= end)
    return list(db.session.scalars(query.order_by(LedgerEntry.activity_date, LedgerEntry.id)))


def member_summary(policy: CpdPolicy, user: User, cycle: Cycle, today: date) -> CpdSummary:
    """The summary for one member and cycle, reading only that cycle's ledger entries."""
    entries = ledger_entries(user.id, cycle.start, cycle.end)
    return summarise(policy, entries, user.membership_category, cycle, today)


def cycles_with_activity(policy: CpdPolicy, user_id: int, today: date) -> list[Cycle]:
    """The current cycle and every earlier one the member has entries or claims in, newest first."""
    dates = set(
        db.session.scalars(
            sa.select(LedgerEntry.activity_date).where(LedgerEntry.user_id == user_id)
        )
    )
    dates |= set(db.session.scalars(sa.select(Claim.end_date).where(Claim.user_id == user_id)))
    keys = {policy.cycle_for(day).key for day in dates} | {policy.cycle_for(today).key}
    return [policy.cycle_starting(year) for year in sorted(keys, reverse=True)]


# -- claims --------------------------------------------------------------------------------------


@dataclass
class ClaimInput:
    """What a member enters for a claim."""

    title: str
    provider: str
    category: str
    start_date: date
    end_date: date
    hours: Decimal
    points_claimed: Decimal
    reflection: str
    competencies: list[str]


def check_claim(policy: CpdPolicy, data: ClaimInput) -> list[tuple[str, str]]:
    """Rule problems as (field, message); the form checks types, this checks the policy."""
    problems = []
    category = policy.categories.get(data.category)
    if category is None:
        problems.append(("category", "Choose a CPD category from the list."))
    if data.end_date < data.start_date:
        problems.append(("end_date", "The end date cannot be before the start date."))
    if data.points_claimed < 0 or data.points_claimed * 2 != int(data.points_claimed * 2):
        problems.append(("points_claimed", "Claim zero or more points, in whole or half points."))
    elif (
        category
        and category.max_per_activity is not None
        and data.points_claimed > category.max_per_activity
    ):
        problems.append(
            (
                "points_claimed",
                f"One activity in this category earns at most {category.max_per_activity} points.",
            )
        )
    return problems


def member_claims(user_id: int) -> list[Claim]:
    return list(
        db.session.scalars(
            sa.select(Claim)
            .where(Claim.user_id == user_id)
            .order_by(Claim.end_date.desc(), Claim.id.desc())
        )
    )


def get_own_claim(user_id: int, claim_id: int) -> Claim | None:
    """A claim of this member (None for anyone else's)."""
    claim = db.session.get(Claim, claim_id)
    return claim if claim is not None and claim.user_id == user_id else None


def save_claim(
    user: User,
    data: ClaimInput,
    upload=None,
    submit: bool = False,
    claim: Claim | None = None,
    at: datetime | None = None,
) -> Claim:
    """Create or edit a claim, as a draft or submitted for verification; commits.

    The evidence file is stored first and removed again if the database save fails, so neither an
    orphan file nor a claim pointing at a missing file is left behind.
    """
    at = at or utcnow()
    if claim is not None and not claim.editable:
        raise CpdError(_l("This claim has been decided and can no longer be changed."))
    stored = evidence.store(upload) if upload is not None else None
    replaced = None
    try:
        if claim is None:
            claim = Claim(user_id=user.id, created_at=at)
            db.session.add(claim)
        for name, value in vars(data).items():
            setattr(claim, name, value)
        claim.updated_at = at
        if stored is not None:
            replaced = claim.evidence_stored_as
            claim.evidence_name = stored.original_name
            claim.evidence_stored_as = stored.stored_as
            claim.evidence_type = stored.content_type
            claim.evidence_size = stored.size
        if submit:
            if not claim.evidence_stored_as:
                raise CpdError(_l("Attach the evidence (PDF, JPEG or PNG) before you submit."))
            if claim.status != "submitted":
                claim.status = "submitted"
                claim.submitted_at = at
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored is not None:
            evidence.discard(stored.stored_as)
        raise
    if replaced:
        evidence.discard(replaced)
    return claim


def withdraw_claim(user: User, claim: Claim, at: datetime | None = None) -> None:
    """The member withdraws a draft or submitted claim; commits."""
    changed = db.session.execute(
        sa.update(Claim)
        .where(
            Claim.id == claim.id, Claim.user_id == user.id, Claim.status.in_(("draft", "submitted"))
        )
        .values(status="withdrawn", updated_at=at or utcnow())
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise CpdError(_l("Only a draft or a claim waiting for review can be withdrawn."))
    db.session.commit()


def pending_claims() -> list[Claim]:
    """Submitted claims, oldest first, with their members."""
    return list(
        db.session.scalars(
            sa.select(Claim)
            .where(Claim.status == "submitted")
            .options(selectinload(Claim.member))
            .order_by(Claim.submitted_at, Claim.id)
        )
    )


@dataclass(frozen=True)
class Decision:
    approve: bool
    points: Decimal | None
    reason: str


def decide_claim(
    claim: Claim, admin: User, decision: Decision, at: datetime | None = None
) -> Claim:
    """Approve (possibly with fewer points, with a reason) or reject (with a reason); commits.

    The status changes only from "submitted", in one UPDATE, so two admins deciding at the same
    moment give one decision and, for an approval, one ledger entry.
    """
    at = at or utcnow()
    reason = decision.reason.strip()
    if decision.approve:
        points = decision.points
        if points is None or points < 0 or points * 2 != int(points * 2):
            raise CpdError(_l("Approve zero or more points, in whole or half points."))
        if points > claim.points_claimed:
            raise CpdError(_l("You cannot approve more points than were claimed."))
        if points < claim.points_claimed and not reason:
            raise CpdError(_l("Give a reason when you approve fewer points than claimed."))
    else:
        points = None
        if not reason:
            raise CpdError(_l("Give a reason for rejecting the claim."))
    claim_id, member_id, claimed = claim.id, claim.user_id, claim.points_claimed
    snapshot = dict(
        title=claim.title, provider=claim.provider, category=claim.category,
        end_date=claim.end_date, competencies=list(claim.competencies or []),
    )  # fmt: skip
    db.session.commit()  # end the reading transaction: the decision starts with its write
    status = "approved" if decision.approve else "rejected"
    changed = db.session.execute(
        sa.update(Claim)
        .where(Claim.id == claim_id, Claim.status == "submitted")
        .values(
            status=status,
            points_approved=points,
            decision_reason=reason or None,
            decided_by_id=admin.id,
            decided_at=at,
            updated_at=at,
        )
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise CpdError(_l("This claim has already been decided."))
    if decision.approve:
        db.session.add(
            LedgerEntry(
                user_id=member_id,
                source="claim",
                claim_id=claim_id,
                activity_date=snapshot["end_date"],
                title=snapshot["title"],
                provider=snapshot["provider"],
                category=snapshot["category"],
                points=points,
                competencies=snapshot["competencies"],
                reason=reason or None,
                created_by_id=admin.id,
                created_at=at,
            )
        )
    audit.record(
        f"claim.{status}",
        "claim",
        claim_id,
        actor_id=admin.id,
        member_id=member_id,
        before={"status": "submitted", "points_claimed": _points_text(claimed)},
        after={"status": status, "points_approved": _points_text(points),
               "reason": reason or None},
        at=at,
    )  # fmt: skip
    db.session.commit()
    return db.session.get(Claim, claim_id)


# -- adjustments --------------------------------------------------------------------------------


MAX_ADJUSTMENT = Decimal("100")


def _adjustment_title(member: User) -> str:
    """The entry's title in the member's language: it is stored, and printed on statements."""
    with force_locale(member.language):
        return str(_l("Adjustment by the secretariat"))


def adjust(
    member: User,
    admin: User,
    points: Decimal,
    category: str,
    activity_date: date,
    reason: str,
    policy: CpdPolicy,
    at: datetime | None = None,
) -> LedgerEntry:
    """An admin's positive or negative correction, with a mandatory reason; commits."""
    reason = (reason or "").strip()
    if not reason:
        raise CpdError(_l("Give the reason for the adjustment."))
    if points == 0 or abs(points) > MAX_ADJUSTMENT or points * 2 != int(points * 2):
        raise CpdError(
            _l("Adjust by a non-zero number of whole or half points, at most 100 either way.")
        )
    if category not in policy.categories:
        raise CpdError(_l("Choose a CPD category from the list."))
    at = at or utcnow()
    entry = LedgerEntry(
        user_id=member.id,
        source="adjustment",
        activity_date=activity_date,
        title=_adjustment_title(member),
        provider="HeSMA East Africa",
        category=category,
        points=points,
        competencies=[],
        reason=reason,
        created_by_id=admin.id,
        created_at=at,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "ledger.adjustment",
        "ledger_entry",
        entry.id,
        actor_id=admin.id,
        member_id=member.id,
        after={
            "points": _points_text(points),
            "category": category,
            "date": activity_date.isoformat(),
            "reason": reason,
        },
        at=at,
    )
    db.session.commit()
    return entry


# -- audit samples ------------------------------------------------------------------------------


def draw_audit_sample(
    cycle: Cycle, percentage: int, admin: User, at: datetime | None = None
) -> AuditSample:
    """Draw a random share of the members with claims in the cycle; commits.

    At least one member is drawn when any member has claims; the randomness is the system's.
    """
    if not 1 <= percentage <= 100:
        raise CpdError(_l("Give a percentage from 1 to 100."))
    population = sorted(
        set(
            db.session.scalars(
                sa.select(Claim.user_id).where(
                    Claim.end_date >= cycle.start,
                    Claim.end_date <= cycle.end,
                    Claim.status.in_(("submitted", "approved", "rejected")),
                )
            )
        )
    )
    if not population:
        raise CpdError(_l("No member has claims in this cycle."))
    size = max(1, math.ceil(len(population) * percentage / 100))
    chosen = secrets.SystemRandom().sample(population, size)
    sample = AuditSample(
        cycle_start=cycle.start,
        percentage=percentage,
        population=len(population),
        drawn_by_id=admin.id,
        drawn_at=at or utcnow(),
    )
    sample.members = [AuditSampleMember(user_id=user_id) for user_id in sorted(chosen)]
    db.session.add(sample)
    db.session.flush()
    audit.record(
        "audit_sample.drawn",
        "audit_sample",
        sample.id,
        actor_id=admin.id,
        after={"cycle": cycle.label, "percentage": percentage, "population": len(population),
               "drawn": len(chosen)},
    )  # fmt: skip
    db.session.commit()
    return sample


def record_audit_outcome(
    sampled: AuditSampleMember, outcome: str, notes: str, admin: User, at: datetime | None = None
) -> None:
    """Record whether a sampled member's claims passed the audit; commits."""
    if outcome not in ("passed", "failed"):
        raise CpdError(_l("Choose passed or failed."))
    if outcome == "failed" and not (notes or "").strip():
        raise CpdError(_l("Say what was wrong when an audit fails."))
    before = {"outcome": sampled.outcome, "notes": sampled.notes}
    sampled.outcome = outcome
    sampled.notes = (notes or "").strip() or None
    sampled.decided_at = at or utcnow()
    sampled.decided_by_id = admin.id
    audit.record(
        "audit_sample.outcome",
        "audit_sample_member",
        sampled.id,
        actor_id=admin.id,
        member_id=sampled.user_id,
        before=before,
        after={"outcome": outcome, "notes": sampled.notes},
    )
    db.session.commit()


def sample_claims(sampled: AuditSampleMember) -> list[Claim]:
    """The claims of a sampled member in the sample's cycle."""
    sample = sampled.sample
    start = sample.cycle_start
    end = date(start.year + 1, start.month, 1)
    return list(
        db.session.scalars(
            sa.select(Claim)
            .where(
                Claim.user_id == sampled.user_id,
                Claim.end_date >= start,
                Claim.end_date < end,
                Claim.status.in_(("submitted", "approved", "rejected")),
            )
            .order_by(Claim.end_date)
        )
    )
