"""Language editions: switching, shared progress, and CPD points earned once per module pair."""

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from tests.catalog.conftest import Page
from tests.conftest import submit
from tests.learning.conftest import COURSE_URL, QUIZ_URL, READING_URL
from wired4ex.auth.models import User
from wired4ex.catalog.models import Course, Module
from wired4ex.extensions import db
from wired4ex.learning import services
from wired4ex.learning.models import CourseCompletion, Enrolment, LedgerEntry, ModuleCompletion

RIGHT = {"q1": ["q1a"], "q2": ["q2a", "q2b"]}
SW_COURSE_URL = "/courses/demo-uni/bajeti/"
SW_QUIZ_URL = "/courses/demo-uni/bajeti/budgets-in-practice"
SW_READING_URL = "/courses/demo-uni/bajeti/reading"

SW_COURSE = """---
title: Bajeti kwa wasimamizi
summary: Fedha na mipango.
language: sw
edition_of: demo-uni/budgets
---
Muhtasari.
"""
SW_QUIZ = """---
title: Bajeti kwa vitendo
id: budgets-in-practice
minutes: 30
cpd_points: 1.5
competencies: [FM1]
pass_mark: 50
---
## Kwa nini bajeti ni muhimu

Fedha hufuata mipango.

```quiz
? Hati ipi inaunganisha fedha na programu?
- [x] Bajeti inayozingatia programu
- [ ] Ratiba ya zamu
> Bajeti inayozingatia programu inaweka fedha kwa programu na matokeo yake.

? Vyanzo vipi ni vya mapato? (chagua vyote vinavyohusika)
- [x] Fedha kutoka Hazina
- [x] Makusanyo ya mfuko wa uboreshaji wa kituo
- [ ] Saa za ziada za watumishi
> Saa za ziada ni gharama, si mapato.
```
"""
SW_READING = """---
title: Kusoma bila jaribio
id: reading
minutes: 20
cpd_points: 1
competencies: [LG1]
min_read_minutes: 0
---
## Uongozi

Viongozi huonyesha mwelekeo.
"""


def write_edition(course_tree, modules=("quiz", "reading")) -> None:
    folder = course_tree.root / "institutions" / "demo-uni" / "bajeti"
    folder.mkdir(exist_ok=True)
    (folder / "course.md").write_text(SW_COURSE)
    if "quiz" in modules:
        (folder / "01-bajeti-kwa-vitendo.md").write_text(SW_QUIZ)
    if "reading" in modules:
        (folder / "02-kusoma.md").write_text(SW_READING)


@pytest.fixture
def editions(course_tree, course):
    """The demo course (English) and its Swahili edition, both synced."""
    write_edition(course_tree)
    course_tree.sync()
    return course_by_slug("budgets"), course_by_slug("bajeti")


def course_by_slug(slug: str) -> Course:
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def module_of(slug: str, key: str) -> Module:
    return db.session.scalar(
        sa.select(Module).join(Module.course).where(Course.slug == slug, Module.key == key)
    )


