"""A known fixture for the admin reports: members with ledgers, enrolments, completions and
knowledge-check attempts whose figures are written out in each test."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from wired4ex.catalog.services import get_course
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment, LedgerEntry, QuizAttempt
from wired4ex.timeutil import local_today


def login(app, email):
    client = app.test_client()
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def at(year: int, month: int, day: int) -> datetime:
    """Noon UTC: the same calendar day in Nairobi."""
    return datetime(year, month, day, 9, tzinfo=UTC)


def ledger(user, category: str, points, day: date) -> None:
    db.session.add(
        LedgerEntry(user_id=user.id, source="adjustment", category=category,
                    points=Decimal(str(points)), activity_date=day, title="Activity",
                    provider="Provider", reason="fixture")
    )  # fmt: skip


@dataclass
class Figures:
    this_year: int
    last_year: int
    admin: object
    people: dict
    financing: object
    leadership: object
    quiz_module: object


@pytest.fixture
def figures(app, make_user, synced_content) -> Figures:
    """Last year (the previous CPD cycle) in numbers:

    professional, Kenya: Amina (38 structured + 2 association: met), Brian (50 structured, capped
    at 40, + 3 association: met), Carol (45 structured, no association points: NOT met, the
    association minimum is 2); professional, Uganda: David (met); student, Kenya: Esther (10 + 2:
    met); honorary, Kenya: Faith (exempt). Carol meets the target only in the current cycle.

    Health financing course, last year: Amina, Brian, Carol and David enrolled (Feb, Feb, Feb,
    Mar); Amina (Mar), Carol (Apr) and David (Mar) completed it. Esther enrolled in county
    health leadership in January. Amina and Brian answered the first knowledge check of the
    financing course: Amina right throughout, Brian wrong on the first question.
    """
    this_year = local_today().year
    last = this_year - 1
    admin = make_user(email="admin@example.org", full_name="Secretariat Admin",
                      roles=("member", "admin"), category="honorary", country="TZ")  # fmt: skip
    people = {
        "amina": make_user(email="amina@example.org", full_name="Amina Otieno"),
        "brian": make_user(email="brian@example.org", full_name="Brian Kiprop"),
        "carol": make_user(email="carol@example.org", full_name="Carol Wanjiru"),
        "david": make_user(email="david@example.org", full_name="David Okello", country="UG"),
        "esther": make_user(
            email="esther@example.org", full_name="Esther Achieng", category="student"
        ),  # fmt: skip
        "faith": make_user(email="faith@example.org", full_name="Faith Njeri", category="honorary"),
    }
    p = people
    june = date(last, 6, 1)
    for who, structured, association in (
        ("amina", 38, 2), ("brian", 50, 3), ("carol", 45, 0), ("david", 40, 2), ("esther", 10, 2),
    ):  # fmt: skip
        ledger(p[who], "structured", structured, june)
        if association:
            ledger(p[who], "association", association, june)
    ledger(p["carol"], "structured", 40, date(this_year, 1, 2))
    ledger(p["carol"], "association", 2, date(this_year, 1, 2))
    financing = get_course("lake-region-university", "health-financing")
    leadership = get_course("lake-region-university", "county-health-leadership")
    for who, enrolled, completed in (
        ("amina", at(last, 2, 10), at(last, 3, 15)),
        ("brian", at(last, 2, 20), None),
        ("carol", at(last, 2, 25), at(last, 4, 2)),
        ("david", at(last, 3, 5), at(last, 3, 20)),
    ):
        db.session.add(Enrolment(user_id=p[who].id, course_id=financing.id, enrolled_at=enrolled))
        if completed:
            db.session.add(CourseCompletion(user_id=p[who].id, course_id=financing.id,
                                            completed_at=completed))  # fmt: skip
    db.session.add(Enrolment(user_id=p["esther"].id, course_id=leadership.id,
                             enrolled_at=at(last, 1, 5)))  # fmt: skip
    quiz_module = next(m for m in financing.active_modules if m.current_version.quiz)
    version = quiz_module.current_version
    right = {q["id"]: [o["id"] for o in q["options"] if o["correct"]] for q in version.quiz}
    first = version.quiz[0]
    wrong = {**right, first["id"]: [next(o["id"] for o in first["options"] if not o["correct"])]}
    for who, answers, number in (("amina", right, 1), ("brian", wrong, 2)):
        db.session.add(QuizAttempt(user_id=p[who].id, module_id=quiz_module.id,
                                   module_version_id=version.id, nonce=f"fixture-{number}",
                                   answers=answers, score=100, passed=True,
                                   submitted_at=at(last, 3, 1)))  # fmt: skip
    db.session.commit()
    return Figures(this_year, last, admin, people, financing, leadership, quiz_module)


class StatementCounter:
    """Counts the SQL statements the app sends while active."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)
