"""Turn the services' results into the JSON shapes the OpenAPI document describes.

Points are JSON numbers (whole or half points), timestamps ISO 8601 with their UTC offset, days
ISO 8601 dates. Nothing here computes a figure: every number comes from a service.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import url_for

from wired4ex.auth.models import User
from wired4ex.catalog.models import Course, Institution
from wired4ex.catalog.services import CourseSummary
from wired4ex.certification.models import Certificate
from wired4ex.certification.services import ProgrammeStatus
from wired4ex.cpd.models import Statement
from wired4ex.cpd.policy import Cycle
from wired4ex.cpd.services import CpdSummary
from wired4ex.cpd.verifiable import format_code
from wired4ex.learning.services import CourseProgress
from wired4ex.membership.services import membership_status
from wired4ex.membership.texts import status_json


def points(value) -> float | None:
    """Points as a JSON number; None stays None."""
    return None if value is None else float(Decimal(str(value)))


def moment(value: datetime | None) -> str | None:
    """A timestamp in ISO 8601 with its offset (UTC)."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def institution(item: Institution) -> dict:
    return {
        "slug": item.slug,
        "name": item.name,
        "short_name": item.short_name,
        "country": item.country,
        "website": item.website,
    }


def course_summary(summary: CourseSummary) -> dict:
    course = summary.course
    return {
        "id": course.key,
        "title": course.title,
        "summary": course.summary,
        "institution": institution(course.institution),
        "language": course.language,
        "level": course.level,
        "authors": [str(author) for author in course.authors or []],
        "competencies": course.competency_codes,
        "prerequisites": [str(key) for key in course.prerequisites or []],
        "version": course.version,
        "module_count": summary.module_count,
        "minutes": summary.minutes,
        "cpd_points": points(summary.cpd_points),
        "other_edition": edition(course.published_other_edition),
        "links": {
            "self": url_for("api.course", institution=course.institution.slug, course=course.slug),
            "html": url_for(
                "learning.course", institution=course.institution.slug, course=course.slug
            ),
        },
    }


def edition(course: Course | None) -> dict | None:
    """The same course in the other language (modules with the same id share progress)."""
    if course is None:
        return None
    return {
        "id": course.key,
        "language": course.language,
        "links": {
            "self": url_for("api.course", institution=course.institution.slug, course=course.slug)
        },
    }


def course_detail(summary: CourseSummary) -> dict:
    course = summary.course
    modules = []
    for module in course.active_modules:
        version = module.current_version
        if version is None:
            continue
        modules.append(
            {
                "id": module.key,
                "position": len(modules) + 1,
                "title": version.title,
                "minutes": version.minutes,
                "cpd_points": points(version.cpd_points),
                "cpd_category": version.cpd_category,
                "competencies": [str(code) for code in version.competencies or []],
                "objectives": [str(text) for text in version.objectives or []],
                "knowledge_check": version.has_quiz,
                "pass_mark": version.pass_mark if version.has_quiz else None,
                **quiz_settings(version),
            }
        )
    return {**course_summary(summary), "overview_html": course.overview_html, "modules": modules}


def quiz_settings(version) -> dict:
    """A module's knowledge-check settings (None where they do not apply)."""
    check = version.has_quiz
    return {
        "review": version.review if check else None,
        "questions_per_attempt": (version.draw or len(version.quiz)) if check else None,
        "attempts_allowed": version.attempts_allowed if check else None,
        "retry_after_minutes": version.retry_after_minutes if check else None,
        "min_read_minutes": None if check else round(version.min_read_seconds / 60, 2),
    }


def course_reference(course: Course) -> dict:
    return {
        "id": course.key,
        "title": course.title,
        "institution": course.institution.name,
        "links": {
            "self": url_for("api.course", institution=course.institution.slug, course=course.slug)
        },
    }


def user(item: User) -> dict:
    return {
        "id": item.id,
        "email": item.email,
        "full_name": item.full_name,
        "membership_category": item.membership_category,
        "membership_number": item.membership_number,
        "country": item.country,
        "language": item.language,
        "roles": sorted(item.role_names),
        "institution": institution(item.institution) if item.institution else None,
        "active": item.is_active_account,
        "created_at": moment(item.created_at),
        "last_login_at": moment(item.last_login_at),
    }


def member_row(item: User) -> dict:
    return {**user(item), "links": {"cpd": url_for("api.member_cpd", member_id=item.id)}}


def progress(item: CourseProgress) -> dict:
    enrolment = item.enrolment
    return {
        "course": course_reference(item.course),
        "status": "completed" if item.completed_at else "in_progress",
        "enrolled_at": moment(enrolment.enrolled_at) if enrolment else None,
        "last_visited_at": moment(enrolment.last_visited_at) if enrolment else None,
        "completed_at": moment(item.completed_at),
        "modules_done": item.done,
        "modules_total": item.total,
        "percent": item.percent,
        "modules": [
            {
                "id": state.module.key,
                "title": state.module.current_version.title,
                "started": state.started,
                "completed_at": moment(state.completed_at),
            }
            for state in item.modules
        ],
    }


def cycle(item: Cycle) -> dict:
    return {"year": item.key, "label": item.label, "start": day(item.start), "end": day(item.end)}


