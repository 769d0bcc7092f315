"""The M&E dashboard's months are the association's local months (Nairobi, UTC+3): an enrolment
late in the evening UTC on a month's last day belongs to the next local month, and one late on
31 December UTC to the next year; the same as local_month() gives."""

from datetime import UTC, datetime

import sqlalchemy as sa

from wired4ex.admin import reports
from wired4ex.catalog.models import Course
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment


def test_months_are_local_months(app, make_user, synced_content):
    course_id = db.session.scalar(sa.select(Course.id).order_by(Course.id))
    moments = [
        datetime(2024, 12, 31, 20, 59, tzinfo=UTC),  # 23:59 local: 2024-12, not in 2025
        datetime(2024, 12, 31, 21, 0, tzinfo=UTC),  # midnight local: 2025-01
        datetime(2025, 1, 31, 20, 59, 59, tzinfo=UTC),  # 2025-01
        datetime(2025, 1, 31, 21, 30, tzinfo=UTC),  # 2025-02
        datetime(2025, 6, 15, 9, tzinfo=UTC),  # 2025-06
        datetime(2025, 12, 31, 20, 0, tzinfo=UTC),  # 2025-12
        datetime(2025, 12, 31, 21, 0, tzinfo=UTC),  # 2026-01, not in 2025
    ]
    for moment in moments:
        user = make_user()
        db.session.add(Enrolment(user_id=user.id, course_id=course_id, enrolled_at=moment))
        db.session.add(CourseCompletion(user_id=user.id, course_id=course_id, completed_at=moment))
    db.session.commit()
    found = {row.label: (row.enrolments, row.completions) for row in reports.per_month(2025)}
    expected = {label: (0, 0) for label in reports.month_labels(2025)}
    expected.update({"2025-01": (2, 2), "2025-02": (1, 1), "2025-06": (1, 1), "2025-12": (1, 1)})
    assert found == expected
    local = reports.local_month(Enrolment.enrolled_at)  # one expression: PostgreSQL groups by it
    by_local_month = db.session.execute(sa.select(local, sa.func.count()).group_by(local)).all()
    assert {m: n for m, n in by_local_month if m.startswith("2025")} == {
        m: e for m, (e, _) in expected.items() if e
    }
