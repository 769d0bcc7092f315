"""Check-in: which session a code belongs to, the attendance and its ledger entry, marking by an
organiser and undoing a mistaken check-in with a correcting entry."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.events import codes
from wired4ex.events.models import Attendance, Event, EventSession
from wired4ex.events.services import MAX_WINDOW_MINUTES, EventError
from wired4ex.extensions import db
from wired4ex.i18n import show_datetime
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_date

# A scan made while signed out completes after signing in within this time.
KEPT_SCAN_AGE = timedelta(minutes=10)
# A code typed on a phone without network is accepted with its time within this time.
OFFLINE_AGE = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=2)


class CheckinRefused(EventError):
    """A check-in that cannot be made; the message says why and what to do."""


# -- windows and codes ----------------------------------------------------------------------------


def window(session: EventSession) -> tuple[datetime, datetime]:
    """When check-in to the session is open."""
    return (
        session.starts_at - timedelta(minutes=session.window_before),
        session.ends_at + timedelta(minutes=session.window_after),
    )


def in_window(session: EventSession, at: datetime) -> bool:
    opens, closes = window(session)
    return opens <= at <= closes


def current_code(session: EventSession, at: datetime) -> str | None:
    """The code the screen shows at `at`, or None outside the check-in window."""
    if not in_window(session, at):
        return None
    return codes.code_for(session.secret, codes.period_number(at, session.code_period))


def seconds_left(session: EventSession, at: datetime) -> int:
    """Seconds until the code changes."""
    return session.code_period - int(at.timestamp()) % session.code_period


def accepts(session: EventSession, code: str, at: datetime) -> bool:
    """The code is the session's code of the current or the previous period, inside the window."""
    if not in_window(session, at):
        return False
    number = codes.period_number(at, session.code_period)
    return codes.matches(session.secret, code, number) or codes.matches(
        session.secret, code, number - 1
    )


def _was_ever_valid(session: EventSession, code: str, until: datetime) -> bool:
    """Whether the code was the session's code in some period of its window before `until`."""
    opens, closes = window(session)
    first = codes.period_number(opens, session.code_period)
    last = codes.period_number(min(until, closes), session.code_period)
    return any(codes.matches(session.secret, code, n) for n in range(first, last + 1))


def _sessions_near(at: datetime, span: timedelta) -> list[EventSession]:
    """Sessions whose check-in window may overlap [at - span, at] (bounded by the longest window)."""
    margin = timedelta(minutes=MAX_WINDOW_MINUTES)
    return list(
        db.session.scalars(
            sa.select(EventSession)
            .where(
                EventSession.starts_at <= at + margin, EventSession.ends_at >= at - span - margin
            )
            .order_by(EventSession.starts_at, EventSession.id)
            .limit(500)
        )
    )


def _time(at: datetime) -> str:
    return show_datetime(at)


def _refusal_for(session: EventSession, code: str, at: datetime) -> CheckinRefused | None:
    """Why a code of this session is not accepted at `at`, if it is one of its codes at all."""
    opens, closes = window(session)
    if at < opens:
        return CheckinRefused(_l("Check-in to %(title)s opens at %(time)s.",
                                 title=session.title, time=_time(opens)))  # fmt: skip
    if _was_ever_valid(session, code, at):
        if at > closes:
            return CheckinRefused(_l("Check-in to %(title)s closed at %(time)s.",
                                     title=session.title, time=_time(closes)))  # fmt: skip
        return CheckinRefused(_l(
            "This code has expired: the code on the screen changes every %(seconds)s seconds. "
            "Type the code shown now.", seconds=session.code_period))  # fmt: skip
    return None


