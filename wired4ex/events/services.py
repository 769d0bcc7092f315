"""Events: who may organise them, creating events and sessions with their rules, and the
organisers of a partner's accredited event (registration: registration.py)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.dbtypes import utcnow
from wired4ex.events import codes
from wired4ex.events.models import Event, EventOrganiser, EventSession
from wired4ex.extensions import db
from wired4ex.timeutil import local_date

MAX_WINDOW_MINUTES = 240
MIN_CODE_PERIOD, MAX_CODE_PERIOD = 15, 600


class EventError(Exception):
    """A rule of events was broken; the message is for the person who asked."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- who may do what ----------------------------------------------------------------------------


def can_create_events(user: User) -> bool:
    """Admins, and faculty of an institution (for their institution's events)."""
    return user.is_admin or (user.is_faculty and user.institution_id is not None)


def _organiser_role(user: User, event: Event) -> str | None:
    return db.session.scalar(
        sa.select(EventOrganiser.role).where(
            EventOrganiser.event_id == event.id, EventOrganiser.user_id == user.id
        )
    )


def can_manage(user: User, event: Event) -> bool:
    """Full organisers: admins, faculty of the event's institution, named organisers."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if user.is_faculty and event.institution_id and user.institution_id == event.institution_id:
        return True
    return _organiser_role(user, event) == "organiser"


def can_run_checkin(user: User, event: Event) -> bool:
    """Organisers, and a partner's check-in-only organiser: they may show the code screens."""
    if can_manage(user, event):
        return True
    return user.is_authenticated and _organiser_role(user, event) == "checkin"


def organised_events(user: User) -> list[Event]:
    """The events this person may organise or run check-in for, newest first."""
    query = sa.select(Event).order_by(Event.start_date.desc(), Event.id.desc())
    if not user.is_admin:
        mine = sa.select(EventOrganiser.event_id).where(EventOrganiser.user_id == user.id)
        condition = Event.id.in_(mine)
        if user.is_faculty and user.institution_id:
            condition = condition | (Event.institution_id == user.institution_id)
        query = query.where(condition)
    return list(db.session.scalars(query.limit(200)))


