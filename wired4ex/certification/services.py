"""Certification use cases: status per programme, applications, decisions, certificates."""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.catalog.models import CompetencyDomain
from wired4ex.catalog.services import get_courses_by_key
from wired4ex.certification.eligibility import (
    Eligibility,
    Programme,
    evaluate_with_certificates,
    months_after,
)
from wired4ex.certification.models import Application, Certificate
from wired4ex.cpd import evidence
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.services import CpdError
from wired4ex.cpd.verifiable import new_code, normalise_code, revoke_document
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.i18n import canonical

RENEWAL_NOTICE_DAYS = 90


class CertificationError(ValueError):
    """A use case refused; the message is safe to show."""


@dataclass
class ProgrammeStatus:
    """What the member's certifications page shows for one programme."""

    programme: Programme
    eligibility: Eligibility
    certificate: Certificate | None  # the latest one, if any
    certificate_state: str | None  # valid, expired, revoked
    open_application: Application | None
    today: date

    @property
    def expiring_soon(self) -> bool:
        return (
            self.certificate_state == "valid"
            and self.certificate.expires_on is not None
            and self.certificate.expires_on - self.today <= timedelta(days=RENEWAL_NOTICE_DAYS)
        )

    @property
    def can_apply(self) -> bool:
        """Eligible, nothing pending, and not already certified (unless renewing)."""
        if not self.eligibility.eligible or self.open_application is not None:
            return False
        return self.certificate_state != "valid" or self.expiring_soon


def member_statuses(
    member: User, programmes: list[Programme], policy: CpdPolicy, today: date
) -> list[ProgrammeStatus]:
    """Every programme as this member stands now."""
    certificates, submitted = _certificates_and_applications(member.id)
    if programmes:
        results, _held = evaluate_with_certificates(
            [member], programmes, policy, today, certificates={member.id: certificates}
        )
        results = results[member.id]
    else:
        results = []
    certificates.sort(key=lambda c: (c.issued_on, c.id), reverse=True)
    open_applications = {a.programme_code: a for a in submitted}
    statuses = []
    for programme, eligibility in zip(programmes, results, strict=True):
        latest = next((c for c in certificates if c.programme_code == programme.code), None)
        statuses.append(
            ProgrammeStatus(
                programme,
                eligibility,
                latest,
                latest.state_on(today) if latest else None,
                open_applications.get(programme.code),
                today,
            )  # fmt: skip
        )
    return statuses


def _certificates_and_applications(user_id: int) -> tuple[list[Certificate], list[Application]]:
    """In one statement: every certificate of the member, and their submitted applications (by
    id)."""
    certificates: list[Certificate] = []
    applications: list[Application] = []
    for certificate, application in db.session.execute(_held_and_submitted(), {"user_id": user_id}):
        if certificate is not None:
            certificates.append(certificate)
        if application is not None:
            applications.append(application)
    return certificates, applications


@functools.cache
def _held_and_submitted() -> sa.Select:
    """Two rows of a one-column table, each joined to one of the two (a row with nothing joined
    when there is none); built once, with a bound parameter (user_id)."""
    user_id = sa.bindparam("user_id")
    sides = sa.union_all(
        sa.select(sa.literal(1).label("side")), sa.select(sa.literal(2))
    ).subquery()
    held = sa.and_(sides.c.side == 1, Certificate.user_id == user_id)
    submitted = sa.and_(
        sides.c.side == 2, Application.user_id == user_id, Application.status == "submitted"
    )
    return (
        sa.select(Certificate, Application)
        .select_from(sides)
        .outerjoin(Certificate, held)
        .outerjoin(Application, submitted)
        .order_by(sides.c.side, Certificate.id, Application.id)
    )


def apply(
    member: User,
    status: ProgrammeStatus,
    statement: str,
    cv_upload=None,
    at: datetime | None = None,
) -> Application:
    """Apply for a programme the member is eligible for; stores the eligibility; commits."""
    if not status.eligibility.eligible:
        raise CertificationError(_l("You do not meet the rules for this certification yet."))
    if status.open_application is not None:
        raise CertificationError(_l("You have already applied; the secretariat is reviewing it."))
    if not status.can_apply:
        raise CertificationError(
            _l("You already hold this certification and it is not due for renewal.")
        )
    statement = (statement or "").strip()
    if not statement:
        raise CertificationError(_l("Write a short statement for your application."))
    stored = None
    if cv_upload is not None:
        stored = evidence.store(cv_upload)
        if stored.content_type != "application/pdf":
            evidence.discard(stored.stored_as)
            raise evidence.EvidenceError(_l("The CV must be a PDF file."))
    application = Application(
        user_id=member.id,
        programme_code=status.programme.code,
        statement=statement,
        eligibility=status.eligibility.to_json(),
        submitted_at=at or utcnow(),
        cv_name=stored.original_name if stored else None,
        cv_stored_as=stored.stored_as if stored else None,
        cv_size=stored.size if stored else None,
    )
    db.session.add(application)
    try:
        db.session.flush()
        from wired4ex.notifications.digest import tell_admins

        tell_admins(f"application:{application.id}", str(_l("a certification application")),
                    "certification.applications", exclude_id=member.id)  # fmt: skip
        db.session.commit()
    except sa.exc.IntegrityError as error:  # a parallel request applied first
        db.session.rollback()
        if stored:
            evidence.discard(stored.stored_as)
        raise CertificationError(
            _l("You have already applied; the secretariat is reviewing it.")
        ) from error
    return application


