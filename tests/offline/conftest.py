"""Fixtures for offline learning: a course synced through the real loader, a member enrolled in
it and logged in through the real pages, and a helper that sends what a phone kept."""

import re
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.conftest import Auth
from tests.learning.conftest import CourseTree
from tests.learning.quiz_modules import module_text
from wired4ex.catalog.models import Course, ModuleVersion
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import QuizAttempt

COURSE_URL = "/courses/demo-uni/budgets/"
QUIZ_URL = COURSE_URL + "budgets-in-practice"
READING_URL = COURSE_URL + "reading"
ONCE_URL = COURSE_URL + "once"
SLOW_URL = COURSE_URL + "slow"
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"|name="token" value="([^"]+)"')

ONE_ATTEMPT = module_text(
    "once", "attempts: 1\n", "? Pick the right one?\n- [x] Right\n- [ ] Wrong"
)
SLOW_READING = """---
title: A slow read
id: slow
minutes: 20
cpd_points: 2
min_read_minutes: 10
---
## Slowly

Take ten minutes.

![A chart of county budgets](media/chart.png)
"""


def millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def tree(app, tmp_path):
    tree = CourseTree(tmp_path / "content")
    (tree.course / "media").mkdir()
    Image.new("RGB", (300, 150), (11, 94, 85)).save(tree.course / "media" / "chart.png")
    tree.write("03-once.md", ONE_ATTEMPT)
    tree.write("04-slow.md", SLOW_READING)
    tree.sync()
    return tree


@pytest.fixture
def course(tree) -> Course:
    # Published last week: the phone's times are checked against when a version existed.
    db.session.execute(sa.update(ModuleVersion).values(created_at=utcnow() - timedelta(days=7)))
    db.session.commit()
    return db.session.scalar(sa.select(Course).where(Course.slug == "budgets"))


@pytest.fixture
def member(course, make_user):
    user = make_user(email="amani.phone@example.org")
    services.enrol(user, course)
    enrolment = services.get_enrolment(user.id, course.id)
    enrolment.enrolled_at -= timedelta(days=1)  # enrolled yesterday
    db.session.commit()
    return user


@pytest.fixture
def phone(client, member):
    """The member's browser, logged in; send() posts what the service worker would."""
    Auth(client).login(member.email)
    return Phone(client)


class Phone:
    def __init__(self, client):
        self.client = client

    def sheet(self, url: str) -> str:
        """The signed answer sheet of the module page, as the saved page holds it."""
        page = self.client.get(url, headers={"X-W4X-Save": "1"}).get_data(as_text=True)
        match = TOKEN.search(page)
        assert match, f"no answer sheet on {url}"
        # The page was saved two hours ago: its attempt was opened then.
        db.session.execute(
            sa.update(QuizAttempt)
            .where(QuizAttempt.submitted_at.is_(None))
            .values(started_at=utcnow() - timedelta(hours=2))
        )
        db.session.commit()
        return match.group(1) or match.group(2)

    def csrf(self) -> str:
        response = self.client.get("/offline/sync")
        assert response.status_code == 200
        return response.get_json()["csrf"]

    def send(self, body: dict, csrf: str | None = None):
        token = csrf if csrf is not None else self.csrf()
        return self.client.post(
            "/offline/sync", json=body, headers={"X-CSRFToken": token} if token else {}
        )