def upcoming_events(today: date) -> list[Event]:
    """Events that have not ended, soonest first, with their sessions."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.end_date >= today)
            .options(selectinload(Event.sessions))
            .order_by(Event.start_date, Event.id)
            .limit(100)
        )
    )


# -- events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    title: str
    description: str
    organiser_name: str
    venue: str
    online: bool
    start_date: date
    end_date: date
    capacity: int | None
    evaluation: bool
    institution_id: int | None = None
    external: bool = False


def _check_event(data: EventInput) -> None:
    if not data.title.strip():
        raise EventError(_l("Give the event a title."), "title")
    if not data.organiser_name.strip():
        raise EventError(_l("Name the organiser."), "organiser_name")
    if data.end_date < data.start_date:
        raise EventError(_l("The event cannot end before it starts."), "end_date")
    if (data.end_date - data.start_date).days > 30:
        raise EventError(_l("An event lasts at most 31 days."), "end_date")
    if not data.online and not data.venue.strip():
        raise EventError(_l("Give the venue, or tick online."), "venue")
    if data.capacity is not None and data.capacity < 1:
        raise EventError(_l("The number of places must be at least 1."), "capacity")


def _values(data: EventInput) -> dict:
    return dict(
        title=data.title.strip(),
        description=data.description.strip(),
        organiser_name=data.organiser_name.strip(),
        venue=data.venue.strip(),
        online=data.online,
        start_date=data.start_date,
        end_date=data.end_date,
        capacity=data.capacity,
        evaluation=data.evaluation,
    )


def create_event(creator: User, data: EventInput, at: datetime | None = None) -> Event:
    """A new event; faculty create it for their own institution, only admins accredit a
    partner's (external) event; audited; commits."""
    if not can_create_events(creator):
        raise EventError(_l("Only the secretariat and faculty may create events."))
    _check_event(data)
    institution_id = data.institution_id
    if not creator.is_admin:
        institution_id = creator.institution_id
    event = Event(
        **_values(data),
        institution_id=institution_id,
        external=data.external and creator.is_admin,
        created_by_id=creator.id,
        created_at=at or utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    audit.record("event.created", "event", event.id, actor_id=creator.id,
                 after={"title": event.title, "external": event.external})  # fmt: skip
    db.session.commit()
    return event


def update_event(editor: User, event: Event, data: EventInput) -> Event:
    """Change an event's details (its sessions must still fall within its dates); faculty keep
    its institution and accreditation as they are; audited; commits."""
    _check_event(data)
    outside = [
        s for s in event.sessions if not data.start_date <= local_date(s.starts_at) <= data.end_date
    ]
    if outside:
        raise EventError(
            _l("A session (%(title)s) falls outside these dates.", title=outside[0].title),
            "start_date",
        )
    for name, value in _values(data).items():
        setattr(event, name, value)
    if editor.is_admin:  # only the secretariat moves an event or accredits a partner's
        event.institution_id, event.external = data.institution_id, data.external
    audit.record("event.updated", "event", event.id, actor_id=editor.id,
                 after={"title": event.title})  # fmt: skip
    db.session.commit()
    return event


# -- sessions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    points: Decimal
    category: str
    competencies: list[str]
    code_period: int = 60
    window_before: int = 15
    window_after: int = 30


def check_session(policy: CpdPolicy, event: Event, data: SessionInput, session_id=None) -> None:
    """Raise EventError (naming the field) when a session breaks a rule."""
    if not data.title.strip():
        raise EventError(_l("Give the session a title."), "title")
    if data.ends_at <= data.starts_at:
        raise EventError(_l("The session must end after it starts."), "end_time")
    if not event.start_date <= local_date(data.starts_at) <= event.end_date:
        raise EventError(_l("The session must be on one of the event's days."), "day")
    if data.ends_at - data.starts_at > timedelta(hours=12):
        raise EventError(_l("A session lasts at most 12 hours."), "end_time")
    category = policy.categories.get(data.category)
    if category is None:
        raise EventError(_l("Choose a CPD category from the list."), "category")
    points = data.points
    if points is None or points <= 0 or points * 2 != int(points * 2):
        raise EventError(_l("Award more than zero points, in whole or half points."), "points")
    if category.max_per_activity is not None and points > category.max_per_activity:
        raise EventError(
            _l(
                "At most %(points)s points for one activity in %(category)s.",
                points=f"{category.max_per_activity:g}",
                category=category.name,
            ),
            "points",
        )
    if not MIN_CODE_PERIOD <= data.code_period <= MAX_CODE_PERIOD:
        raise EventError(_l("Codes change every 15 to 600 seconds."), "code_period")
    for name in ("window_before", "window_after"):
        if not 0 <= getattr(data, name) <= MAX_WINDOW_MINUTES:
            raise EventError(_l("Check-in opens and closes at most 240 minutes away."), name)
    for other in event.sessions:
        if other.id == session_id:
            continue
        if data.starts_at < other.ends_at and other.starts_at < data.ends_at:
            raise EventError(
                _l("This session overlaps %(title)s.", title=other.title), "start_time"
            )


def add_session(
    editor: User, policy: CpdPolicy, event: Event, data: SessionInput, at=None
) -> EventSession:
    """A new session of the event, with its own code secret; audited; commits."""
    check_session(policy, event, data)
    session = EventSession(
        event_id=event.id,
        key=codes.new_key(),
        secret=codes.new_secret(),
        title=data.title.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        points=data.points,
        category=data.category,
        competencies=list(data.competencies),
        code_period=data.code_period,
        window_before=data.window_before,
        window_after=data.window_after,
    )
    db.session.add(session)
    db.session.flush()
    audit.record("event.session_added", "event_session", session.id, actor_id=editor.id,
                 after={"event_id": event.id, "title": session.title,
                        "points": str(session.points)}, at=at)  # fmt: skip
    db.session.commit()
    return session


def update_session(
    editor: User, policy: CpdPolicy, session: EventSession, data: SessionInput
) -> EventSession:
    """Change a session; points already in ledgers stay as they were awarded; commits."""
    check_session(policy, session.event, data, session_id=session.id)
    before = {"title": session.title, "points": str(session.points)}
    session.title = data.title.strip()
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.points, session.category = data.points, data.category
    session.competencies = list(data.competencies)
    session.code_period = data.code_period
    session.window_before, session.window_after = data.window_before, data.window_after
    audit.record("event.session_updated", "event_session", session.id, actor_id=editor.id,
                 before=before, after={"title": session.title, "points": str(session.points)})  # fmt: skip
    db.session.commit()
    return session


# -- a partner's organisers ---------------------------------------------------------------------


def add_organiser(admin: User, event: Event, email: str, role: str, at=None) -> EventOrganiser:
    """Give an account a role at this event (a partner's organiser: "checkin"); admins only;
    audited; commits."""
    if not admin.is_admin:
        raise EventError(_l("Only the secretariat may name organisers."))
    if role not in ("organiser", "checkin"):
        raise EventError(_l("Choose a role from the list."), "role")
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise EventError(_l("No account has this e-mail address."), "email")
    current = db.session.scalar(
        sa.select(EventOrganiser).where(
            EventOrganiser.event_id == event.id, EventOrganiser.user_id == user.id
        )
    )
    if current is None:
        current = EventOrganiser(event_id=event.id, user_id=user.id)
        db.session.add(current)
    current.role, current.granted_by_id, current.granted_at = role, admin.id, at or utcnow()
    db.session.flush()
    audit.record("event.organiser", "event", event.id, actor_id=admin.id, member_id=user.id,
                 after={"role": role})  # fmt: skip
    db.session.commit()
    return current


def organisers(event: Event) -> list[EventOrganiser]:
    return list(
        db.session.scalars(
            sa.select(EventOrganiser)
            .where(EventOrganiser.event_id == event.id)
            .options(selectinload(EventOrganiser.user))
            .order_by(EventOrganiser.id)
        )
    )
