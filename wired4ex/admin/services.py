"""Secretariat use cases: finding and changing members, institutions, faculty, the audit log."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload

from wired4ex import audit
from wired4ex.admin.reports import cpd_standing, cpd_status_column
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import RoleName, User, UserRole
from wired4ex.auth.services import NewAccount, create_user, person_matches, text_matches
from wired4ex.catalog.models import Course, Institution
from wired4ex.certification.models import Application, Certificate
from wired4ex.cpd.models import Claim, Statement
from wired4ex.cpd.policy import CpdPolicy, Cycle
from wired4ex.cpd.services import ledger_entries
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment, LedgerEntry, ModuleCompletion
from wired4ex.membership.services import grant_membership
from wired4ex.timeutil import association_zone


class AdminError(ValueError):
    """A use case refused; the message is safe to show."""


# -- finding members -----------------------------------------------------------------------------


@dataclass
class MemberFilters:
    q: str = ""
    category: str = ""
    country: str = ""
    role: str = ""
    cpd: str = ""
    course_id: int | None = None
    account: str = "active"


def members_query(filters: MemberFilters, policy: CpdPolicy, cycle: Cycle) -> sa.Select:
    """Users matching the filters, by name; the CPD status (of the cycle) is a filter too."""
    conditions = []
    if filters.q:
        conditions.append(person_matches(filters.q))
    if filters.category:
        conditions.append(User.membership_category == filters.category)
    if filters.country:
        conditions.append(User.country == filters.country)
    if filters.role:
        conditions.append(
            sa.exists().where(UserRole.user_id == User.id, UserRole.name == filters.role)
        )
    if filters.account == "active":
        conditions.append(User.is_active_account.is_(True))
    elif filters.account == "deactivated":
        conditions.append(User.is_active_account.is_(False))
    if filters.course_id:
        conditions.append(
            sa.exists().where(
                CourseCompletion.user_id == User.id, CourseCompletion.course_id == filters.course_id
            )
        )
    query = sa.select(User).where(*conditions)
    if filters.cpd:
        # The points of the members the other filters chose only, not of the whole association.
        chosen = sa.select(User.id).where(*conditions) if conditions else None
        standing = cpd_standing(policy, cycle, chosen)
        query = query.outerjoin(standing, standing.c.user_id == User.id).where(
            cpd_status_column(policy, standing) == filters.cpd
        )
    return query.order_by(User.full_name, User.id)


@dataclass
class MemberRecord:
    """Everything the member page shows."""

    member: User
    enrolments: list[Enrolment]
    course_completions: list[CourseCompletion]
    module_completions: list[ModuleCompletion]
    ledger: list[LedgerEntry]
    claims: list[Claim]
    statements: list[Statement]
    certificates: list[Certificate]
    applications: list[Application]


def member_record(member: User) -> MemberRecord:
    """A member's whole record, one query per kind of thing."""

    def rows(query):
        return list(db.session.scalars(query))

    return MemberRecord(
        member=member,
        enrolments=rows(
            sa.select(Enrolment)
            .where(Enrolment.user_id == member.id)
            .options(selectinload(Enrolment.course))
            .order_by(Enrolment.enrolled_at.desc())
        ),  # fmt: skip
        course_completions=rows(
            sa.select(CourseCompletion)
            .where(CourseCompletion.user_id == member.id)
            .options(selectinload(CourseCompletion.course))
            .order_by(CourseCompletion.completed_at.desc())
        ),  # fmt: skip
        module_completions=rows(
            sa.select(ModuleCompletion)
            .where(ModuleCompletion.user_id == member.id)
            .options(selectinload(ModuleCompletion.module_version))
            .order_by(ModuleCompletion.completed_at.desc())
        ),  # fmt: skip
        ledger=list(reversed(ledger_entries(member.id))),  # newest first
        claims=rows(
            sa.select(Claim).where(Claim.user_id == member.id).order_by(Claim.created_at.desc())
        ),
        statements=rows(
            sa.select(Statement)
            .where(Statement.user_id == member.id)
            .order_by(Statement.issued_at.desc())
        ),  # fmt: skip
        certificates=rows(
            sa.select(Certificate)
            .where(Certificate.user_id == member.id)
            .order_by(Certificate.issued_on.desc())
        ),  # fmt: skip
        applications=rows(
            sa.select(Application)
            .where(Application.user_id == member.id)
            .order_by(Application.submitted_at.desc())
        ),  # fmt: skip
    )


# -- changing members ---------------------------------------------------------------------------


def update_membership(
    member: User,
    actor: User,
    category: str,
    roles: list[str],
    institution_id: int | None,
    at: datetime | None = None,
) -> list[str]:
    """Change membership category, roles and institution, each change audited; commits.

    Returns the audit actions written (empty when nothing changed).
    """
    at = at or utcnow()
    roles = [role for role in dict.fromkeys(roles) if role in {r.value for r in RoleName}]
    if not roles:
        raise AdminError(_l("Keep at least one role."))
    if member.id == actor.id and RoleName.ADMIN.value not in roles:
        raise AdminError(_l("You cannot remove your own admin role; ask another admin."))
    is_faculty = RoleName.FACULTY.value in roles
    if is_faculty and institution_id is None:
        raise AdminError(_l("Faculty belong to one institution: choose it."))
    if institution_id is not None and db.session.get(Institution, institution_id) is None:
        raise AdminError(_l("Choose an existing institution."))
    new_institution = institution_id if is_faculty else None
    actions = []
    if category != member.membership_category:
        audit.record("member.category_changed", "user", member.id, actor.id, member.id,
                     before={"membership_category": member.membership_category},
                     after={"membership_category": category}, at=at)  # fmt: skip
        member.membership_category = category
        actions.append("member.category_changed")
    old_roles = sorted(member.role_names)
    if sorted(roles) != old_roles or new_institution != member.institution_id:
        audit.record("member.roles_changed", "user", member.id, actor.id, member.id,
                     before={"roles": old_roles, "institution_id": member.institution_id},
                     after={"roles": sorted(roles), "institution_id": new_institution},
                     at=at)  # fmt: skip
        kept = [role for role in member.roles if role.name in roles]
        added = [UserRole(name=name) for name in roles if name not in member.role_names]
        member.roles = kept + added
        member.institution_id = new_institution
        actions.append("member.roles_changed")
    db.session.commit()
    return actions


