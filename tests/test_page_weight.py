"""Page-weight targets for module pages (issue 11): what a member on mobile data downloads.

Bytes are deterministic, so these are exact checks, not timings. bench/pages.py prints the
figures for the main pages.
"""

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import submit
from wired4ex.catalog.models import Course
from wired4ex.extensions import db

MODULE_PAGE_BUDGET = 15 * 1024  # HTML + CSS + JS, gzip-compressed, images aside
JS_BUDGET = 10 * 1024
FONT_FILE = re.compile(r"\.(woff2?|ttf|otf|eot)(\?|#|$)", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class Resources(HTMLParser):
    """(kind, url) of everything a page makes the browser load."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            rels = set((values.get("rel") or "").lower().split())
            if "stylesheet" in rels:
                self.found.append(("css", values["href"]))
            elif rels & {"icon", "preload", "modulepreload", "manifest"}:
                self.found.append((values.get("as") or "other", values["href"]))
        elif tag == "script" and values.get("src"):
            self.found.append(("js", values["src"]))
        elif tag in {"img", "iframe", "embed", "video", "audio", "source"} and values.get("src"):
            self.found.append(("other", values["src"]))


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _load(client, url: str) -> dict:
    """Load a page and what it links, as a browser with an empty cache does."""
    page = client.get(url)
    assert page.status_code == 200
    loaded = {"html": [page.get_data()], "css": [], "js": [], "urls": [], "fonts": []}
    parser = Resources()
    parser.feed(page.get_data(as_text=True))
    queue = [(kind, urljoin("http://localhost" + url, href)) for kind, href in parser.found]
    while queue:
        kind, absolute = queue.pop(0)
        loaded["urls"].append(absolute)
        parts = urlsplit(absolute)
        if parts.netloc != "localhost" or parts.scheme == "data":
            continue
        if kind == "font" or FONT_FILE.search(parts.path):
            loaded["fonts"].append(absolute)
        response = client.get(parts.path)
        assert response.status_code == 200, absolute
        if kind in ("css", "js"):
            loaded[kind].append(response.get_data())
        if kind == "css":
            text = response.get_data(as_text=True)
            if "@font-face" in text.lower():
                loaded["fonts"].append(absolute + " (@font-face)")
            for match in CSS_URL.finditer(text):
                queue.append(
                    ("css" if match.group(2) else "other", urljoin(absolute, match[1] or match[2]))
                )
    return loaded


@pytest.fixture
def member_client(client, auth, make_user, synced_content):
    """A logged-in member enrolled in every published course (module pages show the quiz)."""
    make_user(email="reader@example.org")
    auth.login("reader@example.org")
    courses = db.session.scalars(sa.select(Course).where(Course.status == "published")).all()
    urls = []
    for course in courses:
        base = f"/courses/{course.institution.slug}/{course.slug}/"
        submit(client, base + "enrol", {}, page=base)
        urls += [base + m.key for m in course.active_modules if m.current_version is not None]
    assert urls
    return client, urls


def test_module_pages_stay_within_the_page_weight_targets(member_client):
    client, urls = member_client
    for url in urls:
        loaded = _load(client, url)
        assert b"Preview: you are not enrolled" not in loaded["html"][0], url
        total = sum(_gz(body) for kind in ("html", "css", "js") for body in loaded[kind])
        assert total <= MODULE_PAGE_BUDGET, f"{url}: {total} bytes gzip-compressed"
        assert sum(len(body) for body in loaded["js"]) <= JS_BUDGET, url
        assert loaded["css"], f"{url}: no stylesheet found (is the parser still right?)"


def test_module_pages_load_no_web_fonts_and_nothing_from_other_hosts(member_client):
    client, urls = member_client
    for url in urls:
        loaded = _load(client, url)
        assert loaded["fonts"] == [], url
        other_hosts = [u for u in loaded["urls"] if urlsplit(u).netloc not in ("", "localhost")]
        assert other_hosts == [], url
        # Absolute links to other hosts in the module text are fine (a reader follows them or
        # not); what the page itself makes the browser fetch must all come from the app.
        assert not re.search(rb"""<(?:link|script|img)[^>]+(?:src|href)=["']?(?:https?:)?//""",
                             loaded["html"][0]), url  # fmt: skip
