"""The dashboard's parts are rendered once for what they show (home.parts, wired4ex.pagecache):
the same page as rendered anew in every state, each member sees their own figures and courses,
and a new ledger entry, a finished module, a membership change, another day or a language switch
shows on the next request."""

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from tests.conftest import Auth, submit
from tests.learning.conftest import COURSE_URL, QUIZ_URL, READING_MODULE, READING_URL
from tests.learning.test_dashboard_queries import count_queries
from wired4ex import pagecache
from wired4ex.cpd.policy import load_policy
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.timeutil import local_today

CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
OTHER_URL = "/courses/demo-uni/planning/"


def page(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return CSRF.sub(r"\1", response.get_data(as_text=True))


def the_same_kept_and_anew(app, client) -> str:
    first = page(client)
    assert page(client) == first  # kept
    app.extensions.pop(pagecache.EXTENSION, None)
    assert page(client) == first  # rendered again
    return first


def big_number(html: str) -> str:
    found = re.search(r'<p class="big-number">([^<]+)<span class="unit">([^<]+)</span>', html)
    return f"{found.group(1).strip()} {found.group(2).strip()}"


def titles(html: str) -> list[str]:
    """The course cards' titles, in order (in progress, then completed)."""
    return re.findall(r'<li class="card">\s*<h3><a href="[^"]+">([^<]+)</a></h3>', html)


def add_points(user_id: int, points: str, category: str = "structured") -> None:
    db.session.add(
        LedgerEntry(user_id=user_id, points=Decimal(points), category=category, source="claim",
                    activity_date=local_today(), title="A workshop", provider="HeSMA",
                    competencies=[])
    )  # fmt: skip
    db.session.commit()


def enrol(client, url: str = COURSE_URL) -> None:
    assert submit(client, url + "enrol", {}, page=url).status_code == 302
    client.get(url)  # the flash is shown here, not on the pages compared


def finish(client, url: str) -> None:
    client.get(url)
    submit(client, url + "/complete", {}, page=url, follow_redirects=True)


def add_second_course(course_tree) -> None:
    other = course_tree.course.parent / "planning"
    other.mkdir()
    (other / "course.md").write_text("---\ntitle: Planning for managers\nsummary: S.\n---\nO.\n")
    (other / "01-reading.md").write_text(READING_MODULE)
    course_tree.sync()


def membership_of(user) -> Membership:
    return db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))


def test_the_kept_page_is_the_page_rendered_anew(app, client, make_user, course_tree, course):
    """In each state the page shows (the banners, the standing, resume, in progress, completed,
    modules added since), in both languages: what is kept is what would be rendered."""
    auth = Auth(client)
    for language in ("en", "sw"):
        member = make_user(email=f"learner.{language}@example.org", language=language)
        auth.login(f"learner.{language}@example.org", follow_redirects=True)
        nothing = the_same_kept_and_anew(app, client)
        assert not titles(nothing) and "big-number" in nothing
        enrol(client)
        add_points(member.id, "2.5", "association")
        client.get(READING_URL)
        started = the_same_kept_and_anew(app, client)
        assert titles(started) == ["Budgets for managers"] and 'class="card resume"' in started
        finish(client, READING_URL)
        finish(client, QUIZ_URL)  # opened, not passed: the quiz is not taken
        membership = membership_of(member)
        membership.renews_on = local_today() + timedelta(days=10)
        db.session.commit()
        due = the_same_kept_and_anew(app, client)
        assert due != started and 'class="banner banner-important' in due
        membership.renews_on = local_today() - timedelta(days=400)
        db.session.commit()
        lapsed = the_same_kept_and_anew(app, client)
        assert 'class="banner banner-error' in lapsed
        db.session.delete(membership_of(member))
        db.session.commit()
        the_same_kept_and_anew(app, client)
        auth.logout()


