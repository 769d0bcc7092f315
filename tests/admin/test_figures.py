"""The figures the secretariat reports, against the known fixture (see conftest.figures)."""

import csv
import io
import re

from tests.admin.conftest import login
from tests.conftest import page_scripts
from wired4ex.admin import course_reports, reports
from wired4ex.auth.models import User
from wired4ex.cpd.policy import load_policy
from wired4ex.cpd.services import member_summary
from wired4ex.extensions import db
from wired4ex.timeutil import local_today


def member_count(page: str) -> int:
    match = re.search(r'id="member-count"[^>]*>(\d+) members? found', page)
    assert match, page
    return int(match.group(1))


def csv_rows(response) -> list[dict]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_done_when_professional_members_in_kenya_who_met_the_target_last_year(app, figures):
    """The issue's question, answered from the member list, its export and the course report."""
    admin = login(app, "admin@example.org")
    base = f"/admin/members?category=professional&country=KE&cycle={figures.last_year}"
    page = admin.get(base + "&cpd=met").get_data(as_text=True)
    assert member_count(page) == 2
    assert "Amina Otieno" in page and "Brian Kiprop" in page and "Carol Wanjiru" not in page
    assert member_count(admin.get(base).get_data(as_text=True)) == 3
    assert member_count(admin.get(base + "&cpd=not_met").get_data(as_text=True)) == 1
    financing = f"&course={figures.financing.id}"
    met_and_completed = admin.get(base + "&cpd=met" + financing).get_data(as_text=True)
    assert member_count(met_and_completed) == 1 and "Amina Otieno" in met_and_completed
    assert member_count(admin.get(base + financing).get_data(as_text=True)) == 2

    exported = csv_rows(admin.get(base.replace("/members?", "/members.csv?") + "&cpd=met"))
    assert [row["full_name"] for row in exported] == ["Amina Otieno", "Brian Kiprop"]
    assert {row["cpd_status"] for row in exported} == {"met"}
    assert {row["cpd_cycle"] for row in exported} == {str(figures.last_year)}

    report = admin.get(
        f"/admin/courses/{figures.financing.id}?country=KE&category=professional"
    ).get_data(as_text=True)
    assert re.search(r"Enrolled learners</dt><dd>3<", report)
    assert re.search(r'id="completed-count">2<', report)
    everyone = admin.get(f"/admin/courses/{figures.financing.id}").get_data(as_text=True)
    assert re.search(r'id="completed-count">3<', everyone)


def test_this_cycle_differs_from_last(app, figures):
    admin = login(app, "admin@example.org")
    page = admin.get(
        f"/admin/members?category=professional&country=KE&cpd=met&cycle={figures.this_year}"
    ).get_data(as_text=True)
    assert member_count(page) == 1 and "Carol Wanjiru" in page


def test_sql_cpd_status_agrees_with_summarise_for_every_member(app, figures):
    policy = load_policy()
    for year in (figures.last_year, figures.this_year):
        cycle = policy.cycle_starting(year)
        users = list(db.session.scalars(db.select(User)))
        statuses = reports.cpd_statuses(policy, cycle, [u.id for u in users])
        for user in users:
            summary = member_summary(policy, user, cycle, local_today())
            expected = "exempt" if summary.exempt else "met" if summary.target_met else "not_met"
            assert statuses[user.id] == expected, (user.full_name, year)


def test_compliance_per_membership_category(app, figures):
    policy = load_policy()
    rows = {r.category: r for r in reports.compliance(
        policy, policy.cycle_starting(figures.last_year), local_today())}  # fmt: skip
    assert (rows["professional"].members, rows["professional"].met) == (4, 3)
    assert rows["professional"].share == 75
    assert (rows["student"].members, rows["student"].met, rows["student"].share) == (1, 1, 100)
    assert rows["honorary"].exempt and rows["honorary"].members == 2
    assert rows["associate"].members == 0 and rows["associate"].share is None