def pending_applications() -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.status == "submitted")
            .order_by(Application.submitted_at, Application.id)
        )
    )


def _unique_code() -> str:
    from wired4ex.cpd.models import Statement

    while True:
        code = new_code()
        taken = db.session.scalar(
            sa.select(Statement.id).where(Statement.code == code)
        ) or db.session.scalar(sa.select(Certificate.id).where(Certificate.code == code))
        if not taken:
            return code


def decide_application(
    application: Application,
    admin: User,
    approve: bool,
    reason: str,
    programme: Programme,
    today: date,
    at: datetime | None = None,
) -> Certificate | None:
    """Approve (issuing the certificate) or reject (with a reason); commits.

    Only a waiting application can be decided, in one conditional UPDATE: deciding twice, or two
    admins at once, gives one decision and at most one certificate. Nobody decides their own
    application (OwnCaseError).
    """
    refuse_own_case(admin.id, application.user_id)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise CertificationError(_l("Give a reason for rejecting the application."))
    at = at or utcnow()
    application_id, member_id = application.id, application.user_id
    member = db.session.get(User, member_id)
    holder = member.full_name
    course_titles = {
        k: c.title for k, c in get_courses_by_key(list(programme.required_courses)).items()
    }
    domain_names = dict(  # in English, like the criteria they go into
        db.session.execute(sa.select(CompetencyDomain.code, CompetencyDomain.name)).all()
    )
    code = _unique_code() if approve else None
    db.session.commit()  # the decision's transaction starts with its write
    status = "approved" if approve else "rejected"
    changed = db.session.execute(
        sa.update(Application)
        .where(Application.id == application_id, Application.status == "submitted")
        .values(
            status=status,
            open_key=None,
            decided_at=at,
            decided_by_id=admin.id,
            decision_reason=reason or None,
        )
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise CertificationError(_l("This application has already been decided."))
    certificate = None
    if approve:
        with canonical():  # stored in English; pages and documents translate the name
            stored_name = programme.name
            criteria = programme.criteria_text(course_titles, domain_names)
        certificate = Certificate(
            code=code,
            user_id=member_id,
            application_id=application_id,
            programme_code=programme.code,
            programme_name=stored_name,
            level=programme.level,
            holder_name=holder,
            competencies=sorted({r.domain for r in programme.domain_rules}),
            criteria=criteria,
            issued_on=today,
            expires_on=months_after(today, programme.validity_months)
            if programme.validity_months
            else None,
        )
        db.session.add(certificate)
        db.session.flush()
    audit.record(
        f"certification.{status}", "certification_application", application_id, actor_id=admin.id,
        member_id=member_id, before={"status": "submitted"},
        after={"status": status, "reason": reason or None,
               "certificate": certificate.code if certificate else None},
        at=at,
    )  # fmt: skip
    from wired4ex.notifications.outbox import notify, path_for

    notify(db.session.get(User, member_id), "certification_decided", str(application_id),
           {"application_id": application_id, "approved": approve, "title": programme.name,
            "certificate_id": certificate.id if certificate else None},
           path_for("certification.index"))  # fmt: skip
    if certificate is not None:  # its own mail: the code, the PDF and the verification link
        notify(db.session.get(User, member_id), "certificate_issued", str(certificate.id),
               {"certificate_id": certificate.id, "title": programme.name},
               path_for("certification.index"))  # fmt: skip
    db.session.commit()  # the decision, the certificate, its audit record and the mails together
    return certificate


def revoke_certificate(
    certificate: Certificate, admin: User, reason: str, at: datetime | None = None
) -> None:
    """Revoke with a reason; verifying it then says so. Commits."""
    try:
        revoke_document(certificate, "certificate", admin, reason, at)
    except CpdError as error:
        raise CertificationError(str(error)) from error


def find_certificate(text: str) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def valid_certificates_of(user_id) -> sa.ColumnElement[bool]:
    """The condition on certificates that `expiring_certificates` reads (user_id: a value)."""
    return sa.and_(Certificate.user_id == user_id, Certificate.status == "valid")


def expiring_certificates(user_id: int, today: date) -> list[Certificate]:
    """The member's certificates due for renewal: for each programme, the latest valid one when
    it expires within the notice period (a renewed certificate silences the old one)."""
    found = db.session.scalars(sa.select(Certificate).where(valid_certificates_of(user_id)))
    return expiring_among(found, today)


def expiring_among(certificates, today: date) -> list[Certificate]:
    """`expiring_certificates` of the member's certificates read with `valid_certificates_of`."""
    latest: dict[str, Certificate] = {}
    for certificate in certificates:
        if certificate.state_on(today) != "valid":
            continue
        current = latest.get(certificate.programme_code)
        if current is None or (certificate.expires_on or date.max) > (
            current.expires_on or date.max
        ):
            latest[certificate.programme_code] = certificate
    limit = today + timedelta(days=RENEWAL_NOTICE_DAYS)
    return [c for c in latest.values() if c.expires_on is not None and c.expires_on <= limit]