def test_a_completed_course_and_its_new_modules(app, client, make_user, course_tree, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    course_tree.remove("01-budgets-in-practice.md")  # one module left, without a quiz
    course_tree.sync()
    finish(client, READING_URL)
    completed = the_same_kept_and_anew(app, client)
    assert titles(completed) == ["Budgets for managers"] and "Completed on " in completed
    assert "new module added" not in completed
    course_tree.write("03-more.md", READING_MODULE.replace("without a check", "more"))
    course_tree.sync()
    added = the_same_kept_and_anew(app, client)
    assert "1 new module added since you finished." in added


def test_each_member_sees_their_own_figures_and_courses(
    app, client, make_user, course_tree, course
):
    add_second_course(course_tree)
    auth = Auth(client)
    first = make_user(email="first@example.org")
    second = make_user(email="second@example.org", category="student")
    add_points(first.id, "7")
    auth.login("first@example.org", follow_redirects=True)
    enrol(client)
    finish(client, READING_URL)
    mine = page(client)
    assert big_number(mine) == "8 of 40 points"  # 7 and the module's 1
    assert titles(mine) == ["Budgets for managers"]
    assert "1 of 2 modules complete" in mine
    auth.logout()
    auth.login("second@example.org", follow_redirects=True)
    theirs = page(client)  # nothing of the first member's
    assert big_number(theirs) == "0 of 10 points" and titles(theirs) == []
    assert "Budgets for managers" not in theirs and "modules complete" not in theirs
    enrol(client, OTHER_URL)
    add_points(second.id, "3")
    theirs = page(client)
    assert big_number(theirs) == "3 of 10 points" and titles(theirs) == ["Planning for managers"]
    assert "0 of 1 module complete" in theirs and "Budgets for managers" not in theirs
    auth.logout()
    auth.login("first@example.org", follow_redirects=True)
    assert page(client) == mine


def test_members_share_a_part_only_when_it_reads_the_same(
    app, client, make_user, course_tree, course
):
    auth = Auth(client)
    one, _two = (make_user(email=email) for email in ("one@example.org", "two@example.org"))

    def kept(name: str) -> int:
        with app.app_context():
            return pagecache.kept(name)

    counts = []
    for email in ("one@example.org", "two@example.org"):
        auth.login(email, follow_redirects=True)  # the dashboard: no points, no course
        enrol(client)
        finish(client, READING_URL)
        assert big_number(page(client)) == "1 of 40 points"
        counts.append((kept("dashboard-top"), kept("dashboard-course")))
        auth.logout()
    assert counts == [(2, 1), (2, 1)]  # the second member's page reads the same: nothing new
    auth.login("one@example.org", follow_redirects=True)
    add_points(one.id, "1")
    assert big_number(page(client)) == "2 of 40 points"
    assert (kept("dashboard-top"), kept("dashboard-course")) == (3, 1)


def test_equal_points_written_differently_are_not_shared(app, client, make_user, course):
    """The progress bar writes the points as they are: 20 counted of a capped category is
    "20", twenty points within the cap "20.0" (equal numbers, another page)."""
    auth = Auth(client)
    pages = {}
    for email, points in (("capped@example.org", "10 10 5"), ("within@example.org", "10 10")):
        member = make_user(email=email)
        for each in points.split():
            add_points(member.id, each, "conference")
        auth.login(email, follow_redirects=True)
        pages[email] = page(client)
        assert big_number(pages[email]) == "20 of 40 points"
        app.extensions.pop(pagecache.EXTENSION, None)
        assert page(client) == pages[email]  # as rendered anew
        auth.logout()
    values = [
        re.search(r'<progress max="40" value="([^"]+)"', html).group(1) for html in pages.values()
    ]
    assert values[0] != values[1]


def test_completed_the_same_moment_with_other_modules_done(
    app, client, make_user, course_tree, course
):
    """Two members who completed a course at the same moment, one of them with the module added
    since done too: each sees their own count of new modules."""
    course_tree.remove("01-budgets-in-practice.md")
    course_tree.sync()
    auth = Auth(client)
    ids = []
    for email in ("ahead@example.org", "behind@example.org"):
        ids.append(make_user(email=email).id)
        auth.login(email, follow_redirects=True)
        enrol(client)
        finish(client, READING_URL)
        auth.logout()
    course_tree.write("03-more.md", READING_MODULE.replace("without a check", "more"))
    course_tree.sync()
    moment = db.session.scalar(
        sa.select(CourseCompletion.completed_at).where(CourseCompletion.user_id == ids[0])
    )
    db.session.execute(
        sa.update(CourseCompletion)
        .where(CourseCompletion.user_id == ids[1])
        .values(completed_at=moment)
    )
    db.session.commit()
    auth.login("ahead@example.org", follow_redirects=True)
    finish(client, COURSE_URL + "more")
    ahead = page(client)
    assert "Completed on " in ahead and "new module added" not in ahead
    auth.logout()
    auth.login("behind@example.org", follow_redirects=True)
    assert "1 new module added since you finished." in page(client)


def test_a_change_shows_on_the_next_request(app, client, make_user, course_tree, course):
    member = make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    before = page(client)
    assert big_number(before) == "0 of 40 points" and "0 of 2 modules complete" in before
    add_points(member.id, "4.5")
    assert big_number(page(client)) == "4.5 of 40 points"  # a new ledger entry
    finish(client, READING_URL)
    assert "1 of 2 modules complete" in page(client)  # a module finished
    assert big_number(page(client)) == "5.5 of 40 points"
    membership = membership_of(member)
    membership.renews_on = local_today() + timedelta(days=10)
    db.session.commit()
    assert "Your membership is due for renewal on" in page(client)  # a membership change
    membership.category = "student"
    db.session.commit()
    assert big_number(page(client)) == "5.5 of 10 points"
    db.session.delete(membership)
    db.session.commit()
    html = page(client)
    assert "You do not hold a membership yet" in html and big_number(html) == "5.5 points counted"


def test_another_day_shows_the_days_left(app, client, make_user, course, monkeypatch):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    days = re.compile(r'<p class="days-left">(\d+) days? left')
    policy, today = load_policy(), local_today()
    assert int(days.search(page(client)).group(1)) == (policy.cycle_for(today).end - today).days
    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr("wired4ex.home.views.local_today", lambda: tomorrow)
    left = (policy.cycle_for(tomorrow).end - tomorrow).days
    assert int(days.search(page(client)).group(1)) == left


def test_a_language_switch_shows_at_once(app, client, make_user, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    english = page(client)
    assert "Your CPD this cycle" in english and "Courses in progress" in english
    submit(client, "/language", {"language": "sw", "next": "/dashboard"}, page="/dashboard")
    swahili = page(client)
    assert "CPD yako katika mzunguko huu" in swahili and "Your CPD this cycle" not in swahili
    assert "Budgets for managers" in swahili
    submit(client, "/language", {"language": "en", "next": "/dashboard"}, page="/dashboard")
    assert page(client) == english


def test_a_kept_page_reads_the_member_and_one_statement(app, client, make_user, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    page(client)
    with count_queries() as statements:
        page(client)
    assert len(statements) == 2  # the member with the content version; their records


def test_links_follow_the_url_root(app, client, make_user, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    assert 'href="/courses/demo-uni/budgets/"' in page(client)
    mounted = client.get("/dashboard", base_url="http://localhost/w4x").get_data(as_text=True)
    assert 'href="/w4x/courses/demo-uni/budgets/"' in mounted
    assert 'href="/w4x/cpd/claims/new"' in mounted and 'href="/cpd/' not in mounted
