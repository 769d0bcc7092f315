"""Issuing a statement is a POST with CSRF; a GET only downloads one already issued; the same
member, period and figures reuse the statement instead of issuing another."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, issue_statement, submit
from wired4ex.auth.models import User
from wired4ex.cpd import services, statements
from wired4ex.cpd.models import Statement
from wired4ex.cpd.policy import load_policy
from wired4ex.cpd.snapshots import Period
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

YEAR = 2026


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Statement.id)))


@pytest.fixture
def member(make_user, policy):
    user = make_user(email="wanjiru@example.org")
    db.session.add(
        LedgerEntry(user_id=user.id, points=Decimal("1.5"), category="structured", source="module",
                    activity_date=date(YEAR, 5, 4), title="Budgeting for managers",
                    provider="Lake Region University", competencies=[])
    )  # fmt: skip
    db.session.commit()
    return user


def test_a_get_or_a_cross_site_link_issues_nothing(app, member):
    client = login(app, "wanjiru@example.org")
    for url in (f"/cpd/statement.pdf?cycle={YEAR}", f"/cpd/statement.csv?cycle={YEAR}",
                "/cpd/statement.pdf", f"/cpd/statement.csv?start={YEAR}-01-01&end={YEAR}-03-31"):  # fmt: skip
        response = client.get(url, headers={"Referer": "https://evil.example/page"})
        assert response.status_code == 200 and response.mimetype == "text/html", url
        assert "Issue a CPD statement" in response.get_data(as_text=True)
    assert count() == 0
    # A cross-site form posts without the page's token: refused, nothing issued.
    forged = client.post("/cpd/statement.pdf", data={"cycle": str(YEAR)})
    assert forged.status_code == 400 and count() == 0


def test_issuing_twice_gives_one_statement_and_a_get_then_downloads_it(app, member):
    client = login(app, "wanjiru@example.org")
    first = issue_statement(client, "pdf", cycle=YEAR)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    second = issue_statement(client, "csv", cycle=YEAR)
    assert second.status_code == 200 and second.mimetype == "text/csv"
    assert count() == 1
    (statement,) = db.session.scalars(sa.select(Statement))
    download = client.get(f"/cpd/statement.pdf?cycle={YEAR}")
    assert download.mimetype == "application/pdf"
    assert f"cpd-statement-{statement.code}.pdf" in download.headers["Content-Disposition"]
    assert count() == 1
    # New figures: the next issue is a new statement; the page offers it until then.
    db.session.add(
        LedgerEntry(user_id=member.id, points=Decimal("2"), category="structured",
                    source="module", activity_date=date(YEAR, 7, 1), title="Another module",
                    provider="Lake Region University", competencies=[])
    )  # fmt: skip
    db.session.commit()
    assert client.get(f"/cpd/statement.pdf?cycle={YEAR}").mimetype == "text/html"
    issue_statement(client, "pdf", cycle=YEAR)
    assert count() == 2


def test_the_my_cpd_page_issues_by_post(app, member):
    client = login(app, "wanjiru@example.org")
    page = client.get("/cpd/").get_data(as_text=True)
    assert 'action="/cpd/statement.pdf"' in page and 'method="post"' in page
    assert "/cpd/statement.pdf?cycle" not in page


def test_parallel_issues_give_one_statement(app, member):
    member_id = member.id
    policy = load_policy()
    cycle = policy.cycle_starting(YEAR)
    period = Period(cycle.start, cycle.end, cycle.label)
    barrier = threading.Barrier(4)
    errors = []

    def issue():
        with app.app_context():
            user = db.session.get(User, member_id)
            entries = services.ledger_entries(member_id, period.start, period.end)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                statements.issue_statement(policy, user, period, entries, local_today())
            except Exception as error:  # reported below, not lost in the thread
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and count() == 1
