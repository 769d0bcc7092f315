"""Fixtures for events: the real policy, events and sessions made through the services, with
sessions placed around the real clock (check-in windows are about now)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.cpd.conftest import policy  # noqa: F401  (the real policy files, synced)
from wired4ex.dbtypes import utcnow
from wired4ex.events import services
from wired4ex.timeutil import local_date


@pytest.fixture
def admin(make_user):
    return make_user(email="secretariat@hesma.example", full_name="Secretariat Admin",
                     roles=("member", "admin"))  # fmt: skip


@pytest.fixture
def make_event(admin, policy):  # noqa: F811
    """make_event(creator=admin, days=(-1, 1), **fields): an event around today."""

    def build(creator=None, days=(-1, 1), **changes):
        today = local_date(utcnow())
        values = dict(
            title="HeSMA Annual Scientific Conference", description="Three days on county health.",
            organiser_name="HeSMA East Africa", venue="Kisumu, Acacia Hall", online=False,
            start_date=today + timedelta(days=days[0]), end_date=today + timedelta(days=days[1]),
            capacity=None, evaluation=True,
        )  # fmt: skip
        values.update(changes)
        return services.create_event(creator or admin, services.EventInput(**values))

    return build


def session_input(start_minutes=-10, length_minutes=60, **changes) -> services.SessionInput:
    """A session starting `start_minutes` from now (whole minutes, so it lines up)."""
    now = utcnow().replace(second=0, microsecond=0)
    values = dict(
        title="Financing primary health care", starts_at=now + timedelta(minutes=start_minutes),
        ends_at=now + timedelta(minutes=start_minutes + length_minutes), points=Decimal("2"),
        category="conference", competencies=["FM1"],
    )  # fmt: skip
    values.update(changes)
    return services.SessionInput(**values)


@pytest.fixture
def make_session(admin, policy, make_event):  # noqa: F811
    """make_session(event=None, start_minutes=-10, **fields)."""

    def build(event=None, **changes):
        event = event or make_event()
        return services.add_session(admin, policy, event, session_input(**changes))

    return build
