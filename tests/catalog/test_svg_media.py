"""SVG course images (issue 20, item 4): accepted from content files after cleaning, refused
when they cannot be cleaned, served with a CSP of their own and shown only through <img>."""

import pytest

from tests.catalog.conftest import COURSE, lines
from tests.conftest import DATA
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db

CHART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>'
    b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'
    b'<image href="https://evil.example/t.png"/><use xlink:href="https://evil.example/a.svg#x"/>'
    b'<rect width="5" height="5" fill="url(https://evil.example/p)" style="fill:#c00"/>'
    b'<circle id="dot" cx="5" cy="5" r="2"/><use href="#dot"/></svg>'
)
REVIEW = lines("---", 'title: "Review"', "---", "", "![The chart](media/chart.svg)")


def test_an_svg_is_cleaned_to_a_drawing(make_content):
    folder = make_content()
    folder.write(f"{COURSE}/media/chart.svg", CHART)
    folder.write(f"{COURSE}/03-review.md", REVIEW)
    tree = folder.load()
    assert tree.problems == []
    data, content_type = tree.courses[0].media["chart.svg"]
    assert content_type == "image/svg+xml"
    text = data.decode()
    for gone in ("onload", "script", "foreignObject", "<image", "evil.example", "url("):
        assert gone not in text
    assert '<rect width="5" height="5" style="fill:#c00"' in text
    assert 'href="#dot"' in text and "<circle" in text


@pytest.mark.parametrize("path", sorted((DATA / "svg").glob("*.svg")), ids=lambda p: p.name)
def test_every_svg_payload_is_refused_or_defused(make_content, path):
    folder = make_content()
    folder.write(f"{COURSE}/media/{path.name}", path.read_bytes())
    tree = folder.load()
    if tree.problems:
        ((where, line, message),) = folder.problems()
        assert (where, line) == (f"{COURSE}/media/{path.name}", 1)
        assert message.startswith("SVG image refused: ")
        return
    text = tree.courses[0].media[path.name][0].decode().lower()
    for gone in ("script", "foreignobject", "127.0.0.1", "href=", " on"):
        assert gone not in text


def test_an_svg_under_another_name_is_refused(make_content):
    folder = make_content()
    folder.write(f"{COURSE}/media/chart.png", CHART)
    assert folder.problems() == [
        (f"{COURSE}/media/chart.png", 1, "the file holds an SVG image: give it the .svg ending")
    ]


def test_svg_is_served_with_its_own_csp_and_shown_through_img(app, client, make_content):
    folder = make_content()
    folder.write(f"{COURSE}/media/chart.svg", CHART)
    folder.write(f"{COURSE}/03-review.md", REVIEW)
    sync_content(folder.load())
    db.session.remove()
    response = client.get("/courses/acme/basics/media/chart.svg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"script" not in response.data
    png = client.get("/courses/acme/basics/media/cycle.png")
    assert "sandbox" not in png.headers.get("Content-Security-Policy", "")
