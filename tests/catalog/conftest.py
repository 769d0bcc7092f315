"""Catalogue test helpers: a small content folder to break one thing at a time (the real policy
files, one institution, one course of three modules with a quiz, a cross-module link and two
images), an admin client, and a reader for the text and elements of a page."""

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT
from wired4ex.catalog.content import ContentTree, load_content

COURSE = "institutions/acme/basics"
PNG = (ROOT / "content/institutions/eaihm/quality-improvement/media/run-chart.png").read_bytes()
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def lines(*rows: str) -> str:
    """A file's text, one argument per line, so a test reads its line numbers off the list."""
    return "\n".join(rows) + "\n"


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """A page as a person reads it: the text inside elements picked by tag and class, and every
    element with its attributes."""

    def __init__(self, html: str, tag: str = "", css_class: str = ""):
        super().__init__(convert_charrefs=True)
        self.tag, self.css_class = tag, css_class
        self.blocks: list[list[str]] = []
        self.elements: list[tuple[str, dict]] = []
        self._depth = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in VOID:
            return
        if self._depth:
            self._depth += 1
        elif tag == self.tag and self.css_class in (attributes.get("class") or "").split():
            self.blocks.append([])
            self._depth = 1

    def handle_endtag(self, tag):
        if self._depth and tag not in VOID:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth and data.strip():
            self.blocks[-1].append(" ".join(data.split()))

    def links(self) -> list[str]:
        return [attrs.get("href") for tag, attrs in self.elements if tag == "a"]


# The real certifications.yml requires the real courses; this one requires the fixture's course.
CERTIFICATIONS = lines(
    "programmes:",
    "  - code: AHSM",
    "    name: Associate in Health Systems Management",
    "    level: 1",
    "    rules:",
    "      required_courses:",
    "        - acme/basics",
    "      cpd_points: {minimum: 20, window_months: 24}",
)
INSTITUTION = lines(
    'name: "Acme School of Health Management"',
    'short_name: "ACME"',
    'country: "Kenya"',
    'website: "https://acme.example"',
)
COURSE_MD = lines(
    "---",
    'title: "Budget Basics"',
    'summary: "How a facility budget is built and followed."',
    "language: en",
    "level: introductory",
    "competencies:",
    "  - FM1",
    "---",
    "",
    "## Who this course is for",
    "",
    "Facility in-charges who prepare and follow a budget.",
)
INTRO = lines(
    "---",
    'title: "Why Budgets Matter"',
    "id: intro",
    "minutes: 30",
    "cpd_points: 1.5",
    "competencies:",
    "  - FM1",
    "objectives:",
    '  - "explain what a budget is for"',
    "---",
    "",
    "## Plans need money",
    "",
    "A budget turns a plan into money. The [cost lines](02-costs.md#cost-lines) come next.",
    "",
    "![The budget cycle](media/cycle.png)",
    "",
    "```quiz",
    "? What does a budget turn a plan into?",
    "- [x] Money for each activity",
    "- [ ] A duty roster",
    "> A budget is a plan expressed in money.",
    "",
    "? Which are budget documents? (choose all that apply)",
    "- [x] The annual work plan budget",
    "- [x] The procurement plan",
    "- [ ] The staff duty roster",
    "```",
)
COSTS = lines(
    "---",
    'title: "Cost Lines"',
    "minutes: 20",
    "cpd_points: 1",
    "---",
    "",
    "## Cost lines",
    "",
    "Each activity has cost lines: staff, supplies, transport.",
    "",
    "![A bar](media/bar.gif)",
)
REVIEW = lines(
    "---",
    'title: "Review"',
    "minutes: 10",
    "---",
    "",
    "## What we covered",
    "",
    "Budgets and their cost lines.",
)


class ContentFolder:
    """A content folder in a temporary directory, to change and load."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, content: str | bytes) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def remove(self, relative: str) -> None:
        self.path(relative).unlink()

    def rename(self, old: str, new: str) -> None:
        self.path(old).rename(self.path(new))

    def load(self) -> ContentTree:
        return load_content(self.root)

    def where(self, reported_path: str) -> str:
        """A reported path (relative to the working directory) as a path inside the folder."""
        return Path(reported_path).resolve().relative_to(self.root.resolve()).as_posix()

    def problems(self) -> list[tuple[str, int, str]]:
        """(file inside the folder, line, message) of every problem the loader reports."""
        return [(self.where(p.path), p.line, p.message) for p in self.load().problems]


@pytest.fixture
def make_content(tmp_path):
    """Build a valid content folder: make_content() -> ContentFolder, ready to break."""

    def build(name: str = "content") -> ContentFolder:
        folder = ContentFolder(tmp_path / name)
        shutil.copytree(ROOT / "content" / "policy", folder.path("policy"))
        folder.write("policy/certifications.yml", CERTIFICATIONS)
        folder.write("institutions/acme/institution.yml", INSTITUTION)
        folder.write(f"{COURSE}/course.md", COURSE_MD)
        folder.write(f"{COURSE}/01-intro.md", INTRO)
        folder.write(f"{COURSE}/02-costs.md", COSTS)
        folder.write(f"{COURSE}/03-review.md", REVIEW)
        folder.write(f"{COURSE}/media/cycle.png", PNG)
        folder.write(f"{COURSE}/media/bar.gif", GIF)
        return folder

    return build


@pytest.fixture
def admin_client(client, auth, make_user):
    """The client, logged in as an admin, who may read every module without enrolling."""
    admin = make_user(email="secretariat@hesma.example", roles=("member", "admin"))
    assert auth.login(admin.email).status_code == 302
    return client
