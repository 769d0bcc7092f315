"""Events and sessions through the services: who may create them, the session rules, and
registration with a cap and a waiting list."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.events.conftest import session_input
from wired4ex.audit import AuditEvent
from wired4ex.catalog.models import Institution
from wired4ex.events import registration as event_registration
from wired4ex.events import services
from wired4ex.events.models import EventSession
from wired4ex.extensions import db


def test_a_member_cannot_create_an_event(make_user, make_event):
    with pytest.raises(services.EventError):
        make_event(creator=make_user())


def test_faculty_create_events_for_their_own_institution(make_user, make_event):
    lru = Institution(slug="lru", name="Lake Region University", short_name="LRU", country="Kenya")
    other = Institution(slug="eaihm", name="EAIHM", short_name="EA", country="Uganda")
    db.session.add_all([lru, other])
    db.session.commit()
    lecturer = make_user(roles=("member", "faculty"), institution_id=lru.id)
    event = make_event(creator=lecturer, institution_id=other.id, external=True)
    assert event.institution_id == lru.id  # not the one asked for
    assert event.external is False  # only admins accredit a partner's event
    assert services.can_manage(lecturer, event)
    outsider = make_user(roles=("member", "faculty"), institution_id=other.id)
    assert not services.can_manage(outsider, event)
    assert not services.can_run_checkin(make_user(), event)


def test_an_event_cannot_end_before_it_starts(make_event):
    with pytest.raises(services.EventError, match="cannot end before"):
        make_event(days=(2, 1))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_minutes": 30, "length_minutes": -10}, "end_time", "must end after it starts"),
        ({"start_minutes": 30, "length_minutes": 0}, "end_time", "must end after it starts"),
        ({"points": Decimal("11")}, "points", "At most 10 points for one activity"),
        ({"points": Decimal("0")}, "points", "more than zero"),
        ({"points": Decimal("1.3")}, "points", "half points"),
        ({"category": "sleeping"}, "category", "Choose a CPD category"),
        ({"start_minutes": 60 * 24 * 5}, "day", "one of the event's days"),
        ({"code_period": 5}, "code_period", "15 to 600"),
        ({"window_before": 500}, "window_before", "240 minutes"),
        ({"title": "  "}, "title", "title"),
    ],
)
def test_session_rules(admin, policy, make_event, changes, field, message):
    event = make_event()
    with pytest.raises(services.EventError, match=message) as raised:
        services.add_session(admin, policy, event, session_input(**changes))
    assert raised.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSession)) == 0


def test_overlapping_sessions_are_refused(admin, policy, make_event):
    event = make_event()
    services.add_session(admin, policy, event, session_input(start_minutes=0, length_minutes=60))
    with pytest.raises(services.EventError, match="overlaps Financing"):
        services.add_session(
            admin, policy, event, session_input(title="B", start_minutes=59, length_minutes=30)
        )
    # Back to back is fine.
    services.add_session(
        admin, policy, event, session_input(title="C", start_minutes=60, length_minutes=30)
    )
    assert [s.title for s in event.sessions] == ["Financing primary health care", "C"]


def test_a_session_has_its_own_secret_and_is_audited(make_session):
    first, second = make_session(), make_session(start_minutes=120)
    assert first.secret != second.secret and first.key != second.key
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("event.session_added") == 2


def test_moving_the_event_away_from_its_sessions_is_refused(admin, make_session):
    session = make_session()
    event = session.event
    data = services.EventInput(
        title=event.title, description="", organiser_name=event.organiser_name, venue="Kisumu",
        online=False, start_date=event.start_date + timedelta(days=10),
        end_date=event.end_date + timedelta(days=10), capacity=None, evaluation=False,
    )  # fmt: skip
    with pytest.raises(services.EventError, match="falls outside"):
        services.update_event(admin, event, data)


def test_registration_with_a_cap_and_a_waiting_list(make_user, make_event):
    event = make_event(capacity=2)
    first, second, third, fourth = (make_user() for _ in range(4))
    assert event_registration.register(first, event).status == "registered"
    assert event_registration.register(second, event).status == "registered"
    assert event_registration.register(third, event).status == "waiting"
    assert event_registration.register(fourth, event).status == "waiting"
    with pytest.raises(services.EventError, match="already registered"):
        event_registration.register(first, event)
    event_registration.cancel_registration(first, event)
    statuses = {r.user_id: r.status for r in event_registration.registrations(event)}
    assert statuses == {second.id: "registered", third.id: "registered", fourth.id: "waiting"}
    assert event_registration.places_taken(event.id) == 2
    # Registering again after cancelling joins the end of the queue.
    assert event_registration.register(first, event).status == "waiting"