def find_session(code_text: str, seen_at: datetime, key: str | None = None) -> EventSession:
    """The session whose code this is at `seen_at`; with `key` (from a QR address), it must be
    that session's. Raises CheckinRefused with the reason otherwise."""
    code = codes.normalise(code_text)
    if code is None:
        raise CheckinRefused(
            _l("An attendance code has 6 letters and digits, as on the screen (no 0, O, 1 or I).")
        )
    nearby = _sessions_near(seen_at, timedelta(hours=24))
    valid = [s for s in nearby if accepts(s, code, seen_at)]
    if key is not None:
        keyed = db.session.scalar(sa.select(EventSession).where(EventSession.key == key))
        if keyed is None:
            raise CheckinRefused(_l("This check-in address is not one of ours: scan the code "
                                    "again or type it at Check in."))  # fmt: skip
        if keyed in valid:
            return keyed
        if valid:
            raise CheckinRefused(_l("This code is for another session (%(title)s), not %(wanted)s.",
                                    title=valid[0].title, wanted=keyed.title))  # fmt: skip
        refusal = _refusal_for(keyed, code, seen_at)
        raise refusal or CheckinRefused(_l("This code is not the code of %(title)s.",
                                           title=keyed.title))  # fmt: skip
    if valid:
        return valid[0]
    for session in nearby:
        refusal = _refusal_for(session, code, seen_at)
        if refusal is not None and _was_ever_valid(session, code, seen_at):
            raise refusal
    raise CheckinRefused(
        _l(
            "This is not an attendance code of any session open for check-in. Check the code on "
            "the screen and type it again."
        )  # fmt: skip
    )


# -- attendance and the ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinResult:
    session: EventSession
    attendance: Attendance
    new: bool  # False: the member had already checked in


