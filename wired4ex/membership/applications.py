"""Applications for membership and the secretariat's decisions on them.

A signed-in person applies for a category the policy opens to members, answering the category's
fields (and uploading its proof file, checked and stored as CPD evidence is). The secretariat
approves (the category may be changed, with a reason), asks for more information (the applicant
answers and the application returns to the queue) or rejects with a reason. Every step is
audited; nobody decides their own application.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import MembershipCategory, User
from wired4ex.cpd import evidence
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.fields import EARLIEST_DATE
from wired4ex.membership.models import ApplicationStatus, Membership, MembershipApplication
from wired4ex.membership.policy import CategoryPolicy, category_policy
from wired4ex.membership.services import MembershipError, grant_membership, renewal_date
from wired4ex.notifications import hooks
from wired4ex.timeutil import local_today

TEXT_LIMITS = {"text": 200, "long_text": 2000}
MAX_SEATS = 10_000
REASON_LIMIT = 2000


class ApplicationError(MembershipError):
    """An application or decision refused; the message names the field or the reason."""


def open_application(user_id: int) -> MembershipApplication | None:
    return db.session.scalar(
        sa.select(MembershipApplication).where(
            MembershipApplication.user_id == user_id,
            MembershipApplication.status.in_(ApplicationStatus.OPEN),
        )
    )


def applications_of(user_id: int) -> list[MembershipApplication]:
    """A person's applications, newest first."""
    return list(
        db.session.scalars(
            sa.select(MembershipApplication)
            .where(MembershipApplication.user_id == user_id)
            .order_by(MembershipApplication.submitted_at.desc(), MembershipApplication.id.desc())
        )
    )


def membership_of(user_id: int) -> Membership | None:
    return db.session.scalar(sa.select(Membership).where(Membership.user_id == user_id))


# -- answers --------------------------------------------------------------------------------------


def clean_answers(policy: CategoryPolicy, raw: dict) -> dict[str, str]:
    """The category's answers, checked: ApplicationError naming the first wrong field."""
    answers: dict[str, str] = {}
    for field in policy.fields:
        if field.type == "file":
            continue
        value = raw.get(field.code)
        text = "" if value is None else str(value).strip()
        if not text:
            if field.required:
                raise ApplicationError(_l("%(field)s: this field is required.", field=field.label))
            continue
        if field.type in TEXT_LIMITS:
            limit = TEXT_LIMITS[field.type]
            if len(text) > limit:
                raise ApplicationError(_l("%(field)s: at most %(limit)s characters.",
                                          field=field.label, limit=limit))  # fmt: skip
            if any(not ch.isprintable() and ch not in "\n\r\t" for ch in text):
                raise ApplicationError(_l("%(field)s: remove the control characters.",
                                          field=field.label))  # fmt: skip
        elif field.type == "date":
            day = value if isinstance(value, date) else _parse_date(text)
            if day is None or not EARLIEST_DATE <= day <= local_today() + timedelta(days=3660):
                raise ApplicationError(_l("%(field)s: enter a date between 1990 and ten years "
                                          "from now.", field=field.label))  # fmt: skip
            text = day.isoformat()
        elif field.type == "number":
            if not text.isdigit() or not 1 <= int(text) <= MAX_SEATS:
                raise ApplicationError(_l("%(field)s: enter a whole number from 1 to %(most)s.",
                                          field=field.label, most=MAX_SEATS))  # fmt: skip
            text = str(int(text))
        answers[field.code] = text
    return answers


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _has_upload(upload: FileStorage | None) -> bool:
    return upload is not None and bool(upload.filename)


def _store_proof(application: MembershipApplication, upload: FileStorage) -> str | None:
    """Store a proof file on the application; returns the replaced file's name (to discard
    once committed). ApplicationError when the file is refused."""
    try:
        stored = evidence.store(upload)
    except evidence.EvidenceError as error:
        raise ApplicationError(str(error)) from error
    old = application.proof_path
    application.proof_path = stored.stored_as
    application.proof_name = stored.original_name
    application.proof_type = stored.content_type
    application.proof_size = stored.size
    return old


