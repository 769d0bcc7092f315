"""Every public XSS payload, saved through the browser editor, is defused in the preview and in the
published module page.

The payloads (tests/data/xss/*.txt, one a line) are typed into module drafts, about a
hundred a draft, each payload its own paragraph; a few also go into the title and the objectives.
Each draft is saved through the editor form, then checked in:

- the draft page (the server-rendered preview, what the Preview button shows),
- the live-preview JSON endpoint (what the editor's script puts into the page),
- the admin's review page,
- the published module page, read by an enrolled member, after an admin approves.

Payloads the content checker reports (javascript: links and the like) block submission for review:
those drafts must be refused with the problems listed (their preview is still checked). The payloads
it does not report are put together into new drafts, submitted, approved and read as published.
Which payloads the checker reports is found by checking each alone, in one pass over a course
folder (the problems' line numbers cannot tell: the checker gives the first line that contains the
URL's text, so "missing image or file: x" points at line 1 of a hundred payloads).

"Defused" is checked on the parsed HTML (html.parser): inside the rendered containers
(div.content, div.preview-frame) no script, iframe, object, embed, form, style (or other active)
element and no style attribute; anywhere on the page no on* attribute, no inline or foreign
script, and no URL whose scheme is not http, https, mailto or relative, after unescaping,
lower-casing and stripping whitespace and control characters.
"""

import re
import tempfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.authoring.conftest import MODULE, login
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import csrf_token, submit
from wired4ex.authoring import folders
from wired4ex.authoring.models import Draft
from wired4ex.extensions import db

XSS_DIR = Path(__file__).resolve().parents[1] / "data" / "xss"
BATCH = 100
INSTITUTION, COURSE = "lake-region-university", "xss-payloads"

CONTAINER_CLASSES = {"content", "preview-frame"}
FORBIDDEN_IN_CONTAINERS = {
    "script", "iframe", "object", "embed", "form", "style", "frame", "frameset", "applet",
    "base", "link", "meta", "svg", "math", "template", "input", "button", "textarea", "select",
    "portal", "noscript",
}  # fmt: skip
FORBIDDEN_ANYWHERE = {"iframe", "object", "embed", "frame", "frameset", "applet", "style"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "cite", "ping", "lowsrc", "dynsrc", "codebase", "longdesc", "srcset", "imagesrcset",
}  # fmt: skip
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
ALLOWED_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
TEXT_LINE = re.compile(r"Text line (\d+):")


def read_payloads() -> list[str]:
    if not XSS_DIR.is_dir():
        pytest.fail(f"the XSS payload lists are missing: {XSS_DIR} (see tests/data/README.md)")
    payloads = []
    for path in sorted(XSS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        payloads += [line for line in text.split("\n") if line.strip()]
    assert len(payloads) > 700, f"expected the full payload lists in {XSS_DIR}, got {len(payloads)}"
    return payloads


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in an attribute value (None for a relative URL).

    html.parser has already unescaped the value once, as the browser does: "&amp;colon;" in the
    page is the harmless literal text "&colon;" in the URL, while "&#58;" or "&colon;" is a colon.
    """
    cleaned = INVISIBLE.sub("", value).lower()
    match = SCHEME.match(cleaned)
    return match.group(1) if match else None


class Inspector(HTMLParser):
    """Collects everything in a page that shows a payload was not defused."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.depth = 0  # open elements inside a rendered container (0: outside any)
        self.containers = 0

    def _describe(self, tag, attrs) -> str:
        shown = " ".join(f'{name}="{value}"' for name, value in attrs)
        return f"<{tag} {shown}>"[:200]

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs, closes=tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs, closes=True)

    def _element(self, tag, attrs, closes):
        inside = self.depth > 0
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "div" and classes & CONTAINER_CLASSES:
            self.containers += 1  # .content sits inside .preview-frame in the previews
            if not inside:
                self.depth = 1
                return
        describe = self._describe(tag, attrs)
        if inside and tag in FORBIDDEN_IN_CONTAINERS:
            self.found.append(f"{tag} element in the content: {describe}")
        elif tag in FORBIDDEN_ANYWHERE:
            self.found.append(f"{tag} element on the page: {describe}")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append(f"script that is not the app's own: {describe}")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.found.append(f"{name} attribute: {describe}")
            if inside and name == "style":
                self.found.append(f"style attribute in the content: {describe}")
            if name in URL_ATTRIBUTES and value is not None:
                values = (
                    [part.strip().split(" ")[0] for part in value.split(",")]
                    if name.endswith("srcset")
                    else [value]
                )
                for one in values:
                    scheme = url_scheme(one)
                    if scheme is not None and scheme not in ALLOWED_SCHEMES:
                        self.found.append(f"{scheme}: URL in {name}: {describe}")
        if inside and not closes:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth > 0 and tag not in VOID:
            self.depth -= 1


