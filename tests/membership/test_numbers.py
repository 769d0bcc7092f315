"""Membership numbers: given by the system as HSM-YYYY-NNNNN, unique on the database, a sequence
per year with no gaps even when approvals run in parallel on their own connections."""

import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from wired4ex.extensions import db
from wired4ex.membership.applications import (
    ApplicationError,
    Approval,
    approve_application,
)
from wired4ex.membership.models import Membership
from wired4ex.membership.services import MembershipError, grant_membership
from wired4ex.timeutil import local_today

NUMBER = re.compile(r"^HSM-(\d{4})-(\d{5})$")


def _approve_in_parallel(app, application_ids, admin_id):
    """Each approval in its own thread, app context and database connection, released together."""
    barrier = threading.Barrier(len(application_ids))
    results, errors = {}, []

    def work(index, application_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                membership = approve_application(application_id, admin_id, Approval())
                results[index] = membership.number
            except ApplicationError as error:
                errors.append(str(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=work, args=(index, application_id))
        for index, application_id in enumerate(application_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_twenty_parallel_approvals_give_twenty_distinct_numbers_without_gaps(
    app, make_user, applicant, apply
):
    admin = make_user(email="secretariat@example.org", roles=("member", "admin"), membership=None)
    ids = [apply(applicant(email=f"applicant{i}@example.org")).id for i in range(20)]
    admin_id = admin.id
    db.session.commit()
    results, errors = _approve_in_parallel(app, ids, admin_id)
    assert errors == []
    numbers = list(results.values())
    assert len(numbers) == 20 and len(set(numbers)) == 20
    year = local_today().year
    assert all(NUMBER.match(number) and number[4:8] == str(year) for number in numbers)
    assert sorted(int(number[-5:]) for number in numbers) == list(range(1, 21))
    stored = db.session.scalars(sa.select(Membership.number)).all()
    assert sorted(stored) == sorted(numbers)


def test_refused_parallel_approvals_give_their_numbers_back(app, make_user, applicant, apply):
    """Each application approved twice at once: one approval wins, the other is refused and its
    number is rolled back, so the numbers given are still 1..10."""
    admin = make_user(email="secretariat@example.org", roles=("member", "admin"), membership=None)
    ids = [apply(applicant(email=f"applicant{i}@example.org")).id for i in range(10)]
    admin_id = admin.id
    db.session.commit()
    results, errors = _approve_in_parallel(app, ids + ids, admin_id)
    assert len(results) == 10 and len(errors) == 10
    assert sorted(int(number[-5:]) for number in results.values()) == list(range(1, 11))


def test_the_sequence_starts_again_each_year_and_skips_given_numbers(app, make_user):
    admin = make_user(roles=("member", "admin"), membership=None)
    people = [make_user(membership=None) for _ in range(4)]
    first = grant_membership(people[0], "professional", by=admin, started_on=date(2025, 3, 1))
    given = grant_membership(people[1], "life", by=admin, number="HSM-2026-00007",
                             started_on=date(2026, 1, 5))  # fmt: skip
    after_given = grant_membership(people[2], "associate", by=admin, started_on=date(2026, 2, 1))
    db.session.commit()
    assert first.number == "HSM-2025-00001"
    assert given.number == "HSM-2026-00007" and given.renews_on is None
    assert after_given.number == "HSM-2026-00008"
    with pytest.raises(MembershipError, match="already held"):
        grant_membership(people[3], "professional", by=admin, number="hsm-2026-00007")
    db.session.rollback()


def test_the_database_refuses_a_second_holder_of_a_number(app, make_user):
    one, two = make_user(), make_user(membership=None)
    number = db.session.scalar(sa.select(Membership.number).where(Membership.user_id == one.id))
    db.session.add(Membership(user_id=two.id, category="professional", number=number,
                              started_on=date(2026, 1, 1)))  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_membership_per_person(app, make_user):
    member = make_user()
    with pytest.raises(MembershipError, match="already holds a membership"):
        grant_membership(member, "life", by=None)
    db.session.rollback()
