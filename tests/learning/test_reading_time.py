"""Reading, not opening: a module without a knowledge check can be marked done only its
`min_read_minutes` after the member first opened it (default a quarter of `minutes`, at most 5),
measured on the server."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import submit
from wired4ex.auth.models import User
from wired4ex.catalog.models import Module
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import ModuleCompletion, ModuleProgress

COURSE = "/courses/demo-uni/budgets/"
READ = """---
title: Reading time
id: {key}
minutes: {minutes}
cpd_points: 1
{extra}---
## Reading

Text worth reading.
"""


@pytest.fixture
def reading_course(course_tree, course):
    course_tree.write("03-long.md", READ.format(key="long", minutes=60, extra=""))
    course_tree.write("04-short.md", READ.format(key="short", minutes=8, extra=""))
    course_tree.write(
        "05-set.md", READ.format(key="set", minutes=60, extra="min_read_minutes: 1\n")
    )
    course_tree.sync()
    return course


def module(key: str) -> Module:
    return db.session.scalar(sa.select(Module).where(Module.key == key))


def test_reading_times_come_from_the_front_matter(reading_course):
    assert module("long").current_version.min_read_seconds == 300  # 60 / 4, at most 5 minutes
    assert module("short").current_version.min_read_seconds == 120  # a quarter of 8
    assert module("set").current_version.min_read_seconds == 60


def test_marking_done_waits_for_the_reading_time(client, auth, make_user, reading_course):
    user = make_user(email="learner@example.org")
    services.enrol(user, reading_course)
    auth.login("learner@example.org")
    page = client.get(COURSE + "short").get_data(as_text=True)
    assert "you can mark this module as done in 2 minutes" in page
    response = submit(client, COURSE + "short/complete", {}, page=COURSE + "short",
                      follow_redirects=True)  # fmt: skip
    assert "you can mark it done in 2 minutes" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 0

    opened = db.session.scalar(sa.select(ModuleProgress.started_at))
    member = db.session.get(User, user.id)
    with pytest.raises(services.LearningError, match="less than a minute"):
        services.mark_done(member, module("short"), at=opened + timedelta(seconds=90))
    # Opening the page again does not restart the clock; the first opening counts.
    client.get(COURSE + "short")
    assert db.session.scalar(sa.select(ModuleProgress.started_at)) == opened
    assert services.mark_done(member, module("short"), at=opened + timedelta(seconds=121))
    assert (
        services.reading_time_left(user.id, module("short"), opened + timedelta(seconds=121)) == 0
    )


def test_the_page_says_how_long_is_left_in_swahili(client, auth, make_user, reading_course):
    make_user(email="mwanachama@example.org", language="sw")
    services.enrol(db.session.scalar(sa.select(User).where(User.email == "mwanachama@example.org")),
                   reading_course)  # fmt: skip
    auth.login("mwanachama@example.org")
    page = client.get(COURSE + "long").get_data(as_text=True)
    assert "utaweza kuweka alama kwamba moduli hii imekamilika baada ya dakika 5" in page
