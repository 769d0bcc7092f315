"""External claims: the member's drafts and submissions, and the secretariat's decisions."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.cpd import evidence
from wired4ex.cpd.errors import ClaimAlreadyDecided, ClaimChanged, ClaimFrozen, CpdError
from wired4ex.cpd.models import Claim
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.standing import _points_text
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.fields import (
    EARLIEST_DATE,
    NUMBER_MESSAGE,
    date_problem,
    is_finite_number,
    is_whole_or_half,
    latest_activity_date,
)
from wired4ex.learning.models import LedgerEntry


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


def check_claim(
    policy: CpdPolicy | None, data: ClaimInput, today: date | None = None
) -> list[tuple[str, str]]:
    """Rule problems as (field, message); the form checks types, this checks the policy.

    Dates run from 1 January 1990 to today; points and hours are finite, in whole or half points.
    Without a policy, its categories are not checked (the rest is).
    """
    today = today or latest_activity_date()
    problems = []
    category = policy.categories.get(data.category) if policy is not None else None
    if policy is not None and category is None:
        problems.append(("category", str(_l("Choose a CPD category from the list."))))
    for name in ("start_date", "end_date"):
        problem = date_problem(getattr(data, name), EARLIEST_DATE, today)
        if problem:
            problems.append((name, problem))
    if data.end_date < data.start_date:
        problems.append(("end_date", str(_l("The end date cannot be before the start date."))))
    if not is_finite_number(data.hours) or data.hours < 0:
        problems.append(("hours", str(NUMBER_MESSAGE)))
    if not is_whole_or_half(data.points_claimed) or data.points_claimed < 0:
        problems.append(
            ("points_claimed", str(_l("Claim zero or more points, in whole or half points.")))
        )
    elif (
        category
        and category.max_per_activity is not None
        and data.points_claimed > category.max_per_activity
    ):
        problems.append(
            (
                "points_claimed",
                str(
                    _l(
                        "One activity in this category earns at most %(points)s points.",
                        points=category.max_per_activity,
                    )
                ),
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


def frozen_message(claim: Claim) -> str:
    """Why a claim cannot be edited, in words for its member."""
    if claim.status == "submitted":
        return str(
            _l(
                "This claim is waiting for review, so it can no longer be changed. You may withdraw it."
            )
        )
    if claim.status == "info_requested":
        return str(_l("The secretariat asked you a question about this claim: answer it on the "
                      "claim's page (you may attach new evidence there)."))  # fmt: skip
    return str(_l("This claim has been decided and can no longer be changed."))


def save_claim(
    user: User,
    data: ClaimInput,
    upload=None,
    submit: bool = False,
    claim: Claim | None = None,
    at: datetime | None = None,
    policy: CpdPolicy | None = None,
) -> Claim:
    """Create or edit a draft claim, or submit it for verification; commits.

    Only a draft can be changed (a submitted claim is frozen). The claim is checked first
    (check_claim: dates, numbers and, given the policy, its category); a change under someone else's feet (the claim was
    submitted or withdrawn meanwhile) raises ClaimFrozen. The evidence file is stored first and removed again if the database save fails, so neither an
    orphan file nor a claim pointing at a missing file is left behind.
    """
    at = at or utcnow()
    if claim is not None and not claim.editable:
        raise ClaimFrozen(frozen_message(claim))
    problems = check_claim(policy, data)
    if problems:
        raise CpdError(problems[0][1])
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
                db.session.flush()
                from wired4ex.notifications.digest import tell_admins

                tell_admins(f"claim:{claim.id}:{claim.version}", str(_l("a CPD claim to verify")),
                            "cpd.review_queue", exclude_id=user.id)  # fmt: skip
        db.session.commit()
    except StaleDataError as error:  # the claim changed since it was read (version check)
        db.session.rollback()
        if stored is not None:
            evidence.discard(stored.stored_as)
        raise ClaimFrozen(
            _l("This claim changed meanwhile (it may have been submitted); open it again.")
        ) from error
    except BaseException:
        db.session.rollback()
        if stored is not None:
            evidence.discard(stored.stored_as)
        raise
    if replaced:
        evidence.discard(replaced)
    return claim


WITHDRAWABLE = ("draft", "submitted", "info_requested")


def withdraw_claim(user: User, claim: Claim, at: datetime | None = None) -> None:
    """The member withdraws a draft, a submitted claim or one waiting on their answer; commits;
    audited."""
    at = at or utcnow()
    before = claim.status
    changed = db.session.execute(
        sa.update(Claim)
        .where(Claim.id == claim.id, Claim.user_id == user.id, Claim.status.in_(WITHDRAWABLE))
        .values(status="withdrawn", updated_at=at, version=Claim.version + 1)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise CpdError(_l("Only a draft or a claim waiting for review can be withdrawn."))
    audit.record("claim.withdrawn", "claim", claim.id, actor_id=user.id, member_id=user.id,
                 before={"status": before}, after={"status": "withdrawn"}, at=at)  # fmt: skip
    db.session.commit()


def pending_claims() -> list[Claim]:
    """Submitted claims, oldest first, with their members."""
    return list(db.session.scalars(pending_claims_query()))


def pending_claims_query(
    category: str | None = None, submitted_before=None, status: str = "submitted"
) -> sa.Select:
    """Submitted claims, oldest first, with their members; optionally of one CPD category and
    submitted before a moment (waiting longer than some days). status="info_requested": the
    claims waiting on their members' answers instead."""
    query = (
        sa.select(Claim)
        .where(Claim.status == status)
        .options(selectinload(Claim.member))
        .order_by(Claim.submitted_at, Claim.id)
    )
    if category:
        query = query.where(Claim.category == category)
    if submitted_before is not None:
        query = query.where(
            sa.func.coalesce(Claim.submitted_at, Claim.created_at) < submitted_before
        )
    return query


