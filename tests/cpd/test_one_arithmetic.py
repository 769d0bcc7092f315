"""One CPD arithmetic: every surface that shows a member's points shows the same figures.

Hypothesis builds random policies (calendar and July cycles, caps, per-activity maximums,
minimums, targets and exemptions), membership categories and ledgers (modules, claims and
adjustments, some outside the cycle, some in a category the policy no longer has). For each one
the service function's counted and claimed totals must be what the dashboard, My CPD, the
statement PDF and CSV, the verify page, the API (own CPD and the compliance report), the admin
member page, the member list's status, the M&E compliance table and the certification window rule
show, each read back from what it renders or returns.
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.append_only import triggers_suspended
from tests.conftest import PASSWORD, issue_statement, submit
from tests.documents import pdf_text
from wired4ex.admin import reports
from wired4ex.admin.cpd_sums import CpdSum
from wired4ex.admin.cpd_totals import CpdTotal
from wired4ex.auth.models import User
from wired4ex.auth.tokens import create_token
from wired4ex.catalog.models import PolicyDocument
from wired4ex.certification.eligibility import counted_points
from wired4ex.cpd.models import Statement
from wired4ex.cpd.policy import load_policy
from wired4ex.cpd.services import member_summary
from wired4ex.cpd.verifiable import format_code
from wired4ex.extensions import db, limiter
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.timeutil import local_today

CODES = ("structured", "conference", "teaching")
MEMBERSHIPS = ("student", "professional", "associate")

half_points = st.integers(min_value=0, max_value=30).map(lambda n: Decimal(n) / 2)
limit = st.none() | st.integers(min_value=1, max_value=25).map(Decimal)

policies = st.fixed_dictionaries(
    {
        "start_month": st.sampled_from((1, 7)),
        "caps": st.tuples(*(limit for _ in CODES)),
        "maximums": st.tuples(*(limit for _ in CODES)),
        "minimums": st.dictionaries(st.sampled_from(CODES), limit.filter(bool), max_size=2),
        "targets": st.tuples(*(st.none() | st.integers(0, 60) for _ in MEMBERSHIPS)),
    }
)
entries = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=540),  # days before today
        st.sampled_from(CODES + ("retired",)),  # "retired": a category no longer in the policy
        st.sampled_from(("module", "claim", "adjustment")),
        half_points,
        st.booleans(),  # negative (adjustments only)
    ),
    max_size=12,
)


def policy_data(drawn: dict) -> dict:
    categories = []
    for code, cap, maximum in zip(CODES, drawn["caps"], drawn["maximums"], strict=True):
        category = {"code": code, "name": code.title(), "name_sw": code.title()}
        if cap is not None:
            category["cap"] = str(cap)
        if maximum is not None:
            category["max_per_activity"] = str(maximum)
        categories.append(category)
    return {
        "cycle": {"start_month": drawn["start_month"]},
        "categories": categories,
        "targets": {
            name: "exempt" if target is None else target
            for name, target in zip(MEMBERSHIPS, drawn["targets"], strict=True)
        },
        "minimums": {code: str(value) for code, value in drawn["minimums"].items()},
    }


def number(text: str) -> Decimal:
    return Decimal(unescape(text).replace(",", "").replace("\u00a0", "").strip())


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def reset(member_id: int) -> None:
    """Start an example afresh: no ledger entries (nor their sums and totals), statements or
    rate-limit counts."""
    db.session.rollback()
    db.session.expunge_all()  # the deleted rows' ids come round again
    with db.engine.begin() as connection, triggers_suspended(connection):
        for table in (LedgerEntry.__table__, CpdSum.__table__, CpdTotal.__table__,
                      Statement.__table__):  # fmt: skip
            connection.execute(table.delete().where(table.c.user_id == member_id))
    limiter.reset()


def test_every_surface_shows_the_same_standing(app, make_user, policy, tmp_path):
    member = make_user(email="member@example.org")
    admin = make_user(email="admin@example.org", roles=("admin",))
    member_client, admin_client = login(app, member.email), login(app, admin.email)
    member_token = {"Authorization": f"Bearer {create_token(member, 'Test')[1]}"}
    admin_token = {"Authorization": f"Bearer {create_token(admin, 'Test')[1]}"}
    member_id = member.id

    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(policies, st.sampled_from(MEMBERSHIPS), entries)
    def check(drawn, membership, ledger):
        reset(member_id)
        member = db.session.get(User, member_id)
        today = local_today()
        db.session.get(PolicyDocument, "cpd").data = policy_data(drawn)
        member.membership_category = membership
        db.session.scalar(
            sa.select(Membership).where(Membership.user_id == member.id)
        ).category = membership
        for days, code, source, points, negative in ledger:
            signed = -points if negative and source == "adjustment" else points
            db.session.add(
                LedgerEntry(user_id=member.id, source=source, activity_date=today - timedelta(days),
                            title="An activity", provider="A provider", category=code,
                            points=signed)
            )  # fmt: skip
        db.session.commit()
        rules = load_policy()
        cycle = rules.cycle_for(today)
        standing = member_summary(rules, member, cycle, today)
        counted, claimed = standing.counted, standing.claimed
        status = "exempt" if standing.exempt else "met" if standing.target_met else "not_met"

        dashboard = member_client.get("/dashboard").get_data(as_text=True)
        assert f"CPD points in {cycle.label}" in dashboard
        shown = re.search(r'class="big-number">([^<]+)<span', dashboard).group(1)
        assert number(shown) == counted

        my_cpd = member_client.get("/cpd/").get_data(as_text=True)
        total = re.search(
            r"<tfoot><tr><th[^>]*>Total</th><td[^>]*>([^<]*)</td><td></td><td[^>]*>([^<]*)</td>",
            my_cpd,
        )
        assert (number(total.group(2)), number(total.group(1))) == (counted, claimed)

        api = member_client.get("/api/v1/me/cpd", headers=member_token).get_json()
        assert (Decimal(api["counted"]), Decimal(api["claimed"])) == (counted, claimed)
        report = admin_client.get("/api/v1/reports/cpd-compliance", headers=admin_token).get_json()
        (row,) = [row for row in report["data"] if row["member"]["id"] == member.id]
        assert (Decimal(row["counted"]), Decimal(row["claimed"])) == (counted, claimed)

        sheet = issue_statement(member_client, "csv", cycle=cycle.key).get_data(as_text=True)
        (totals,) = [line for line in csv.reader(io.StringIO(sheet)) if line[:1] == ["Total"]]
        assert (number(totals[3]), number(totals[1])) == (counted, claimed)
        pdf = issue_statement(member_client, "pdf", cycle=cycle.key)
        text = pdf_text(pdf.data, tmp_path)
        line = re.search(r"^\s*Total\s+(-?[\d.,]+)\s+(-?[\d.,]+)\s*$", text, re.M)
        assert (number(line.group(2)), number(line.group(1))) == (counted, claimed)
        code = db.session.scalar(
            sa.select(Statement.code).where(Statement.user_id == member.id).limit(1)
        )
        verify = app.test_client().get(f"/verify/{format_code(code)}").get_data(as_text=True)
        facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", verify))
        assert (number(facts["Points counted"]), number(facts["Points earned"])) == (
            counted,
            claimed,
        )

        page = admin_client.get(f"/admin/members/{member.id}").get_data(as_text=True)
        figures = re.search(r'class="cpd-figures">(\S+) points counted, (\S+) claimed</span>', page)
        assert (number(figures.group(1)), number(figures.group(2))) == (counted, claimed)
        assert reports.cpd_statuses(rules, cycle, [member.id]) == {member.id: status}
        in_sql = reports.cpd_standing(rules, cycle, [member.id])  # the member list's filter
        assert Decimal(db.session.scalar(sa.select(in_sql.c.counted)) or 0) == counted
        rows = {row.category: row for row in reports.compliance(rules, cycle, today)}
        assert (rows[membership].members, rows[membership].exempt) == (1, standing.exempt)
        assert rows[membership].met == (status == "met")

        window = [(e.activity_date, e.category, e.points, (), e.source) for e in standing.entries]
        assert counted_points(rules, window, cycle.start, min(today, cycle.end)) == counted

    check()