def cpd_summary(member: User, summary: CpdSummary) -> dict:
    """A member's CPD standing in one cycle, exactly as the My CPD page computes it."""
    return {
        "member": {
            "id": member.id,
            "full_name": member.full_name,
            "membership_category": summary_category(member, summary),
        },
        "cycle": cycle(summary.cycle),
        "target": points(summary.target),
        "exempt": summary.exempt,
        "claimed": points(summary.claimed),
        "counted": points(summary.counted),
        "still_needed": points(summary.still_needed),
        "target_met": summary.target_met,
        "expected_by_today": points(summary.expected_by_today),
        "behind_pace": summary.behind_pace,
        "unmet_minimums": [total.code for total in summary.unmet_minimums],
        "categories": [
            {
                "code": total.code,
                "name": total.name,
                "claimed": points(total.claimed),
                "counted": points(total.counted),
                "cap": points(total.cap),
                "over_cap": points(total.over_cap),
                "minimum": points(total.minimum),
                "minimum_met": total.minimum_met,
            }
            for total in summary.categories
        ],
        "entries": [
            {
                "id": entry.id,
                "date": day(entry.activity_date),
                "title": entry.title,
                "provider": entry.provider,
                "category": entry.category,
                "points": points(entry.points),
                "source": entry.source,
                "competencies": [str(code) for code in entry.competencies or []],
                "reason": entry.reason,
                "recorded_at": moment(entry.created_at),
            }
            for entry in summary.entries
        ],
    }


def summary_category(member: User, summary: CpdSummary) -> str | None:
    """The category whose target the summary used: the granted one (the account mirrors it)
    when the membership is current; None without one."""
    return member.membership_category if summary.membership_verified else None


def compliance_row(member: User, summary: CpdSummary) -> dict:
    return {
        "member": {
            "id": member.id,
            "full_name": member.full_name,
            "email": member.email,
            "membership_category": summary_category(member, summary),
            "membership_number": member.membership_number,
        },
        "target": points(summary.target),
        "exempt": summary.exempt,
        "claimed": points(summary.claimed),
        "counted": points(summary.counted),
        "still_needed": points(summary.still_needed),
        "target_met": summary.target_met,
        "unmet_minimums": [total.code for total in summary.unmet_minimums],
    }


def certificate(item: Certificate, state: str) -> dict:
    return {
        "code": format_code(item.code),
        "programme": {"code": item.programme_code, "name": item.programme_name},
        "level": item.level,
        "holder": item.holder_name,
        "issued_on": day(item.issued_on),
        "expires_on": day(item.expires_on),
        "status": state,
        "revoked_at": moment(item.revoked_at),
        "links": {
            "verify": url_for("api.verify", code=format_code(item.code)),
            "badge": url_for("certification.badge", code=item.code),
        },
    }


def programme_status(status: ProgrammeStatus) -> dict:
    programme, eligibility = status.programme, status.eligibility
    application = status.open_application
    return {
        "programme": {
            "code": programme.code,
            "name": programme.name,
            "level": programme.level,
            "description": programme.description,
            "validity_months": programme.validity_months,
        },
        "eligible": eligibility.eligible,
        "rules": [
            {
                "kind": rule.kind,
                "label": rule.label,
                "met": rule.met,
                "have": rule.have,
                "need": rule.need,
                "missing": rule.missing,
            }
            for rule in eligibility.rules
        ],
        "missing": [rule.missing for rule in eligibility.unmet if rule.missing],
        "certificate": (
            certificate(status.certificate, status.certificate_state)
            if status.certificate
            else None
        ),
        "application": (
            {
                "id": application.id,
                "status": application.status,
                "submitted_at": moment(application.submitted_at),
            }
            if application
            else None
        ),
        "can_apply": status.can_apply,
    }


def _period(snapshot: dict) -> dict:
    period = snapshot.get("period") or {}
    return {"start": period.get("start"), "end": period.get("end"), "label": period.get("label")}


def statement(item: Statement) -> dict:
    snapshot = item.snapshot or {}
    code = format_code(item.code)
    return {
        "code": code,
        "period": _period(snapshot),
        "issued_at": moment(item.issued_at),
        "status": item.status,
        "revoked_at": moment(item.revoked_at),
        "claimed": points(snapshot.get("claimed")),
        "counted": points(snapshot.get("counted")),
        "target": points(snapshot.get("target")),
        "target_met": bool(snapshot.get("target_met")),
        "links": {
            "verify": url_for("api.verify", code=code),
            "html": url_for("verify.verify", code=code),
        },
    }


def verified_statement(item: Statement) -> dict:
    """What the public verify page shows for a statement: the snapshot as issued."""
    snapshot = item.snapshot or {}
    member = snapshot.get("member") or {}
    return {
        "type": "statement",
        "code": format_code(item.code),
        "status": item.status,
        "issued_at": moment(item.issued_at),
        "revoked_at": moment(item.revoked_at),
        "member": {
            "name": member.get("name"),
            "membership_number": member.get("membership_number") or None,
            "membership_category": member.get("category"),
            # As issued: verified, lapsed or not_verified (None for statements issued before
            # memberships were granted by the secretariat).
            "membership_state": (member.get("membership") or {}).get("state"),
        },
        # The holder's membership today, beside the statement as issued.
        "membership_today": status_json(membership_status(item.user_id)),
        "period": _period(snapshot),
        "claimed": points(snapshot.get("claimed")),
        "counted": points(snapshot.get("counted")),
        "target": points(snapshot.get("target")),
        "target_met": bool(snapshot.get("target_met")),
        "exempt": bool(snapshot.get("exempt")),
        "categories": [
            {
                "name": category.get("name"),
                "claimed": points(category.get("claimed")),
                "counted": points(category.get("counted")),
                "cap": points(category.get("cap")),
            }
            for category in snapshot.get("categories") or []
        ],
    }


def verified_certificate(item: Certificate, state: str) -> dict:
    return {
        "type": "certificate",
        **certificate(item, state),
        "membership_today": status_json(membership_status(item.user_id)),
    }
