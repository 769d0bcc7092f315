"""More information asked: the secretariat asks the member a question about a submitted claim;
the member replies (and may replace the evidence) and the claim returns to the queue. Several
rounds are possible; each is a ClaimInfoRequest row. Every step is audited, checks the version
the person had on screen, and commits with its notification in one transaction.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.cpd import evidence
from wired4ex.cpd.claims import check_submitted, update_submitted
from wired4ex.cpd.errors import ClaimChanged, ClaimConflict, CpdError
from wired4ex.cpd.models import Claim, ClaimInfoRequest
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

QUESTION_LIMIT = 2000
REPLY_LIMIT = 5000
NOT_WAITING = _l("This claim is not waiting for your answer.")
REPLY_CHANGED = _l(
    "This claim changed while you were answering (it may have been withdrawn). Nothing was "
    "sent; your answer is still in the form: check the claim and send it again."
)


def _text(text: str | None, required, limit: int, too_long) -> str:
    text = (text or "").strip()
    if not text:
        raise CpdError(required)
    if len(text) > limit:
        raise CpdError(too_long)
    return text


def request_info(
    claim: Claim,
    admin: User,
    question: str,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> ClaimInfoRequest:
    """Ask the member a question about a submitted claim; commits.

    Nobody asks about their own claim (OwnCaseError). The claim must be "submitted" at the
    version the reviewer saw (ClaimAlreadyDecided / ClaimChanged otherwise); it becomes
    "info_requested" in one guarded UPDATE, with the question as a new round, an audit event and
    the member's notification (mail and in-app) in the same transaction.
    """
    refuse_own_case(admin.id, claim.user_id)
    at = at or utcnow()
    question = _text(question, _l("Write the question the member should answer."),
                     QUESTION_LIMIT, _l("The question: at most %(limit)s characters.",
                                        limit=QUESTION_LIMIT))  # fmt: skip
    seen_version = check_submitted(claim, seen_version)
    claim_id, member_id, title = claim.id, claim.user_id, claim.title
    db.session.commit()  # end the reading transaction: the request starts with its write
    update_submitted(claim_id, seen_version, at, status="info_requested")
    round_ = 1 + (
        db.session.scalar(
            sa.select(sa.func.max(ClaimInfoRequest.round)).where(
                ClaimInfoRequest.claim_id == claim_id
            )
        )
        or 0
    )
    request = ClaimInfoRequest(claim_id=claim_id, round=round_, question=question,
                               asked_by_id=admin.id, asked_at=at)  # fmt: skip
    db.session.add(request)
    audit.record("claim.info_requested", "claim", claim_id, actor_id=admin.id,
                 member_id=member_id, before={"status": "submitted"},
                 after={"status": "info_requested", "round": round_, "question": question},
                 at=at)  # fmt: skip
    from wired4ex.notifications import hooks

    hooks.claim_info_requested(db.session.get(User, member_id), claim_id, seen_version + 1,
                               title, question)  # fmt: skip
    db.session.commit()  # the status, the question, the audit event and the mail: one transaction
    db.session.expire_all()
    return request


def answer_info_request(
    user: User,
    claim: Claim,
    reply: str,
    upload=None,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> Claim:
    """The member answers the open question (and may replace the evidence); the claim returns to
    the secretariat's queue; commits.

    A new evidence file follows the upload rules (evidence.store) and replaces the old one, which
    is removed only once the answer is saved; a failed save removes the new file instead.
    """
    if claim.user_id != user.id:
        raise CpdError(NOT_WAITING)
    at = at or utcnow()
    reply = _text(reply, _l("Write your answer to the secretariat's question."), REPLY_LIMIT,
                  _l("Your answer: at most %(limit)s characters.", limit=REPLY_LIMIT))  # fmt: skip
    seen_version = claim.version if seen_version is None else seen_version
    if claim.status != "info_requested" or claim.open_request is None:
        raise ClaimConflict(NOT_WAITING)
    if claim.version != seen_version:
        raise ClaimChanged(REPLY_CHANGED)
    request_id, claim_id = claim.open_request.id, claim.id
    stored = evidence.store(upload) if upload is not None else None
    replaced = claim.evidence_stored_as if stored is not None else None
    try:
        values = dict(status="submitted", version=seen_version + 1, updated_at=at)
        if stored is not None:
            values.update(evidence_name=stored.original_name, evidence_stored_as=stored.stored_as,
                          evidence_type=stored.content_type, evidence_size=stored.size)  # fmt: skip
        changed = db.session.execute(
            sa.update(Claim)
            .where(Claim.id == claim_id, Claim.user_id == user.id,
                   Claim.status == "info_requested", Claim.version == seen_version)
            .values(**values)
        ).rowcount  # fmt: skip
        if changed != 1:
            raise ClaimChanged(REPLY_CHANGED)
        db.session.execute(
            sa.update(ClaimInfoRequest)
            .where(ClaimInfoRequest.id == request_id, ClaimInfoRequest.replied_at.is_(None))
            .values(reply=reply, replied_at=at,
                    reply_evidence_name=stored.original_name if stored else None)
        )  # fmt: skip
        audit.record("claim.info_answered", "claim", claim_id, actor_id=user.id,
                     member_id=user.id, before={"status": "info_requested"},
                     after={"status": "submitted", "reply": reply,
                            "evidence": stored.original_name if stored else None},
                     at=at)  # fmt: skip
        from wired4ex.notifications.digest import tell_admins

        tell_admins(f"claim:{claim_id}:{seen_version + 1}", str(_l("a CPD claim to verify")),
                    "cpd.review_queue", exclude_id=user.id)  # fmt: skip
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored is not None:
            evidence.discard(stored.stored_as)
        raise
    if replaced:
        evidence.discard(replaced)
    db.session.expire_all()
    return db.session.get(Claim, claim_id)