def count(model, **where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def pass_quiz(user, slug: str):
    target = module_of(slug, "budgets-in-practice")
    return services.submit_attempt(
        db.session.get(User, user.id),
        target,
        target.current_version,
        RIGHT,
        services.new_attempt_nonce(),
    )


def read_and_mark_done(user, slug: str) -> bool:
    target = module_of(slug, "reading")
    enrolment = services.get_enrolment(user.id, target.course_id)
    services.record_visit(user.id, enrolment.id, target.id)
    return services.mark_done(db.session.get(User, user.id), module_of(slug, "reading"))


def progress(user, slug: str):
    found = course_by_slug(slug)
    return services.course_progress(user.id, found, services.get_enrolment(user.id, found.id))


def test_completing_a_module_completes_its_pair_and_earns_the_points_once(make_user, editions):
    english, swahili = editions
    user = make_user()
    services.enrol(user, english)
    services.enrol(user, swahili)

    assert pass_quiz(user, "budgets").newly_completed is True
    assert progress(user, "budgets").done == progress(user, "bajeti").done == 1
    paired = db.session.scalar(
        sa.select(ModuleCompletion).where(
            ModuleCompletion.module_id == module_of("bajeti", "budgets-in-practice").id
        )
    )
    assert paired.via == "edition"

    # Passing the Swahili knowledge check afterwards records the attempt and nothing more.
    outcome = pass_quiz(user, "bajeti")
    assert outcome.passed and not outcome.newly_completed
    assert count(LedgerEntry, user_id=user.id) == 1
    entry = db.session.scalar(sa.select(LedgerEntry))
    assert (entry.title, entry.points) == ("Budgets in practice", Decimal("1.5"))

    # The reading module, this time from the Swahili side: both courses are then complete.
    assert read_and_mark_done(user, "bajeti") is True
    assert count(LedgerEntry, user_id=user.id) == 2
    assert count(CourseCompletion, user_id=user.id) == 2
    assert progress(user, "budgets").percent == progress(user, "bajeti").percent == 100


def test_an_edition_with_fewer_modules_is_complete_on_its_own(make_user, course_tree, course):
    write_edition(course_tree, modules=("quiz",))  # the Swahili edition has one module only
    course_tree.sync()
    user = make_user()
    services.enrol(user, course_by_slug("bajeti"))

    pass_quiz(user, "bajeti")

    completed = {c.course.slug for c in db.session.scalars(sa.select(CourseCompletion))}
    assert completed == {"bajeti"}  # the English edition still has its reading module to do
    assert progress(user, "budgets").done == 1


def test_points_earned_before_the_editions_were_linked_are_not_earned_again(
    make_user, course_tree, course
):
    user = make_user()
    services.enrol(user, course)
    pass_quiz(user, "budgets")  # no Swahili edition yet
    write_edition(course_tree)
    course_tree.sync()
    services.enrol(user, course_by_slug("bajeti"))

    outcome = pass_quiz(user, "bajeti")  # the pair has no completion of its own yet

    assert outcome.newly_completed is True
    assert count(ModuleCompletion, user_id=user.id) == 2
    assert count(LedgerEntry, user_id=user.id) == 1


def test_parallel_completions_of_both_modules_of_a_pair_earn_the_points_once(
    app, make_user, editions
):
    english, swahili = editions
    user = make_user()
    for edition in (english, swahili):
        services.enrol(user, edition)
        reading = module_of(edition.slug, "reading")
        services.record_visit(user.id, services.get_enrolment(user.id, edition.id).id, reading.id)
    user_id = user.id
    module_ids = [module_of("budgets", "reading").id, module_of("bajeti", "reading").id]
    db.session.remove()
    barrier = threading.Barrier(20)
    results, errors = [], []

    def worker(module_id):
        with app.app_context():
            try:
                member = db.session.get(User, user_id)
                target = db.session.get(Module, module_id)
                target.course.other_edition  # noqa: B018 (load before the race)
                db.session.commit()  # hand the connection back while waiting: the pool is finite
                barrier.wait(timeout=30)
                results.append(services.mark_done(member, target))
            except Exception as error:  # collected and asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(module_ids[i % 2],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False] * 19 + [True]
    assert count(ModuleCompletion) == 2
    assert count(LedgerEntry) == 1


def test_either_edition_of_a_prerequisite_will_do(make_user, course_tree, editions):
    english, swahili = editions
    user = make_user()
    services.enrol(user, swahili)
    pass_quiz(user, "bajeti")
    read_and_mark_done(user, "bajeti")
    # A later course requires the English edition; the Swahili one was completed.
    later = course_tree.root / "institutions" / "demo-uni" / "later"
    later.mkdir()
    (later / "course.md").write_text(
        "---\ntitle: Later\nsummary: Next.\nprerequisites: [demo-uni/budgets]\n---\nText.\n"
    )
    (later / "01-next.md").write_text("---\ntitle: Next\n---\nText.\n")
    course_tree.sync()

    assert services.missing_prerequisites(user.id, course_by_slug("later")) == []


# -- the pages ---------------------------------------------------------------------------------


def edition_links(html: str) -> list[tuple[str, str, str]]:
    """(href, lang, text) of the links to another edition."""
    page = Page(html, "p", "edition-switch")
    hrefs = [
        (attrs["href"], attrs.get("lang"))
        for tag, attrs in page.elements
        if tag == "a" and attrs.get("hreflang")
    ]
    return [
        (href, lang, " ".join(text)) for (href, lang), text in zip(hrefs, page.blocks, strict=True)
    ]


def read_swahili() -> str:
    """The link to a Swahili edition, in Swahili on every page (read_swahili())."""
    with force_locale("sw"):
        return gettext("Read the Swahili edition")


def test_each_course_page_links_to_the_other_edition_in_its_language(client, editions):
    assert edition_links(client.get(COURSE_URL).get_data(as_text=True)) == [
        (SW_COURSE_URL, "sw", read_swahili())
    ]
    assert edition_links(client.get(SW_COURSE_URL).get_data(as_text=True)) == [
        (COURSE_URL, "en", "Read the English edition")
    ]


def test_the_catalogue_links_each_edition_to_the_other(client, editions):
    links = edition_links(client.get("/").get_data(as_text=True))
    assert (SW_COURSE_URL, "sw", read_swahili()) in links
    assert (COURSE_URL, "en", "Read the English edition") in links


def test_switching_edition_on_a_module_page_keeps_the_progress(client, auth, make_user, editions):
    user = make_user(email="learner@example.org")
    auth.login("learner@example.org")
    submit(client, COURSE_URL + "enrol", {}, page=COURSE_URL)
    page = client.get(READING_URL).get_data(as_text=True)
    assert edition_links(page) == [(SW_READING_URL, "sw", read_swahili())]
    submit(client, READING_URL + "/complete", {}, page=READING_URL)

    # Following the link enrols the member in the Swahili edition, where the module is done.
    page = client.get(SW_READING_URL)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Viongozi huonyesha mwelekeo." in text
    assert "Completed" in text
    assert edition_links(text) == [(READING_URL, "en", "Read the English edition")]
    assert count(Enrolment, user_id=user.id, status="active") == 2
    assert "1 of 2 modules complete" in client.get(SW_COURSE_URL).get_data(as_text=True)
    assert count(LedgerEntry, user_id=user.id) == 1


def test_a_module_without_a_pair_has_no_switch_link(client, auth, make_user, course_tree, course):
    write_edition(course_tree, modules=("quiz",))
    course_tree.sync()
    make_user(email="learner@example.org")
    auth.login("learner@example.org")
    submit(client, COURSE_URL + "enrol", {}, page=COURSE_URL)

    assert edition_links(client.get(READING_URL).get_data(as_text=True)) == []
    assert edition_links(client.get(QUIZ_URL).get_data(as_text=True)) == [
        (SW_QUIZ_URL, "sw", read_swahili())
    ]


def test_a_visitor_who_follows_no_edition_is_not_enrolled_by_the_link(
    client, auth, make_user, editions
):
    make_user(email="visitor@example.org")
    auth.login("visitor@example.org")

    response = client.get(SW_READING_URL)

    assert response.status_code == 302 and response.headers["Location"] == SW_COURSE_URL
    assert count(Enrolment) == 0