@dataclass(frozen=True)
class Decision:
    approve: bool
    points: Decimal | None
    reason: str


CLAIM_CHANGED = _l("The claim changed; review it again.")
ALREADY_DECIDED = _l("This claim has already been decided.")
WAITING_ON_MEMBER = _l(
    "The member has been asked about this claim; it comes back to the queue when they answer."
)


def not_submitted_message(status: str):
    """Why a claim cannot be decided or asked about now, for the reviewer."""
    return WAITING_ON_MEMBER if status == "info_requested" else ALREADY_DECIDED


def check_submitted(claim: Claim, seen_version: int | None) -> int:
    """The version the reviewer had on screen (seen_version; None: the one just loaded), once
    the claim is "submitted" at it. Else ClaimAlreadyDecided (with why: decided, or waiting on
    its member), or ClaimChanged when it is at another version."""
    if seen_version is None:
        seen_version = claim.version
    if claim.status != "submitted":
        raise ClaimAlreadyDecided(not_submitted_message(claim.status))
    if claim.version != seen_version:
        raise ClaimChanged(CLAIM_CHANGED)
    return seen_version


def update_submitted(claim_id: int, seen_version: int, at: datetime, **values) -> None:
    """Set values on a claim only while it is "submitted" at seen_version, in one UPDATE that
    also moves it to the next version: of two reviewers acting at the same moment, one changes
    it. When another came first: roll back, then ClaimAlreadyDecided or ClaimChanged, as
    check_submitted() says for the claim as it is now."""
    changed = db.session.execute(
        sa.update(Claim)
        .where(Claim.id == claim_id, Claim.status == "submitted", Claim.version == seen_version)
        .values(version=seen_version + 1, **values, updated_at=at)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        current = db.session.get(Claim, claim_id)
        if current is None or current.status != "submitted":
            raise ClaimAlreadyDecided(not_submitted_message(current.status if current else ""))
        raise ClaimChanged(CLAIM_CHANGED)


def decide_claim(
    claim: Claim,
    admin: User,
    decision: Decision,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> Claim:
    """Approve (possibly with fewer points, with a reason) or reject (with a reason); commits.

    Nobody decides their own claim (OwnCaseError). seen_version is the version the reviewer had
    on screen (None: the one just loaded); a decision on another version raises ClaimChanged.
    The status changes only from "submitted" at that version, in one UPDATE, so two admins
    deciding at the same moment give one decision and, for an approval, one ledger entry.
    """
    refuse_own_case(admin.id, claim.user_id)
    at = at or utcnow()
    reason = (decision.reason or "").strip()
    seen_version = check_submitted(claim, seen_version)
    if decision.approve:
        points = decision.points
        if points is None or not is_whole_or_half(points) or points < 0:
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
    update_submitted(claim_id, seen_version, at, status=status, points_approved=points,
                     decision_reason=reason or None, decided_by_id=admin.id, decided_at=at)  # fmt: skip
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
    outcome = "rejected" if points is None else "reduced" if points < claimed else "approved"
    _tell_member(member_id, "claim_decided", claim_id, seen_version + 1,
                 {"title": snapshot["title"], "outcome": outcome})  # fmt: skip
    db.session.commit()  # the decision, its ledger entry, audit record and mail: one transaction
    return db.session.get(Claim, claim_id)


def _tell_member(member_id: int, kind: str, claim_id: int, version: int, params: dict) -> None:
    """The member's notification and mail about their claim, in the current transaction."""
    from wired4ex.notifications.outbox import notify, path_for

    notify(db.session.get(User, member_id), kind, f"{claim_id}:{version}",
           {"claim_id": claim_id, **params}, path_for("cpd.claim", claim_id=claim_id))  # fmt: skip
