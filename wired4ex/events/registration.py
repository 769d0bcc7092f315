"""Registration for an event: a place, or the waiting list when the places are taken; a place
given up goes to the first member waiting."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.events.models import Event, Registration
from wired4ex.events.services import EventError
from wired4ex.extensions import db


def _lock_event(event_id: int) -> None:
    """Take the event's row lock (PostgreSQL) or the write lock (SQLite) before counting places,
    so two members registering at once cannot both take the last place."""
    db.session.execute(sa.update(Event).where(Event.id == event_id).values(id=Event.id))


def registration_of(event: Event, user: User) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def places_taken(event_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == "registered")
    )


def register(member: User, event: Event, at: datetime | None = None) -> Registration:
    """Register the member, or put them on the waiting list when the event is full; commits."""
    at = at or utcnow()
    event_id, member_id, capacity = event.id, member.id, event.capacity
    db.session.commit()
    _lock_event(event_id)
    existing = db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event_id, Registration.user_id == member_id
        )
    )
    if existing is not None and existing.status != "cancelled":
        db.session.rollback()
        raise EventError(_l("You are already registered for this event."))
    full = capacity is not None and places_taken(event_id) >= capacity
    status = "waiting" if full else "registered"
    if existing is None:
        existing = Registration(event_id=event_id, user_id=member_id, created_at=at)
        db.session.add(existing)
    existing.status, existing.created_at, existing.updated_at = status, at, at
    db.session.commit()
    return existing


def cancel_registration(member: User, event: Event, at: datetime | None = None) -> None:
    """Give the place up; the first member waiting gets it; commits."""
    at = at or utcnow()
    event_id, member_id = event.id, member.id
    db.session.commit()
    _lock_event(event_id)
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event_id, Registration.user_id == member_id
        )
    )
    if registration is None or registration.status == "cancelled":
        db.session.rollback()
        raise EventError(_l("You are not registered for this event."))
    had_place = registration.status == "registered"
    registration.status, registration.updated_at = "cancelled", at
    db.session.flush()
    if had_place:
        waiting = db.session.scalar(
            sa.select(Registration)
            .where(Registration.event_id == event_id, Registration.status == "waiting")
            .order_by(Registration.created_at, Registration.id)
            .limit(1)
        )
        if waiting is not None:
            waiting.status, waiting.updated_at = "registered", at
    db.session.commit()


def registrations(event: Event) -> list[Registration]:
    """Everyone registered or waiting, in the order they came, with their accounts."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.status != "cancelled")
            .options(selectinload(Registration.member))
            .order_by(Registration.status, Registration.created_at, Registration.id)
        )
    )
