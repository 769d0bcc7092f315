"""The catalogue, course and module pages, as a visitor, a member and an admin see them."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.catalog.conftest import COURSE, Page, lines
from tests.conftest import ROOT, submit
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Module
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db

QI = "/courses/eaihm/quality-improvement/"


def cards(html: str) -> dict[str, list[str]]:
    """Course title -> the texts of its card in the catalogue."""
    return {block[0]: block for block in Page(html, "li", "card").blocks}


def points_text(points: Decimal) -> str:
    return f"{points.normalize():f}"


@pytest.fixture(scope="module")
def real_tree():
    tree = load_content(ROOT / "content")
    assert tree.problems == []
    return tree


# -- the catalogue -------------------------------------------------------------------------------


def test_catalogue_lists_every_sample_course_with_its_figures(client, synced_content, real_tree):
    page = client.get("/")

    assert page.status_code == 200
    shown = cards(page.get_data(as_text=True))
    assert sorted(shown) == sorted(course.title for course in real_tree.courses)
    for course in real_tree.courses:
        card = shown[course.title]
        minutes = sum(module.minutes for module in course.modules)
        points = sum((module.cpd_points for module in course.modules), Decimal("0"))
        assert f"{len(course.modules)} modules" in card
        assert f"{minutes} minutes" in card
        assert f"{points_text(points)} CPD points" in card
        assert {"en": "English", "sw": "Kiswahili"}[course.language] in card
    assert "5 courses" in page.get_data(as_text=True)


def test_catalogue_links_each_course_to_its_page(client, synced_content, real_tree):
    links = Page(client.get("/").get_data(as_text=True)).links()

    for course in real_tree.courses:
        url = f"/courses/{course.institution}/{course.slug}/"
        assert url in links
        assert client.get(url).status_code == 200


QUALITY = "Quality Improvement and Patient Safety"
TAKWIMU = "Takwimu kwa Maamuzi ya Afya"
UBORA = "Uboreshaji wa Ubora wa Huduma na Usalama wa Wagonjwa"  # Swahili edition of QUALITY
LEADERSHIP = "Leadership and Governance in County Health Systems"
FINANCING = "Health Financing for County Managers"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("institution=eaihm", {QUALITY, TAKWIMU, UBORA}),
        ("institution=lake-region-university", {LEADERSHIP, FINANCING}),
        ("language=sw", {TAKWIMU, UBORA}),
        ("language=en", {QUALITY, LEADERSHIP, FINANCING}),
        ("competency=FM1", {LEADERSHIP, FINANCING}),  # a module of the leadership course
        ("competency=FM2", {FINANCING}),
        ("competency=DI1", {TAKWIMU}),
        ("competency=QS2", {QUALITY}),  # the patient safety module is in English only
        ("competency=QS4", {QUALITY, LEADERSHIP}),
        ("institution=eaihm&language=en", {QUALITY}),
        ("institution=eaihm&competency=FM1", set()),
        ("institution=eaihm&language=sw", {TAKWIMU, UBORA}),
        ("institution=&competency=&language=", {QUALITY, TAKWIMU, UBORA, LEADERSHIP, FINANCING}),
    ],
)
def test_catalogue_filters(client, synced_content, query, titles):
    page = client.get(f"/?{query}")

    assert page.status_code == 200
    assert set(cards(page.get_data(as_text=True))) == titles


def test_the_filter_form_keeps_the_chosen_values(client, synced_content):
    page = Page(
        client.get("/?institution=eaihm&language=sw&q=ubora&sort=title").get_data(as_text=True)
    )

    selected = [attrs.get("value") for tag, attrs in page.elements if "selected" in attrs]
    assert selected == ["eaihm", "sw", "title"]
    assert ("input", {"id": "q", "name": "q", "type": "search", "value": "ubora"}) in [
        (tag, {k: v for k, v in attrs.items() if k in ("id", "name", "type", "value")})
        for tag, attrs in page.elements
    ]


def test_the_competency_filter_offers_every_competency(client, synced_content, real_tree):
    page = Page(client.get("/").get_data(as_text=True))

    values = {attrs.get("value") for tag, attrs in page.elements if tag == "option"}
    framework = real_tree.policies["competencies"][0]["domains"]
    codes = {item["code"] for domain in framework for item in domain["competencies"]}
    assert codes <= values
    assert "Leadership and governance" not in values


UNKNOWN_FILTERS = [
    "institution=nowhere",
    "competency=ZZ9",
    "language=fr",
    "institution=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "competency=" + "x" * 5000,
    "language=en%27%20OR%201%3D1--",
    "institution=eaihm&language=xx",
    "competency=%C3%A9%E2%82%AC",
]
NUL_FILTERS = ["institution=%00", "competency=FM1%00", "language=e%00n"]


@pytest.mark.parametrize("query", UNKNOWN_FILTERS)
def test_unknown_filter_values_show_no_courses(client, synced_content, query):
    page = client.get(f"/?{query}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert cards(text) == {}
    assert "0 courses" in text
    assert "No course matches these filters." in text
    assert "<script>alert(1)" not in text


@pytest.mark.parametrize("query", NUL_FILTERS)
def test_nul_bytes_in_filters_are_a_bad_request(client, synced_content, query):
    page = client.get(f"/?{query}")

    assert page.status_code == 400
    assert "Bad request" in page.get_data(as_text=True)


def test_empty_catalogue_says_so(client):
    page = client.get("/")

    assert page.status_code == 200
    assert cards(page.get_data(as_text=True)) == {}
    assert "0 courses" in page.get_data(as_text=True)


def test_draft_courses_are_not_listed_or_shown(client, make_content):
    folder = make_content()
    text = folder.read(f"{COURSE}/course.md")
    folder.write(f"{COURSE}/course.md", text.replace("language: en", "language: en\nstatus: draft"))
    sync_content(folder.load())

    assert cards(client.get("/").get_data(as_text=True)) == {}
    assert client.get("/courses/acme/basics/").status_code == 404
    assert client.get("/courses/acme/basics/media/cycle.png").status_code == 404


# -- the course page -------------------------------------------------------------------------------


def test_course_page_shows_the_course_and_its_modules(client, synced_content, real_tree):
    (source,) = [c for c in real_tree.courses if c.key == "eaihm/quality-improvement"]

    page = client.get(QI)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"<h1>{source.title}</h1>" in html
    assert "East African Institute of Health Management" in html
    assert '<h2 id="who-this-course-is-for">Who this course is for</h2>' in html
    module_list = Page(html, "ol", "module-list").blocks[0]
    titles = [m.title for m in source.modules]
    assert [text for text in module_list if text in titles] == titles
    assert "45 min · 1 CPD point · knowledge check" in module_list
    assert "Dr Neema Mwakalinga" in html
    assert "Before this course" not in html


def test_course_page_shows_prerequisites(client, make_content):
    folder = make_content()
    folder.write(
        "institutions/acme/advanced/course.md",
        lines(
            "---",
            "title: Advanced Budgeting",
            "summary: Beyond the basics.",
            "prerequisites:",
            "  - acme/basics",
            "---",
        ),
    )
    folder.write("institutions/acme/advanced/01-more.md", lines("---", "title: More", "---"))
    sync_content(folder.load())

    html = client.get("/courses/acme/advanced/").get_data(as_text=True)

    assert "Before this course" in html
    assert '<a href="/courses/acme/basics/">Budget Basics</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        "/courses/eaihm/no-such-course/",
        "/courses/no-such-institution/quality-improvement/",
        "/courses/lake-region-university/quality-improvement/",
        "/courses/eaihm/quality-improvement/media/no-such-image.png",
        "/courses/eaihm/quality-improvement/media/../course.md",
    ],
)
def test_unknown_courses_and_images_are_404(client, synced_content, url):
    assert client.get(url).status_code == 404


# -- the module page -------------------------------------------------------------------------------


def current_quiz(key: str) -> list[dict]:
    """The stored quiz of a module's current version, with its right answers."""
    found = db.session.scalar(sa.select(Module).where(Module.key == key))
    return found.current_version.quiz