def set_account_active(member: User, actor: User, active: bool, at: datetime | None = None) -> None:
    """Deactivate (ending every session) or reactivate an account; audited; commits.

    Nothing of the member's record is removed: enrolments, ledger, claims and certificates stay.
    """
    if member.id == actor.id:
        raise AdminError(_l("You cannot deactivate your own account."))
    if member.is_active_account == active:
        return
    audit.record("member.reactivated" if active else "member.deactivated", "user", member.id,
                 actor.id, member.id, before={"active": not active}, after={"active": active},
                 at=at)  # fmt: skip
    member.is_active_account = active
    member.session_version += 1
    db.session.commit()


# -- institutions and faculty -----------------------------------------------------------------------


INSTITUTION_FIELDS = ("name", "short_name", "country", "website", "description")


@dataclass
class InstitutionInput:
    name: str
    short_name: str
    country: str
    website: str | None
    description: str | None

    def values(self) -> dict:
        return {
            name: ((getattr(self, name) or "").strip() or None)
            if name in ("website", "description")
            else getattr(self, name).strip()
            for name in INSTITUTION_FIELDS
        }


def create_institution(slug: str, data: InstitutionInput, actor: User) -> Institution:
    """A partner institution made by the secretariat (source "editor"); audited; commits."""
    institution = Institution(slug=slug, source="editor", **data.values())
    db.session.add(institution)
    db.session.flush()
    audit.record("institution.created", "institution", institution.id, actor.id,
                 after={"slug": slug, **data.values()})  # fmt: skip
    try:
        db.session.commit()
    except sa.exc.IntegrityError as error:  # a parallel request took the slug
        db.session.rollback()
        raise AdminError(_l("Another institution already uses this slug.")) from error
    return institution


def update_institution(institution: Institution, data: InstitutionInput, actor: User) -> bool:
    """Save changed fields with their before and after values; commits. False when unchanged."""
    new = data.values()
    before = {
        k: getattr(institution, k) for k in INSTITUTION_FIELDS if getattr(institution, k) != new[k]
    }
    if not before:
        return False
    after = {key: new[key] for key in before}
    audit.record("institution.updated", "institution", institution.id, actor.id,
                 before=before, after=after)  # fmt: skip
    for key, value in after.items():
        setattr(institution, key, value)
    db.session.commit()
    return True


def create_faculty(
    full_name: str,
    email: str,
    country: str,
    category: str,
    institution: Institution,
    actor: User,
    language: str = "en",
) -> User:
    """A faculty account of one institution with an unusable random password; audited; commits.

    The person chooses their own password through the invitation (a password-reset link).
    """
    account = NewAccount(
        email=email,
        full_name=full_name,
        password=secrets.token_urlsafe(32),
        membership_category=category,
        country=country,
        language=language,
    )
    user = create_user(
        account, roles=(RoleName.MEMBER, RoleName.FACULTY), institution_id=institution.id
    )
    audit.record("faculty.created", "user", user.id, actor.id, user.id,
                 after={"email": user.email, "institution": institution.slug})  # fmt: skip
    # An account the secretariat creates is admitted by it: an approved membership.
    grant_membership(user, category, by=actor, reason="Faculty account created by the secretariat.")
    from wired4ex.notifications.outbox import queue_mail

    queue_mail(user, "faculty_invitation", str(user.id), {"institution_id": institution.id})
    db.session.commit()
    return user


def faculty_of(institution: Institution) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.institution_id == institution.id,
                sa.exists().where(UserRole.user_id == User.id, UserRole.name == "faculty"),
            )
            .order_by(User.full_name)
        )
    )


def visible_courses(user: User) -> sa.Select:
    """Courses a report user may see: all for admins, their institution's for faculty."""
    query = sa.select(Course).join(Institution).order_by(Institution.name, Course.title)
    if not user.is_admin:
        query = query.where(Course.institution_id == (user.institution_id or -1))
    return query


# -- the audit log ----------------------------------------------------------------------------------


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    member: str = ""
    start: date | None = None
    end: date | None = None


def _person_matches(column, text: str):
    person = aliased(User)
    return sa.exists().where(
        person.id == column, text_matches(text, person.full_name, person.email)
    )


def audit_query(filters: AuditFilters) -> sa.Select:
    """Audit events matching the filters, newest first. Dates are local calendar days."""
    query = sa.select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        query = query.where(_person_matches(AuditEvent.actor_id, filters.actor))
    if filters.member:
        query = query.where(_person_matches(AuditEvent.member_id, filters.member))
    zone = association_zone()
    if filters.start:
        query = query.where(AuditEvent.at >= datetime.combine(filters.start, time(), zone))
    if filters.end:
        next_day = filters.end + timedelta(days=1)
        query = query.where(AuditEvent.at < datetime.combine(next_day, time(), zone))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def user_names(user_ids: set[int]) -> dict[int, User]:
    """Users by id for a page of rows, in one query."""
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
