"""Completion is exact: once per member and module under concurrency, and it survives content changes."""

import threading
from decimal import Decimal

import sqlalchemy as sa

from tests.learning.conftest import QUIZ_MODULE, READING_MODULE
from wired4ex.auth.models import User
from wired4ex.catalog.models import Course, Module
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import CourseCompletion, LedgerEntry, ModuleCompletion

RIGHT = {"q1": ["q1a"], "q2": ["q2a", "q2b"]}


def module(key: str) -> Module:
    return db.session.scalar(sa.select(Module).where(Module.key == key))


def enrolled(make_user, course, email="learner@example.org") -> User:
    user = make_user(email=email)
    services.enrol(user, course)
    return user


def complete_quiz(user, key="budgets-in-practice"):
    target = module(key)
    return services.submit_attempt(
        user, target, target.current_version, RIGHT, services.new_attempt_nonce()
    )


def complete_reading(user):
    target = module("reading")
    services.record_visit(user.id, services.get_enrolment(user.id, target.course_id).id, target.id)
    return services.mark_done(db.session.get(User, user.id), module("reading"))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_twenty_parallel_completions_give_one_completion_and_one_entry(app, make_user, course):
    user = enrolled(make_user, course)
    reading = module("reading")
    services.record_visit(user.id, services.get_enrolment(user.id, course.id).id, reading.id)
    user_id, module_id = user.id, reading.id
    db.session.remove()
    barrier = threading.Barrier(20)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                member = db.session.get(User, user_id)
                target = db.session.get(Module, module_id)
                db.session.commit()  # hand the connection back while waiting: the pool is finite
                barrier.wait(timeout=30)
                results.append(services.mark_done(member, target))
            except Exception as error:  # collected and asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False] * 19 + [True]
    assert count(ModuleCompletion) == 1
    assert count(LedgerEntry) == 1


def test_twenty_parallel_passing_attempts_give_one_completion(app, make_user, course):
    user = enrolled(make_user, course)
    user_id, module_id = user.id, module("budgets-in-practice").id
    db.session.remove()
    barrier = threading.Barrier(20)
    outcomes, errors = [], []

    def worker():
        with app.app_context():
            try:
                member = db.session.get(User, user_id)
                target = db.session.get(Module, module_id)
                version = target.current_version
                db.session.commit()  # hand the connection back while waiting: the pool is finite
                barrier.wait(timeout=30)
                outcomes.append(
                    services.submit_attempt(
                        member, target, version, RIGHT, services.new_attempt_nonce()
                    )
                )
            except Exception as error:
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(outcomes) == 20 and all(o.passed for o in outcomes)
    assert sum(o.newly_completed for o in outcomes) == 1
    assert count(ModuleCompletion) == 1 and count(LedgerEntry) == 1


def test_completion_stays_valid_when_the_module_changes(make_user, course_tree, course):
    user = enrolled(make_user, course)
    complete_quiz(user)
    first_version = module("budgets-in-practice").current_version_id
    course_tree.write(
        "01-budgets-in-practice.md", QUIZ_MODULE.replace("cpd_points: 1.5", "cpd_points: 3")
    )
    course_tree.sync()
    changed = module("budgets-in-practice")
    assert changed.current_version_id != first_version
    completion = db.session.scalar(sa.select(ModuleCompletion))
    assert completion.module_version_id == first_version
    entry = db.session.scalar(sa.select(LedgerEntry))
    assert entry.points == Decimal("1.5")  # the ledger keeps what was earned then
    progress = services.course_progress(user.id, db.session.get(Course, course.id), None)
    assert progress.done == 1


def test_new_module_after_course_completion_is_shown_as_new(make_user, course_tree, course):
    user = enrolled(make_user, course)
    complete_quiz(user)
    complete_reading(user)
    assert count(CourseCompletion) == 1
    course_tree.write(
        "03-new-topic.md", READING_MODULE.replace("Reading without a check", "A new topic")
    )
    course_tree.sync()
    refreshed = db.session.get(Course, course.id)
    db.session.refresh(refreshed)
    progress = services.course_progress(user.id, refreshed, None)
    assert (progress.done, progress.total) == (2, 3)
    assert progress.completed_at is not None
    assert [m.key for m in progress.new_modules] == ["new-topic"]
    assert count(CourseCompletion) == 1


def test_archived_module_keeps_its_completion_and_progress_counts_current_modules(
    make_user, course_tree, course
):
    user = enrolled(make_user, course)
    complete_reading(user)
    course_tree.remove("02-reading.md")
    report = course_tree.sync()
    assert report.archived == ["demo-uni/budgets/reading"]
    assert module("reading").status == "archived"
    assert count(ModuleCompletion) == 1 and count(LedgerEntry) == 1
    refreshed = db.session.get(Course, course.id)
    db.session.refresh(refreshed)
    progress = services.course_progress(user.id, refreshed, None)
    assert (progress.done, progress.total) == (0, 1)


def test_completing_the_remaining_current_modules_completes_the_course(
    make_user, course_tree, course
):
    user = enrolled(make_user, course)
    complete_reading(user)
    course_tree.remove("02-reading.md")
    course_tree.sync()
    complete_quiz(user)
    assert count(CourseCompletion) == 1


def test_ledger_date_is_the_nairobi_date(app, make_user, course):
    user = enrolled(make_user, course)
    target = module("budgets-in-practice")
    from datetime import UTC, datetime

    late_utc = datetime(2026, 12, 31, 21, 30, tzinfo=UTC)  # 00:30 on 1 January in Nairobi
    services.submit_attempt(user, target, target.current_version, RIGHT, "nonce-1", at=late_utc)
    entry = db.session.scalar(sa.select(LedgerEntry))
    assert entry.activity_date.isoformat() == "2027-01-01"
    assert utcnow().tzinfo is not None
