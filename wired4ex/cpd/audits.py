"""Audit samples: a random share of members with claims in a cycle, and each one's outcome."""

import math
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.cpd.errors import CpdError
from wired4ex.cpd.models import AuditSample, AuditSampleMember, Claim
from wired4ex.cpd.policy import Cycle
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db


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
                    Claim.status.in_(("submitted", "info_requested", "approved", "rejected")),
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
    """Record whether a sampled member's claims passed the audit; commits.

    Nobody records the outcome of their own audit (OwnCaseError).
    """
    refuse_own_case(admin.id, sampled.user_id)
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
                Claim.status.in_(("submitted", "info_requested", "approved", "rejected")),
            )
            .order_by(Claim.end_date)
        )
    )
