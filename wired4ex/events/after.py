"""After the event: the attendance list of a session (CSV rows), certificates of attendance with
a verification code, and the short evaluation with its aggregate for organisers."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from wired4ex.auth.models import User
from wired4ex.cpd.verifiable import ASSOCIATION, add_with_new_code, normalise_code, snapshot_hash
from wired4ex.dbtypes import utcnow
from wired4ex.events.checkin import attended_sessions
from wired4ex.events.models import Attendance, AttendanceCertificate, Evaluation, Event
from wired4ex.events.services import EventError
from wired4ex.extensions import db
from wired4ex.i18n import canonical
from wired4ex.timeutil import association_zone


def attendance_rows(session) -> list[Attendance]:
    """Every check-in of the session (undone ones too, marked), with members, in order."""
    return list(
        db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.session_id == session.id)
            .options(selectinload(Attendance.member))
            .order_by(Attendance.checked_in_at, Attendance.id)
        )
    )


# -- certificates of attendance -------------------------------------------------------------------


def _local(at: datetime) -> str:
    return at.astimezone(association_zone()).strftime("%Y-%m-%dT%H:%M")


def build_snapshot(event: Event, member: User) -> dict:
    """Every figure a certificate of attendance shows, as plain JSON (hashed and stored)."""
    sessions = attended_sessions(event, member)
    return {
        "association": ASSOCIATION,
        "member": {
            "name": member.full_name,
            "membership_number": member.membership_number or "",
        },  # fmt: skip
        "event": {
            "title": event.title,
            "organiser": event.organiser_name,
            "venue": event.venue,
            "online": event.online,
            "external": event.external,
            "start": event.start_date.isoformat(),
            "end": event.end_date.isoformat(),
        },
        "sessions": [
            {
                "title": s.title,
                "start": _local(s.starts_at),
                "end": _local(s.ends_at),
                "points": str(Decimal(s.points).quantize(Decimal("0.1"))),
                "category": s.category,
            }
            for s in sessions
        ],  # fmt: skip
        "total_points": str(sum((Decimal(s.points) for s in sessions), Decimal("0.0"))),
    }


def issue_certificate(event: Event, member: User, at=None) -> AttendanceCertificate:
    """The member's certificate of attendance for the event: the one already issued for the same
    figures, or a new one with its own code; commits. Refused when they attended no session."""
    with canonical():
        snapshot = build_snapshot(event, member)
    if not snapshot["sessions"]:
        raise EventError(_l("You have no recorded attendance at this event."))
    digest = snapshot_hash(snapshot)
    existing = db.session.scalar(
        sa.select(AttendanceCertificate).where(
            AttendanceCertificate.event_id == event.id,
            AttendanceCertificate.user_id == member.id,
            AttendanceCertificate.snapshot_hash == digest,
        )
    )
    if existing is not None:
        return existing
    certificate = add_with_new_code(
        lambda code: AttendanceCertificate(
            code=code, event_id=event.id, user_id=member.id, snapshot=snapshot,
            snapshot_hash=digest, issued_at=at or utcnow(),
        )
    )  # fmt: skip
    db.session.commit()
    return certificate


def find_certificate(text: str) -> AttendanceCertificate | None:
    """The certificate of attendance a typed code refers to, whatever its case or dashes."""
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(
        sa.select(AttendanceCertificate).where(AttendanceCertificate.code == code)
    )


# -- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationInput:
    relevance: int
    quality: int
    will_apply: bool
    comment: str


def evaluation_of(event: Event, member: User) -> Evaluation | None:
    return db.session.scalar(
        sa.select(Evaluation).where(
            Evaluation.event_id == event.id, Evaluation.user_id == member.id
        )
    )


def submit_evaluation(event: Event, member: User, data: EvaluationInput, at=None) -> Evaluation:
    """A member who attended answers the event's evaluation once; commits."""
    if not event.evaluation:
        raise EventError(_l("This event has no evaluation."))
    if not attended_sessions(event, member):
        raise EventError(_l("Only members who attended can evaluate the event."))
    if not (1 <= data.relevance <= 5 and 1 <= data.quality <= 5):
        raise EventError(_l("Choose a number from 1 to 5."))
    if evaluation_of(event, member) is not None:
        raise EventError(_l("You have already evaluated this event."))
    evaluation = Evaluation(
        event_id=event.id, user_id=member.id, relevance=data.relevance, quality=data.quality,
        will_apply=data.will_apply, comment=data.comment.strip()[:2000],
        submitted_at=at or utcnow(),
    )  # fmt: skip
    db.session.add(evaluation)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same member twice at once
        db.session.rollback()
        raise EventError(_l("You have already evaluated this event.")) from None
    return evaluation


@dataclass(frozen=True)
class EvaluationSummary:
    answers: int
    relevance: Decimal | None
    quality: Decimal | None
    will_apply: int
    comments: list[str]


def evaluation_summary(event: Event) -> EvaluationSummary:
    """The answers in aggregate: averages, how many will change their practice, the comments
    (without names)."""
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.avg(Evaluation.relevance),
            sa.func.avg(Evaluation.quality),
            sa.func.sum(sa.case((Evaluation.will_apply.is_(True), 1), else_=0)),
        ).where(Evaluation.event_id == event.id)
    ).one()
    comments = db.session.scalars(
        sa.select(Evaluation.comment)
        .where(Evaluation.event_id == event.id, Evaluation.comment != "")
        .order_by(Evaluation.submitted_at)
        .limit(200)
    ).all()

    def average(value):
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))

    return EvaluationSummary(row[0], average(row[1]), average(row[2]), int(row[3] or 0),
                             list(comments))  # fmt: skip