def _commit_with_file(new_file: str | None, old_file: str | None = None) -> None:
    """Commit; on failure the new file is removed, after success the replaced one."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        evidence.discard(new_file)
        raise
    evidence.discard(old_file)


# -- the applicant --------------------------------------------------------------------------------


def submit_application(
    user: User, category: str, raw_answers: dict, upload: FileStorage | None = None
) -> MembershipApplication:
    """A person applies for a category; commits; audited."""
    if category not in {c.value for c in MembershipCategory}:
        raise ApplicationError(_l("Choose a membership category."))
    policy = category_policy(category)
    if not policy.may_apply:
        raise ApplicationError(_l("%(category)s membership is granted by the secretariat, never "
                                  "applied for.", category=policy.name))  # fmt: skip
    held = membership_of(user.id)
    if held is not None and held.category == category:
        raise ApplicationError(_l("You already hold a %(category)s membership.",
                                  category=policy.name))  # fmt: skip
    if open_application(user.id) is not None:
        raise ApplicationError(_l("You already have an application in the queue."))
    answers = clean_answers(policy, raw_answers)
    proof = policy.file_field
    if proof is not None and proof.required and not _has_upload(upload):
        raise ApplicationError(_l("%(field)s: choose a file.", field=proof.label))
    application = MembershipApplication(
        user_id=user.id,
        category=category,
        status=ApplicationStatus.SUBMITTED,
        answers=answers,
        organisation_name=answers.get("organisation_name") if category == "corporate" else None,
        seats=int(answers["seats"]) if category == "corporate" and "seats" in answers else None,
    )
    stored = None
    if proof is not None and _has_upload(upload):
        _store_proof(application, upload)
        stored = application.proof_path
    db.session.add(application)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:  # a parallel submission
        db.session.rollback()
        evidence.discard(stored)
        raise ApplicationError(_l("You already have an application in the queue.")) from error
    audit.record("membership.applied", "membership_application", application.id, user.id,
                 user.id, after={"category": category, "answers": answers,
                                 "proof": application.proof_name})  # fmt: skip
    _tell_admins(application, "applied")
    _commit_with_file(stored)
    return application


def answer_request(
    application: MembershipApplication, user: User, answer: str, upload: FileStorage | None = None
) -> None:
    """The applicant answers a request for information; back to the queue; commits; audited."""
    if application.user_id != user.id:
        raise ApplicationError(_l("This is not your application."))
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise ApplicationError(_l("The secretariat has not asked for anything on this "
                                  "application."))  # fmt: skip
    answer = (answer or "").strip()
    if not answer and not _has_upload(upload):
        raise ApplicationError(_l("Your answer: write what was asked for, or attach a file."))
    if len(answer) > REASON_LIMIT:
        raise ApplicationError(_l("Your answer: at most %(limit)s characters.", limit=REASON_LIMIT))
    old = new = None
    if _has_upload(upload):
        old = _store_proof(application, upload)
        new = application.proof_path
    application.info_answer = answer or None
    application.status = ApplicationStatus.SUBMITTED
    audit.record("membership.info_answered", "membership_application", application.id, user.id,
                 user.id, after={"answer": answer, "proof": application.proof_name})  # fmt: skip
    _tell_admins(application, f"answered:{utcnow().isoformat()}")
    _commit_with_file(new, old)


def withdraw_application(application: MembershipApplication, user: User) -> None:
    """The applicant withdraws an open application; commits; audited."""
    if application.user_id != user.id:
        raise ApplicationError(_l("This is not your application."))
    if not application.is_open:
        raise ApplicationError(_l("This application has already been decided."))
    application.status = ApplicationStatus.WITHDRAWN
    audit.record("membership.withdrawn", "membership_application", application.id, user.id,
                 user.id)  # fmt: skip
    db.session.commit()


def _tell_admins(application: MembershipApplication, event: str) -> None:
    """The secretariat told that an application waits (in the current transaction)."""
    from wired4ex.notifications.digest import tell_admins

    tell_admins(f"membership:{application.id}:{event}", str(_l("a membership application")),
                "membership_admin.queue", exclude_id=application.user_id)  # fmt: skip


# -- the secretariat ------------------------------------------------------------------------------


def _reason(text: str | None, required_message) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(required_message)
    if len(text) > REASON_LIMIT:
        raise ApplicationError(_l("At most %(limit)s characters.", limit=REASON_LIMIT))
    return text


def _decidable(application: MembershipApplication, by: User) -> None:
    refuse_own_case(by.id, application.user_id)
    if not application.is_open:
        raise ApplicationError(_l("This application has already been decided."))


def request_information(application: MembershipApplication, by: User, message: str) -> None:
    """Ask the applicant for more; commits; audited; the applicant is told (mail and centre)."""
    _decidable(application, by)
    message = _reason(message, _l("Say what the applicant should send."))
    application.status = ApplicationStatus.INFO_REQUESTED
    application.info_request = message
    application.info_answer = None
    audit.record("membership.info_requested", "membership_application", application.id, by.id,
                 application.user_id, after={"request": message})  # fmt: skip
    hooks.membership_info_requested(application.user, application.id, message)
    db.session.commit()


def reject_application(application: MembershipApplication, by: User, reason: str) -> None:
    """Refuse with a reason the applicant reads; commits; audited; the applicant is told."""
    _decidable(application, by)
    reason = _reason(reason, _l("Give the reason the applicant will read."))
    application.status = ApplicationStatus.REJECTED
    application.decision_reason = reason
    application.decided_by_id = by.id
    application.decided_at = utcnow()
    audit.record("membership.rejected", "membership_application", application.id, by.id,
                 application.user_id, after={"reason": reason})  # fmt: skip
    hooks.membership_decided(application.user, application.id, False, reason=reason)
    db.session.commit()


@dataclass(frozen=True)
class Approval:
    category: str | None = None  # None: as applied for
    reason: str | None = None  # required when the category changes
    keep_claimed_number: bool = False
    started_on: date | None = None


def approve_application(application_id: int, by_id: int, decision: Approval) -> Membership:
    """Approve: grant the membership with a number from the system (or change the category of
    the one held); commits.

    Safe under parallel approvals: the transaction's first statement writes the application
    row, so SQLite takes its write lock before anything is read and PostgreSQL locks the row;
    the year's number counter is then bumped in the same transaction (PostgreSQL queues parallel
    approvals on its row), and a refusal rolls everything back, the number included.
    """
    db.session.rollback()  # a fresh transaction whose first statement is a write
    db.session.execute(
        sa.update(MembershipApplication)
        .where(MembershipApplication.id == application_id)
        .values(updated_at=utcnow())
    )
    try:
        membership = _approve(application_id, by_id, decision)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return membership


def _approve(application_id: int, by_id: int, decision: Approval) -> Membership:
    application = db.session.get(MembershipApplication, application_id, populate_existing=True)
    by = db.session.get(User, by_id)
    if application is None or by is None:
        raise ApplicationError(_l("This application no longer exists."))
    _decidable(application, by)
    category = decision.category or application.category
    if category not in {c.value for c in MembershipCategory}:
        raise ApplicationError(_l("Choose a membership category."))
    reason = (decision.reason or "").strip() or None
    if category != application.category:
        reason = _reason(reason, _l("Say why the category differs from the one applied for."))
    member = application.user
    membership = membership_of(member.id)
    if membership is not None:  # a member moving to another category keeps their number
        if membership.category == category:
            raise ApplicationError(_l("%(name)s already holds this category.",
                                      name=member.full_name))  # fmt: skip
        change_category(membership, category, by,
                        reason or f"Application {application.id} approved.",
                        application=application)  # fmt: skip
    else:
        if decision.keep_claimed_number and not application.claimed_number:
            raise ApplicationError(_l("This application claims no number to keep."))
        membership = grant_membership(
            member,
            category,
            by=by,
            started_on=decision.started_on,
            number=application.claimed_number if decision.keep_claimed_number else None,
            reason=reason,
            organisation_name=application.organisation_name,
            seats=application.seats,
            application=application,
        )
    application.status = ApplicationStatus.APPROVED
    application.decided_by_id = by.id
    application.decided_at = utcnow()
    application.decision_reason = reason
    audit.record("membership.approved", "membership_application", application.id, by.id,
                 member.id, after={"category": category, "applied_for": application.category,
                                   "number": membership.number, "reason": reason})  # fmt: skip
    hooks.membership_decided(member, application.id, True, number=membership.number,
                             reason=reason)  # fmt: skip
    return membership


def change_category(
    membership: Membership,
    category: str,
    by: User,
    reason: str | None,
    application: MembershipApplication | None = None,
) -> None:
    """Move a membership to another category (number and dates kept); audited; the caller
    commits. A category that never lapses clears the renewal date; one that lapses gets one."""
    refuse_own_case(by.id, membership.user_id)
    reason = _reason(reason, _l("Say why the category changes."))
    if category not in {c.value for c in MembershipCategory}:
        raise ApplicationError(_l("Choose a membership category."))
    before = {
        "category": membership.category,
        "renews_on": membership.renews_on.isoformat() if membership.renews_on else None,
    }
    policy = category_policy(category)
    if not policy.lapses:
        membership.renews_on = None
    elif membership.renews_on is None:
        membership.renews_on = renewal_date(category, local_today())
    if category != "corporate":
        membership.organisation_name, membership.seats = None, None
    elif application is not None:
        membership.organisation_name = application.organisation_name
        membership.seats = application.seats
    membership.category = category
    membership.reason = reason
    membership.user.membership_category = category
    audit.record("membership.category_changed", "membership", membership.id, by.id,
                 membership.user_id, before=before,
                 after={"category": category, "reason": reason,
                        "renews_on": membership.renews_on.isoformat()
                        if membership.renews_on else None,
                        "application": application.id if application else None})  # fmt: skip