def quiz_texts(page: str) -> list[str]:
    return Page(page, "section", "quiz").blocks[0]


def assert_no_answer_leaks(html: str, quiz: list[dict]) -> None:
    """Nothing on the page tells which options are right: no JSON field, no checked box,
    no explanation, no difference between the markup of right and wrong options."""
    assert '"correct"' not in html
    assert "right answer" not in html and "[x]" not in html
    page = Page(html)
    assert [a for t, a in page.elements if t == "input" and "checked" in a] == []
    for question in quiz:
        if question["explanation"]:
            assert question["explanation"] not in html
    own_words = {q["text"] for q in quiz} | {o["text"] for q in quiz for o in q["options"]}
    for text in quiz_texts(html):
        for words in sorted(own_words, key=len, reverse=True):
            text = text.replace(words, "")  # the author's own wording may say "correct"
        assert "correct" not in text.lower() and "right" not in text.lower(), text


def test_module_page_shows_content_contents_and_pager(admin_client, synced_content):
    url = QI + "improvement-cycles"

    response = admin_client.get(url)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Improvement Cycles: The Model for Improvement, PDSA and Run Charts</h1>" in html
    assert "Module 2 of 4" in html
    toc = Page(html, "nav", "toc").blocks[0]
    assert "On this page" in toc
    assert len(toc) > 3
    toc_links = [href for href in Page(html).links() if href and href.startswith("#")]
    for anchor in toc_links[:5]:
        assert f'id="{anchor[1:]}"' in html
    assert '<img alt="' in html and 'src="media/pdsa-cycle.png"' in html
    assert "<table>" in html
    assert '<div class="admonition tip">' in html
    assert 'class="footnote-ref" href="#fn:1"' in html
    pager = Page(html)
    prev = [a["href"] for t, a in pager.elements if t == "a" and a.get("rel") == "prev"]
    following = [a["href"] for t, a in pager.elements if t == "a" and a.get("rel") == "next"]
    assert prev == [QI + "what-is-quality"]
    assert following == [QI + "patient-safety"]


