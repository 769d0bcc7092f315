"""The course page's parts made of content are rendered once per content version and language,
and an enrolled member's module list once per set of module states (wired4ex.pagecache): the same
page as rendered anew, each member sees their own progress, and a sync, a member's progress or a
language switch shows on the next request."""

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import Auth, submit
from tests.learning.conftest import COURSE_URL, QUIZ_URL, READING_MODULE, READING_URL
from tests.learning.test_dashboard_queries import count_queries
from wired4ex import pagecache
from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.i18n import show_date
from wired4ex.learning.models import ModuleCompletion

CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def page(client, url: str = COURSE_URL, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return CSRF.sub(r"\1", response.get_data(as_text=True))


def states(html: str) -> list[str]:
    """The module list's status tags, in order."""
    return re.findall(r'<strong class="status [^"]*">([^<]+)</strong>', html)


def enrol(client) -> None:
    """Enrol through the course page (not following the way to the first module, which would
    start it), then see the page once: the flash is shown there, not on the pages compared."""
    assert submit(client, COURSE_URL + "enrol", {}, page=COURSE_URL).status_code == 302
    client.get(COURSE_URL)


def the_same_kept_and_anew(app, client, **headers) -> str:
    first = page(client, **headers)
    assert page(client, **headers) == first  # kept
    app.extensions.pop(pagecache.EXTENSION, None)
    assert page(client, **headers) == first  # rendered again
    return first


def test_the_kept_page_is_the_page_rendered_anew(app, client, make_user, course):
    for language in ("en", "sw"):  # a visitor
        html = the_same_kept_and_anew(app, client, **{"Accept-Language": language})
        assert "Progress:" not in html and "Leave this course" not in html
    auth = Auth(client)
    for language in ("en", "sw"):
        make_user(email=f"learner.{language}@example.org", language=language)
        auth.login(f"learner.{language}@example.org", follow_redirects=True)
        html = the_same_kept_and_anew(app, client)  # not enrolled: the enrol form
        assert f'action="{COURSE_URL}enrol"' in html and not states(html)
        enrol(client)
        before = the_same_kept_and_anew(app, client)  # enrolled, nothing done
        client.get(READING_URL)
        submit(client, READING_URL + "/complete", {}, page=READING_URL, follow_redirects=True)
        after = the_same_kept_and_anew(app, client)  # one module done
        assert len(states(before)) == len(states(after)) == 2
        assert states(before) != states(after)
        auth.logout()


def test_each_member_sees_their_own_progress(app, client, make_user, course):
    auth = Auth(client)
    make_user(email="done@example.org")
    make_user(email="starting@example.org")
    auth.login("done@example.org", follow_redirects=True)
    enrol(client)
    client.get(READING_URL)
    submit(client, READING_URL + "/complete", {}, page=READING_URL, follow_redirects=True)
    done = page(client)
    assert states(done)[0] == "Not started" and states(done)[1].startswith("Completed ")
    assert "1 of 2 modules complete" in done
    auth.logout()
    auth.login("starting@example.org", follow_redirects=True)
    enrol(client)
    starting = page(client)
    assert states(starting) == ["Not started", "Not started"]
    assert "0 of 2 modules complete" in starting
    client.get(QUIZ_URL)  # opened: in progress, on the next request
    assert states(page(client)) == ["In progress", "Not started"]
    auth.logout()
    visitor = page(client)
    assert not states(visitor) and "modules complete" not in visitor
    auth.login("done@example.org", follow_redirects=True)
    assert page(client) == done


def test_a_sync_shows_on_the_next_request(app, client, make_user, course_tree, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    visitor = app.test_client()
    for html in (page(client), page(visitor)):
        assert "Reading without a check" in html and "Budgets for managers" in html
    course_tree.write("02-reading.md", READING_MODULE.replace("without a check", "with no check"))
    (course_tree.course / "course.md").write_text(
        "---\ntitle: Budgets renamed\nsummary: Money and plans.\n---\nA new overview.\n"
    )
    course_tree.sync()
    for html in (page(client), page(visitor)):
        assert "Reading with no check" in html and "Reading without a check" not in html
        assert "Budgets renamed" in html and "Budgets for managers" not in html
        assert "A new overview." in html


def test_a_language_switch_shows_at_once(app, client, make_user, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    english = page(client)
    assert ">Modules</h2>" in english and states(english) == ["Not started", "Not started"]
    submit(
        client,
        "/language",
        {"language": "sw", "next": COURSE_URL},
        page=COURSE_URL,
        follow_redirects=True,
    )
    swahili = page(client)
    assert ">Moduli</h2>" in swahili and states(swahili) == ["Haijaanza", "Haijaanza"]
    submit(
        client,
        "/language",
        {"language": "en", "next": COURSE_URL},
        page=COURSE_URL,
        follow_redirects=True,
    )
    assert page(client) == english


def test_a_kept_page_reads_only_the_member_and_their_records(app, client, make_user, course):
    make_user(email="learner@example.org")
    Auth(client).login("learner@example.org", follow_redirects=True)
    enrol(client)
    page(client)
    with count_queries() as statements:
        page(client)
    assert len(statements) == 2  # the member with the content version; their records


def test_members_share_a_list_only_when_it_reads_the_same(app, client, make_user, course):
    auth = Auth(client)
    pages = {}
    for email in ("early@example.org", "late@example.org"):
        make_user(email=email)
        auth.login(email, follow_redirects=True)
        enrol(client)
        client.get(READING_URL)
        submit(client, READING_URL + "/complete", {}, page=READING_URL, follow_redirects=True)
        pages[email] = page(client)
        auth.logout()
    # Completed the same day: the same list.
    assert modules_part(pages["early@example.org"]) == modules_part(pages["late@example.org"])
    # One of them completed it a week ago: their list says so, the other's says today.
    db.session.execute(
        sa.update(ModuleCompletion)
        .where(ModuleCompletion.user_id == user_of("early@example.org"))
        .values(completed_at=utcnow() - timedelta(days=7))
    )
    db.session.commit()
    auth.login("early@example.org", follow_redirects=True)
    early = page(client)
    auth.logout()
    auth.login("late@example.org", follow_redirects=True)
    late = page(client)
    assert states(late) == states(pages["late@example.org"])
    assert states(early)[1] != states(late)[1]
    with app.test_request_context():
        assert states(early)[1] == "Completed " + show_date(utcnow() - timedelta(days=7))
        assert states(late)[1] == "Completed " + show_date(utcnow())


def modules_part(html: str) -> str:
    return html[html.index('<h2 id="modules-title">') : html.index("About this course")]


def user_of(email: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.email == email))