def test_dashboard_numbers_for_last_year(app, figures):
    admin = login(app, "admin@example.org")
    response = admin.get(f"/admin/dashboard?year={figures.last_year}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"In {figures.last_year}: 5 enrolments and 3 course completions." in page
    last = figures.last_year
    months = {
        r["month"]: r for r in csv_rows(admin.get(f"/admin/dashboard/months.csv?year={last}"))
    }
    assert len(months) == 12
    assert (months[f"{last}-01"]["enrolments"], months[f"{last}-01"]["completions"]) == ("1", "0")
    assert (months[f"{last}-02"]["enrolments"], months[f"{last}-02"]["completions"]) == ("3", "0")
    assert (months[f"{last}-03"]["enrolments"], months[f"{last}-03"]["completions"]) == ("1", "2")
    assert (months[f"{last}-04"]["enrolments"], months[f"{last}-04"]["completions"]) == ("0", "1")
    courses = {
        r["key"]: r for r in csv_rows(admin.get(f"/admin/dashboard/courses.csv?year={last}"))
    }
    financing = courses["lake-region-university/health-financing"]
    assert (financing["enrolments"], financing["completions"]) == ("4", "3")
    leadership = courses["lake-region-university/county-health-leadership"]
    assert (leadership["enrolments"], leadership["completions"]) == ("1", "0")
    institutions = {r["key"]: r for r in csv_rows(
        admin.get(f"/admin/dashboard/institutions.csv?year={last}"))}  # fmt: skip
    assert (institutions["lake-region-university"]["enrolments"],
            institutions["lake-region-university"]["completions"]) == ("5", "3")  # fmt: skip
    assert institutions["eaihm"]["enrolments"] == "0"
    countries = {r["key"]: r for r in csv_rows(
        admin.get(f"/admin/dashboard/countries.csv?year={last}"))}  # fmt: skip
    assert (countries["KE"]["name"], countries["KE"]["enrolments"],
            countries["KE"]["completions"]) == ("Kenya", "4", "2")  # fmt: skip
    assert (countries["UG"]["enrolments"], countries["UG"]["completions"]) == ("1", "1")
    compliance = {r["membership_category"]: r for r in csv_rows(
        admin.get(f"/admin/dashboard/compliance.csv?year={last}"))}  # fmt: skip
    assert compliance["professional"]["share_percent"] == "75"
    assert compliance["honorary"]["met_target"] == "exempt"
    this_year = admin.get("/admin/dashboard").get_data(as_text=True)
    assert f"In {figures.this_year}: 0 enrolments and 0 course completions." in this_year


def test_dashboard_has_a_chart_and_a_table_for_every_figure(app, figures):
    page = login(app, "admin@example.org").get(f"/admin/dashboard?year={figures.last_year}")
    html = page.get_data(as_text=True)
    for name in ("months", "courses", "institutions", "countries", "compliance"):
        assert f'id="chart-{name}"' in html and f'id="table-{name}"' in html
        assert f'aria-labelledby="chart-{name}-title"' in html
    # No certificate in the figures: the chart is a sentence, the table stays.
    assert (
        f'<p class="chart-empty" id="chart-certificates">No certificates were issued in '
        f"{figures.last_year} and none expire in the next 90 days.</p>" in html
    )
    assert 'id="table-certificates"' in html
    # Month names, not 2025-03, in the chart and the table.
    assert f"{figures.last_year}-03" not in html
    assert '<span class="bar-label">March</span>' in html
    assert f'<th scope="row">March {figures.last_year}</th>' in html
    assert page_scripts(html) == []


def test_dashboard_leads_with_the_headline_figures(app, figures):
    from flask_babel import force_locale

    html = login(app, "admin@example.org").get(f"/admin/dashboard?year={figures.last_year}")
    html = html.get_data(as_text=True)
    headlines = html.split('id="headlines-title"')[1].split("</section>")[0]
    found = dict(
        re.findall(r'<span class="stat-label">(?:<a[^>]*>)?([^<]+)(?:</a>)?</span> '
                   r'<strong class="big-number">([^<]+)</strong>', headlines)
    )  # fmt: skip
    assert list(found) == ["Active members", "Enrolments", "Course completions",
                           "CPD points awarded", "Claims waiting", "Members on track"]  # fmt: skip
    assert found["Enrolments"] == "5" and found["Course completions"] == "3"
    assert int(found["Active members"]) >= 5 and found["Claims waiting"] == "0"
    assert html.index('id="headlines-title"') < html.index('id="queue-title"')
    with force_locale("sw"):
        from wired4ex.admin.headlines import month_name

        assert month_name("2026-01") == "Januari 2026" and month_name("nope") == "nope"


def test_question_pass_rates_per_question(app, figures):
    rows = course_reports.question_rows(figures.financing)
    module_rows = [r for r in rows if r.module == figures.quiz_module.current_version.title]
    assert len(module_rows) == len(figures.quiz_module.current_version.quiz)
    assert (module_rows[0].attempts, module_rows[0].correct, module_rows[0].pass_rate) == (2, 1, 50)
    assert all((r.attempts, r.pass_rate) == (2, 100) for r in module_rows[1:])
    page = login(app, "admin@example.org").get(f"/admin/courses/{figures.financing.id}")
    html = page.get_data(as_text=True)
    # Two attempts are too few to show a question's share (from 5 on); the module's pass rate shows
    assert "50% (1)" not in html and "too few attempts" in html
    assert 'id="table-checks"' in html and "100% (2)" in html


def test_members_on_track_at_the_end_of_a_cycle_are_those_who_met_the_target(app, figures):
    """After a cycle, "on track" is "met the target" (caps, minimums and maximums applied); the
    same count as the compliance table, by a different query."""
    from wired4ex.admin.headlines import on_track

    policy = load_policy()
    cycle = policy.cycle_starting(figures.last_year)
    after = cycle.end.replace(year=cycle.end.year + 1)
    rows = reports.compliance(policy, cycle, after)
    tracked, with_target = on_track(policy, cycle, after)
    assert tracked == sum(row.met for row in rows if not row.exempt) and tracked > 0
    assert with_target == sum(row.members for row in rows if not row.exempt)
    # Before the cycle starts nobody needs a point yet: everyone with a target is on track.
    before = cycle.start.replace(year=cycle.start.year - 1)
    assert on_track(policy, cycle, before) == (with_target, with_target)