def problems_in(page: str, containers: int = 1) -> list[str]:
    inspector = Inspector()
    inspector.feed(page)
    inspector.close()
    found = list(inspector.found)
    if inspector.containers < containers:
        found.append(f"expected {containers} rendered container(s), found {inspector.containers}")
    return found


def fields(key: str, body: str, title: str, objectives: list[str]) -> dict:
    return {**MODULE, "key": key, "title": title, "objectives": "\n".join(objectives), "body": body}


def draft_by_url(url: str) -> Draft:
    db.session.expire_all()
    return db.session.get(Draft, int(url.rstrip("/").rsplit("/", 1)[1]))


def save_and_check_previews(faculty, url: str, data: dict) -> dict[str, list[str]]:
    """Save through the editor, then inspect the draft page and the live preview's JSON."""
    response = submit(faculty, url, {**data, "save": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert draft_by_url(url).body == data["body"]  # saved as typed
    failures = {}
    page = faculty.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'class="preview-frame"' in text
    failures[f"draft page {url}"] = problems_in(text, containers=2)
    token = csrf_token(faculty, url)
    live = faculty.post(f"{url}/preview", data={**data, "csrf_token": token})
    assert live.status_code == 200, live.get_data(as_text=True)[:2000]
    fragment = live.get_json()["html"]
    failures[f"live preview {url}/preview"] = problems_in(fragment, containers=2)
    return failures


def checker_reports(course, payloads: list[str]) -> set[int]:
    """The payloads the content checker reports on their own (each alone in a module file),
    checked in one pass over a course folder, exactly as `flask content check` runs."""
    base = {"title": "Probe", "minutes": 5, "cpd_points": Decimal("1"), "cpd_category": "structured",
            "competencies": [], "pass_mark": 70, "objectives": []}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="w4x-xss-probe-") as folder:
        course_dir = folders.write_course(course, Path(folder))
        for index, payload in enumerate(payloads):
            text = folders.module_markdown({**base, "key": f"p{index:03d}"}, payload + "\n")
            (course_dir / f"{index:03d}-p{index:03d}.md").write_text(text, encoding="utf-8")
        tree = folders.check_folder(course_dir)
    flagged = set()
    for problem in tree.problems:
        match = re.match(r"^\d{3}-p(\d{3})\.md$", Path(problem.path).name)
        assert match, f"the probe folder itself has a problem: {problem}"
        flagged.add(int(match.group(1)))
    return flagged


def submit_for_review(faculty, url: str, data: dict, reported: bool) -> None:
    """Submit a saved draft: accepted when the checker reports none of its payloads, otherwise
    refused with the problems listed and the draft kept as typed."""
    response = submit(faculty, url, {**data, "submit_review": "1"})
    page = response.get_data(as_text=True)
    draft = draft_by_url(url)
    if not reported:
        assert response.status_code == 302, (
            "a draft without reported payloads was refused:\n"
            + "\n".join(re.findall(r"<li>((?:Text|Front)[^<]*)</li>", page))
        )
        assert draft.status == "in_review"
        return
    assert response.status_code == 400, f"a draft with reported payloads was accepted: {url}"
    assert draft.status == "draft" and draft.body == data["body"]
    assert "problem(s) shown before you submit" in page
    assert 'id="problems-title"' in page and TEXT_LINE.search(page), page[:3000]
    assert submit(faculty, f"{url}/discard", {}, page=url).status_code == 302


def test_xss_payloads_saved_in_the_editor_are_defused_in_preview_and_published_pages(
    app, faculty, admin, make_user
):
    payloads = read_payloads()
    course = create_course(faculty, slug=COURSE)
    flagged = checker_reports(course, payloads)
    assert flagged, "the checker reports no payload (javascript: links should be reported)"
    short = [p for p in payloads if len(p) <= 150]
    failures: dict[str, list[str]] = {}

    # -- every payload, a hundred a draft: saved, previewed, submitted ---------------------------
    unreported: list[str] = []  # payloads of refused drafts that the checker does not report
    accepted = 0  # drafts submitted for review as they were
    for number, start in enumerate(range(0, len(payloads), BATCH), start=1):
        batch = payloads[start : start + BATCH]
        title = f"Batch {number} {short[number * 7 % len(short)]}"
        objectives = [short[(number * 11 + i) % len(short)] for i in range(3)]
        data = fields(f"batch-{number:02d}", "\n\n".join(batch) + "\n", title, objectives)
        url = new_draft(faculty, course)
        failures.update(save_and_check_previews(faculty, url, data))
        indexes = range(start, start + len(batch))
        reported = any(index in flagged for index in indexes)
        submit_for_review(faculty, url, data, reported)
        accepted += not reported
        if reported:
            unreported += [payloads[index] for index in indexes if index not in flagged]

    # -- the payloads the checker lets through, in new drafts: these must be accepted -----------
    for number, start in enumerate(range(0, len(unreported), BATCH), start=1):
        batch = unreported[start : start + BATCH]
        title = f"Clean {number} {batch[0][:100]}"
        data = fields(f"clean-{number:02d}", "\n\n".join(batch) + "\n", title, batch[:2])
        url = new_draft(faculty, course)
        failures.update(save_and_check_previews(faculty, url, data))
        submit_for_review(faculty, url, data, reported=False)

    # -- an admin reviews and approves each; a member reads the published pages -----------------
    drafts = list(
        db.session.scalars(sa.select(Draft).where(Draft.status == "in_review").order_by(Draft.id))
    )
    keys, ids = [draft.key for draft in drafts], [draft.id for draft in drafts]
    assert len(ids) == accepted + -(-len(unreported) // BATCH)
    assert len(payloads) - len(flagged) > len(payloads) // 2, "too few payloads reach a page"
    for draft_id in ids:
        review = admin.get(f"/authoring/drafts/{draft_id}/review")
        assert review.status_code == 200
        failures[f"review page of draft {draft_id}"] = problems_in(
            review.get_data(as_text=True), containers=1
        )
        approved = submit(
            admin, f"/authoring/drafts/{draft_id}/review", {"approve": "1", "comment": ""}
        )
        assert approved.status_code == 302
        db.session.expire_all()
        assert db.session.get(Draft, draft_id).status == "published", admin.get(
            f"/authoring/drafts/{draft_id}/review"
        ).get_data(as_text=True)[:3000]

    make_user(email="reader@example.org")
    member = login(app, "reader@example.org")
    course_page = f"/courses/{INSTITUTION}/{COURSE}/"
    assert submit(member, course_page + "enrol", {}, page=course_page).status_code == 302
    for key in keys:
        response = member.get(course_page + key)
        assert response.status_code == 200, key
        assert '<div class="content"></div>' not in response.get_data(as_text=True), key
        failures[f"published page {course_page}{key}"] = problems_in(
            response.get_data(as_text=True), containers=1
        )

    failures = {where: found for where, found in failures.items() if found}
    report = "\n".join(
        f"{where}:\n  " + "\n  ".join(found[:15])
        + (f"\n  ... {len(found) - 15} more" if len(found) > 15 else "")
        for where, found in failures.items()
    )  # fmt: skip
    assert not failures, f"payloads not defused on {len(failures)} page(s):\n{report}"


def test_the_inspector_catches_payloads_that_were_not_defused():
    """The checks themselves: HTML with live payloads inside a content container is reported."""
    page = """<form action="/logout"><button>Log out</button></form>
    <div class="content"><p>ok</p><img src=x onerror="alert(1)"><a href=" &#x6a;ava&#x09;script:alert(1)">a</a>
    <script>alert(1)</script><iframe src="/x"></iframe><form action="/x"></form><style>p{}</style>
    <a href="data:text/html,hi">d</a><img src="/ok.png"><a href="mailto:a@b">m</a><a href="x.md">r</a>
    <svg><animate onbegin="alert(1)"/></svg><p style="color:red">s</p></div><form></form>"""
    found = problems_in(page)
    joined = "\n".join(found)
    for expected in (
        "onerror attribute", "javascript: URL in href", "script element in the content",
        "script that is not the app's own", "iframe element in the content",
        "form element in the content", "style element in the content", "data: URL in href",
        "svg element in the content", "onbegin attribute", "style attribute in the content",
    ):  # fmt: skip
        assert expected in joined, f"{expected!r} not reported:\n{joined}"
    assert len([line for line in found if line.startswith("form element")]) == 1  # not the layout's
    assert (
        problems_in('<div class="content"><p><a href="https://example.org/">x</a></p></div>') == []
    )
