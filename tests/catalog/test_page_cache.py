"""The catalogue is rendered once per content version, language and filter values and reused
(wired4ex.pagecache): the same page as rendered anew, and a sync or a language switch shows on
the next request."""

import re

import pytest
from flask import render_template
from flask_babel import force_locale

from tests.conftest import submit
from tests.learning.conftest import CourseTree
from tests.learning.test_dashboard_queries import count_queries
from wired4ex import pagecache
from wired4ex.catalog import services
from wired4ex.catalog.forms import CatalogFilterForm

ADDRESSES = [
    "/",
    "/?institution=lake-region-university",
    "/?language=sw&sort=title",
    "/?competency=LM1&sort=newest",
    "/?q=budget",
    "/?q=health+financing&sort=title",
    "/?q=zzzzqqq",
    "/?sort=points",
    "/?sort=bogus&institution=nope",
    "/?q=&institution=&competency=&language=&sort=",
    "/?sort=title&sort=newest",
    "/?q=" + "a" * 250,
]
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def page(client, url: str, language: str) -> str:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, url
    return CSRF.sub(r"\1", response.get_data(as_text=True))


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def forget(app) -> None:
    app.extensions.pop(pagecache.EXTENSION, None)


def rendered_as_before(app, url: str, language: str) -> str:
    """The catalogue rendered the way its view did before it kept parts: the whole form and
    course list in one template, with the context processors."""
    with app.test_request_context(url, headers={"Accept-Language": language}):
        from flask import request

        form = CatalogFilterForm(request.args)
        form.set_choices(services.list_institutions(), services.list_competency_domains())
        text = (form.q.data or "").strip()[:200] or None
        sort = form.sort.data if form.sort.data in services.SORTS else "relevance"
        filters = services.CatalogFilters(
            institution=form.institution.data or None,
            competency=form.competency.data or None,
            language=form.language.data or None,
            text=text,
        )
        html = render_template(
            "catalog/index.html",
            form=form,
            courses=services.list_published_courses(filters, sort),
            filtered=any(vars(filters).values()),
            searched=text,
            competency_names=services.competency_names(),
        )
    return CSRF.sub(r"\1", html)


@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_kept_catalogue_is_the_catalogue_rendered_anew(app, client, synced_content, language):
    for url in ADDRESSES:
        first = page(client, url, language)  # rendered
        assert page(client, url, language) == first, url  # kept
        forget(app)
        assert page(client, url, language) == first, url  # rendered again
        assert main(first) == main(rendered_as_before(app, url, language)), url
    assert f'<html lang="{language}">' in first


def test_a_kept_catalogue_costs_no_statement_of_its_own(app, client, synced_content):
    page(client, "/?q=budget", "en")
    with count_queries() as statements:
        page(client, "/?q=budget", "en")
    assert len(statements) == 1  # the content version (a visitor: no user to load)


def test_a_sync_shows_on_the_next_request_whatever_the_filters(app, client, tmp_path):
    tree = CourseTree(tmp_path / "content")
    tree.sync()
    urls = ["/", "/?sort=title", "/?q=budgets", "/?institution=demo-uni&language=en"]
    for url in urls:
        for language in ("en", "sw"):
            assert "Budgets for managers" in page(client, url, language)
    (tree.course / "course.md").write_text(
        "---\ntitle: Budgets renamed\nsummary: Money and plans.\n---\nAn overview.\n"
    )
    tree.sync()
    for url in urls:
        for language in ("en", "sw"):
            html = page(client, url, language)
            assert "Budgets renamed" in html and "Budgets for managers" not in html, url


def test_a_language_switch_shows_at_once(app, client, auth, make_user, synced_content):
    make_user(email="reader@example.org")
    auth.login("reader@example.org")
    for url in ("/", "/?sort=title&institution=eaihm"):
        assert "<h1>Course catalogue</h1>" in client.get(url).get_data(as_text=True)
    submit(client, "/language", {"language": "sw", "next": "/"}, page="/")
    for url in ("/", "/?sort=title&institution=eaihm"):
        html = client.get(url).get_data(as_text=True)
        with app.test_request_context(), force_locale("sw"):
            from flask_babel import gettext

            assert f"<h1>{gettext('Course catalogue')}</h1>" in html
            assert gettext("All institutions") in html
        assert "<h1>Course catalogue</h1>" not in html
    submit(client, "/language", {"language": "en", "next": "/"}, page="/")
    assert "<h1>Course catalogue</h1>" in client.get("/").get_data(as_text=True)
