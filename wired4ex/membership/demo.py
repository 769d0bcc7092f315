"""Demo memberships for `flask demo seed`: every state a first run should show."""

from collections.abc import Iterator
from datetime import date, timedelta
from io import BytesIO

from werkzeug.datastructures import FileStorage

from wired4ex.auth.services import NewAccount, create_user, find_user_by_email
from wired4ex.extensions import db
from wired4ex.membership.applications import membership_of, open_application, submit_application
from wired4ex.membership.services import add_months, grant_membership
from wired4ex.timeutil import local_today

STUDENT = ("student@wired4ex.example", "demo-student-pass-2026", "Baraka Odhiambo")
LAPSED = ("lapsed@wired4ex.example", "demo-lapsed-pass-2026", "Zawadi Kimaro")


def _account(email: str, password: str, name: str):
    user = find_user_by_email(email)
    if user is None:
        user = create_user(NewAccount(email=email, full_name=name, password=password, country="KE"))
    return user


def seed_memberships(admin, pdf: bytes) -> Iterator[str]:
    """Approved professional memberships for the demo member and faculty, a student's pending
    application with a proof file, and a lapsed member; safe to run twice."""
    today = local_today()
    for email in ("member@wired4ex.example", "faculty@wired4ex.example"):
        user = find_user_by_email(email)
        if user is None:
            continue
        held = membership_of(user.id)
        if held is None:
            held = grant_membership(user, "professional", by=admin,
                                    started_on=date(today.year - 1, 1, 15),
                                    renews_on=add_months(today, 10),
                                    reason="Demo: approved professional member.")  # fmt: skip
            db.session.commit()
        yield f"{email:28} membership {held.number} ({held.category})"

    student = _account(*STUDENT)
    if membership_of(student.id) is None and open_application(student.id) is None:
        submit_application(
            student,
            "student",
            {
                "institution": "Lake Region University",
                "programme": "BSc Health Systems Management",
                "expected_completion": date(today.year + 2, 6, 30).isoformat(),
            },
            FileStorage(BytesIO(pdf), filename="enrolment-letter.pdf"),
        )
    yield f"{STUDENT[0]:28} password: {STUDENT[1]:24} (student application waiting in the queue)"

    lapsed = _account(*LAPSED)
    held = membership_of(lapsed.id)
    if held is None:
        started = date(today.year - 3, 3, 1)
        held = grant_membership(lapsed, "professional", by=admin, started_on=started,
                                renews_on=today - timedelta(days=200),
                                reason="Demo: a member who did not renew.")  # fmt: skip
        db.session.commit()
    yield f"{LAPSED[0]:28} password: {LAPSED[1]:24} (membership {held.number}, lapsed)"
