"""The dashboard leads with the CPD figures that matter, and they are My CPD's figures (one
owner: cpd.services.member_summary), caps and the policy's cycle included."""

import re
from datetime import date
from decimal import Decimal

from wired4ex.cpd.policy import load_policy
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today


def add(user_id, points, category, title, day):
    db.session.add(
        LedgerEntry(user_id=user_id, points=Decimal(points), category=category, source="claim",
                    activity_date=day, title=title, provider="HeSMA", competencies=[])
    )  # fmt: skip
    db.session.commit()


def big_number(html: str) -> str:
    found = re.search(r'<p class="big-number">([^<]+)<span class="unit">([^<]+)</span>', html)
    return f"{found.group(1).strip()} {found.group(2).strip()}"


def test_the_dashboard_shows_my_cpd_figures_days_left_and_what_to_do(
    client, auth, make_user, synced_content
):
    member = make_user(email="wanjiru@example.org")
    today = local_today()
    add(member.id, "1.5", "structured", "Budgeting", today)
    for title, points in (
        ("Regional conference", "10"),
        ("Scientific conference", "10"),
        ("County workshop", "5"),
    ):  # 25 points within the per-activity maximum
        add(member.id, points, "conference", title, today)  # the category counts at most 20
    add(member.id, "9", "structured", "Last cycle", date(today.year - 1, 12, 31))
    auth.login("wanjiru@example.org")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    my_cpd = client.get("/cpd/").get_data(as_text=True)
    assert big_number(dashboard) == big_number(my_cpd) == "21.5 of 40 points"
    assert "Still needed: 18.5 points." in dashboard
    cycle = load_policy().cycle_for(today)
    days = (cycle.end - today).days
    expected = (
        f"{days} day left in this cycle." if days == 1 else f"{days} days left in this cycle."
    )
    assert expected in dashboard
    assert 'href="/cpd/claims/new"' in dashboard and 'href="/cpd/"' in dashboard


def test_the_dashboard_reads_in_swahili_with_the_right_plural(
    client, auth, make_user, synced_content
):
    make_user(email="neema@example.org", language="sw")
    auth.login("neema@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "CPD yako katika mzunguko huu" in page
    assert re.search(r"(Imebaki|Zimebaki) siku \d+ katika mzunguko huu\.", page)
    assert "Huna kozi inayoendelea." in page