def _insert_attendance(values: dict) -> int | None:
    """INSERT ... ON CONFLICT (session, member) DO NOTHING: the new id, or None."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Attendance)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["session_id", "user_id"])
        .returning(Attendance.id)
    )
    return db.session.execute(statement).scalar()


def _entry_title(session: EventSession, event: Event) -> str:
    return f"{event.title}: {session.title}"[:300]


def _ledger_entry(session, event, member_id, points, at, by_id=None, reason=None) -> LedgerEntry:
    """A ledger line for the session, source "event"; the title names the event and session."""
    return LedgerEntry(
        user_id=member_id,
        source="event",
        event_session_id=session.id,
        activity_date=local_date(session.starts_at),
        title=_entry_title(session, event),
        provider=event.organiser_name,
        category=session.category,
        points=points,
        competencies=list(session.competencies or []),
        reason=reason,
        created_by_id=by_id,
        created_at=at,
    )


def record_attendance(
    session: EventSession,
    member: User,
    method: str,
    at: datetime,
    seen_at: datetime | None = None,
    marked_by: User | None = None,
) -> CheckinResult:
    """Write the attendance and its ledger entry once per member and session; commits.

    Parallel requests race on the unique constraint: one inserts, the others find the row."""
    session_id, member_id = session.id, member.id
    attendance_id = _insert_attendance(
        dict(session_id=session_id, user_id=member_id, method=method, checked_in_at=at,
             code_seen_at=seen_at, marked_by_id=marked_by.id if marked_by else None)
    )  # fmt: skip
    if attendance_id is not None:
        session = db.session.get(EventSession, session_id)
        db.session.add(
            _ledger_entry(
                session,
                session.event,
                member_id,
                session.points,
                at,
                by_id=marked_by.id if marked_by else None,
            )  # fmt: skip
        )
        if marked_by is not None:
            audit.record("event.attendance_marked", "event_attendance", attendance_id,
                         actor_id=marked_by.id, member_id=member_id,
                         after={"session_id": session_id}, at=at)  # fmt: skip
        db.session.commit()
        return CheckinResult(session, db.session.get(Attendance, attendance_id), True)
    db.session.commit()
    attendance = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session_id, Attendance.user_id == member_id
        )
    )
    return CheckinResult(db.session.get(EventSession, session_id), attendance, False)


def check_in(
    member: User,
    code: str,
    at: datetime | None = None,
    key: str | None = None,
    seen_at: datetime | None = None,
    max_age: timedelta = KEPT_SCAN_AGE,
) -> CheckinResult:
    """A member's own check-in with a code (typed, or from a QR address with its session key).

    `seen_at` is when the code was read, if earlier than now: a scan kept over a sign-in (at most
    10 minutes before) or a code kept on a phone without network (at most 24 hours): the code
    must have been valid at that moment. Commits; raises CheckinRefused."""
    at = at or utcnow()
    if seen_at is not None:
        if seen_at > at + CLOCK_SKEW:
            raise CheckinRefused(_l("The time kept with this code is in the future."))
        if at - seen_at > max_age:
            raise CheckinRefused(
                _l("This code was kept too long: scan or type the code shown now.")
            )
    session = find_session(code, seen_at or at, key=key)
    result = record_attendance(session, member, "qr" if key else "code", at, seen_at=seen_at)
    if not result.new and not result.attendance.present:
        raise CheckinRefused(_l("The organiser removed your attendance at %(title)s; ask them "
                                "if this is a mistake.", title=session.title))  # fmt: skip
    return result


def mark_present(organiser: User, session: EventSession, member: User, at=None) -> CheckinResult:
    """An organiser marks a member present (a member without a phone), or restores an undone
    attendance with a new ledger entry; audited; commits."""
    at = at or utcnow()
    result = record_attendance(session, member, "organiser", at, marked_by=organiser)
    if result.new or result.attendance.present:
        return result
    attendance_id, session_id, member_id = result.attendance.id, session.id, member.id
    restored = db.session.execute(
        sa.update(Attendance)
        .where(Attendance.id == attendance_id, Attendance.undone_at.is_not(None))
        .values(undone_at=None, undone_by_id=None, marked_by_id=organiser.id)
    ).rowcount
    if restored == 1:
        session = db.session.get(EventSession, session_id)
        db.session.add(_ledger_entry(session, session.event, member_id, session.points, at,
                                     by_id=organiser.id))  # fmt: skip
        audit.record("event.attendance_restored", "event_attendance", attendance_id,
                     actor_id=organiser.id, member_id=member_id, at=at)  # fmt: skip
    db.session.commit()
    return CheckinResult(
        db.session.get(EventSession, session_id), db.session.get(Attendance, attendance_id), True
    )


def undo_attendance(organiser: User, attendance: Attendance, reason: str, at=None) -> None:
    """Undo a mistaken check-in: the attendance is marked undone and a correcting ledger entry
    takes the points back (the ledger is append-only); audited; commits."""
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_l("Give the reason for removing this attendance."), "reason")
    at = at or utcnow()
    attendance_id, member_id = attendance.id, attendance.user_id
    session = attendance.session
    db.session.commit()
    changed = db.session.execute(
        sa.update(Attendance)
        .where(Attendance.id == attendance_id, Attendance.undone_at.is_(None))
        .values(undone_at=at, undone_by_id=organiser.id)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise EventError(_l("This attendance has already been removed."))
    session = db.session.get(EventSession, session.id)
    member = db.session.get(User, member_id)
    with force_locale(member.language):
        note = str(_l("Attendance removed by the organiser: %(reason)s", reason=reason))
    db.session.add(_ledger_entry(session, session.event, member_id, -session.points, at,
                                 by_id=organiser.id, reason=note[:2000]))  # fmt: skip
    audit.record("event.attendance_undone", "event_attendance", attendance_id,
                 actor_id=organiser.id, member_id=member_id,
                 before={"present": True}, after={"present": False, "reason": reason}, at=at)  # fmt: skip
    db.session.commit()


def session_attendance(session: EventSession) -> list[Attendance]:
    """Everyone checked in to the session (undone ones too), in check-in order."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.session_id == session.id)
            .options(selectinload(Attendance.member))
            .order_by(Attendance.checked_in_at, Attendance.id)
        )
    )


def attended_sessions(event: Event, member: User) -> list[EventSession]:
    """The event's sessions the member attended (undone check-ins left out), in order."""
    return list(
        db.session.scalars(
            sa.select(EventSession)
            .join(Attendance, Attendance.session_id == EventSession.id)
            .where(
                EventSession.event_id == event.id,
                Attendance.user_id == member.id,
                Attendance.undone_at.is_(None),
            )
            .order_by(EventSession.starts_at)
        )
    )


def attendance_counts(event: Event) -> dict[int, int]:
    """Session id -> members present."""
    rows = db.session.execute(
        sa.select(Attendance.session_id, sa.func.count())
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(EventSession.event_id == event.id, Attendance.undone_at.is_(None))
        .group_by(Attendance.session_id)
    )
    return dict(rows.all())