def test_module_preview_shows_questions_but_not_answers(admin_client, synced_content):
    quiz = current_quiz("what-is-quality")
    html = admin_client.get(QI + "what-is-quality").get_data(as_text=True)

    texts = quiz_texts(html)
    for question in quiz:
        assert question["text"] in texts
        for option in question["options"]:
            assert option["text"] in texts
    assert_no_answer_leaks(html, quiz)


def test_enrolled_member_sees_the_quiz_form_without_answers(
    client, auth, make_user, synced_content
):
    member = make_user()
    auth.login(member.email)
    enrolled = submit(client, QI + "enrol", {}, page=QI)
    assert enrolled.status_code == 302
    quiz = current_quiz("what-is-quality")

    html = client.get(QI + "what-is-quality").get_data(as_text=True)

    page = Page(html)
    inputs = [
        a for t, a in page.elements if t == "input" and a.get("type") in {"radio", "checkbox"}
    ]
    options = [o for q in quiz for o in q["options"]]
    assert len(inputs) == len(options)
    assert {a["value"] for a in inputs} == {o["id"] for o in options}
    by_value = {a["value"]: a for a in inputs}
    for question in quiz:
        # right and wrong options of a question have the very same markup but for id and value
        shapes = {
            frozenset((k, v) for k, v in by_value[o["id"]].items() if k not in {"id", "value"})
            for o in question["options"]
        }
        assert len(shapes) == 1, shapes
    assert_no_answer_leaks(html, quiz)


def test_module_pages_of_the_first_and_last_module(admin_client, synced_content):
    first = Page(admin_client.get(QI + "what-is-quality").get_data(as_text=True))
    last = Page(admin_client.get(QI + "standards-and-client-voice").get_data(as_text=True))

    assert [a for t, a in first.elements if t == "a" and a.get("rel") == "prev"] == []
    assert [a["href"] for t, a in first.elements if a.get("rel") == "next"] == [
        QI + "improvement-cycles"
    ]
    assert [a for t, a in last.elements if t == "a" and a.get("rel") == "next"] == []
    assert [a["href"] for t, a in last.elements if a.get("rel") == "prev"] == [
        QI + "patient-safety"
    ]


@pytest.mark.parametrize(
    "url",
    [
        QI + "no-such-module",
        "/courses/eaihm/no-such-course/what-is-quality",
        "/courses/lake-region-university/health-financing/what-is-quality",
    ],
)
def test_unknown_modules_are_404(admin_client, synced_content, url):
    assert admin_client.get(url).status_code == 404
