"""Catalogue search (issue 16): one service function over SQLite FTS5 and PostgreSQL text
search, on the real content; the search box, sorting and cover images on the catalogue page."""

import re

import pytest

from wired4ex.catalog import search
from wired4ex.catalog.models import Course, CourseMedia
from wired4ex.extensions import db

LEADERSHIP = "Leadership and Governance in County Health Systems"
FINANCING = "Health Financing for County Managers"
QUALITY = "Quality Improvement and Patient Safety"
TAKWIMU = "Takwimu kwa Maamuzi ya Afya"
UBORA = "Uboreshaji wa Ubora wa Huduma na Usalama wa Wagonjwa"
CARD_TITLE = re.compile(r'<h2 lang="\w+"><a href="[^"]+">([^<]+)</a>')


def titles(client, **query) -> list[str]:
    page = client.get("/", query_string=query)
    assert page.status_code == 200
    return CARD_TITLE.findall(page.get_data(as_text=True))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("facility improvement", [FINANCING]),  # a module's title
        ("patient safety", [QUALITY]),  # the course title
        ("Lake Region", [LEADERSHIP, FINANCING]),  # the institution
        ("FM1", [LEADERSHIP, FINANCING]),  # a competency code
        ("takwimu", [TAKWIMU]),  # a Swahili course
        ("TAKWIMU maamuzi", [TAKWIMU]),  # any case, every word required
        ("zzzz", []),
    ],
)
def test_the_search_box_finds_courses_by_every_field(client, synced_content, words, expected):
    assert sorted(titles(client, q=words)) == sorted(expected)


def test_a_word_matches_as_a_prefix_and_the_title_match_comes_first(client, synced_content):
    found = titles(client, q="gover")
    assert found[0] == LEADERSHIP  # "Governance" in its title ranks above a competency name
    assert found == titles(client, q="governance")


@pytest.mark.parametrize(
    "words",
    ['" OR * NEAR(', "title:x AND", "a' OR 1=1 --", "^*:()", "x" * 5000, "🙂", "  "],
)
def test_search_syntax_in_the_box_is_only_words(client, synced_content, words):
    response = client.get("/", query_string={"q": words})
    assert response.status_code == 200  # never a 500, whatever the engine's query syntax


def test_search_terms_are_words_only():
    assert search.search_terms('Health "financing" OR gov*') == ["health", "financing", "or", "gov"]
    assert len(search.search_terms(" ".join(f"w{n}" for n in range(30)))) == search.MAX_TERMS


def test_nothing_found_says_what_to_do(client, synced_content):
    page = client.get("/", query_string={"q": "zzzz"}).get_data(as_text=True)
    assert "No course matches “zzzz”" in page and 'href="/">Show all courses</a>' in page


def test_search_combines_with_the_filters(client, synced_content):
    assert titles(client, q="usalama") == [UBORA]
    assert titles(client, q="usalama", language="en") == []
    assert sorted(titles(client, q="patient")) == [LEADERSHIP, QUALITY]
    assert titles(client, q="patient", institution="eaihm") == [QUALITY]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", sorted([LEADERSHIP, FINANCING, QUALITY, TAKWIMU, UBORA], key=str.casefold)),
    ],
)
def test_sort_by_title(client, synced_content, sort, expected):
    assert titles(client, sort=sort) == expected


def test_sort_by_cpd_points_and_newest(client, synced_content):
    by_points = titles(client, sort="points")
    points = {
        course.title: sum(
            (m.current_version.cpd_points for m in course.active_modules if m.current_version),
            0,
        )
        for course in db.session.query(Course).filter(Course.status == "published")
    }
    assert [points[title] for title in by_points] == sorted(points.values(), reverse=True)
    newest = db.session.query(Course).filter(Course.title == TAKWIMU).one()
    newest.created_at = newest.created_at.replace(year=2030)
    db.session.commit()
    assert titles(client, sort="newest")[0] == TAKWIMU
    assert titles(client, sort="nonsense") == titles(client)  # an unknown sort is ignored


def test_a_course_with_a_cover_image_shows_it_on_its_card(client, synced_content, app):
    course = db.session.query(Course).filter(Course.title == FINANCING).one()
    png = (app.root_path + "/static/logo.svg").encode()  # any bytes: the page only links it
    db.session.add(CourseMedia(course_id=course.id, name="cover.png", content_type="image/png",
                               data=png, sha256="0" * 64))  # fmt: skip
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    src = f"/courses/{course.institution.slug}/{course.slug}/media/cover.png"
    assert f'<img class="card-cover" src="{src}" alt=""' in page
    assert page.count('class="card-cover"') == 1
    assert client.get(src).status_code == 200


@pytest.mark.parametrize(
    ("points", "english", "swahili"),
    [(1, "1 CPD point", "pointi 1 ya CPD"), (1.5, "1.5 CPD points", "pointi 1.5 za CPD"),
     (40, "40 CPD points", "pointi 40 za CPD")],
)  # fmt: skip
def test_a_card_says_1_cpd_point_and_40_cpd_points(app, synced_content, points, english, swahili):
    from decimal import Decimal

    from flask import render_template
    from flask_babel import force_locale

    from wired4ex.catalog import services
    from wired4ex.catalog.forms import CatalogFilterForm

    summary = services.list_published_courses(services.CatalogFilters())[0]
    summary = services.replace(summary, cpd_points=Decimal(str(points)))
    for language, expected in (("en", english), ("sw", swahili)):
        with app.test_request_context("/"), force_locale(language):
            form = CatalogFilterForm()
            form.set_choices([], [])
            html = render_template("catalog/index.html", form=form, courses=[summary],
                                   filtered=False, searched=None, competency_names={})  # fmt: skip
        assert f"<li>{expected}</li>" in html
