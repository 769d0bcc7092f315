"""The one Markdown -> sanitised HTML pipeline. bleach is imported here and nowhere else.

Faculty are untrusted authors: whatever they write, the HTML that leaves this module has only the
elements and attributes below, no `on*` handlers, no style, and only http, https, mailto and
relative URLs. Rendering happens when content is synced or published, never per page view.

Python-Markdown recurses once per level of nested lists, blockquotes and emphasis, and some of its
inline patterns (brackets, angle brackets) take time that grows with the square of a paragraph's
length. So before rendering, `check_limits` refuses text that is too long, too deeply nested, or
dense with markup characters (the limits below, documented in content/README.md); the content
checker and the editor's form report what it finds, and `render_markdown` raises MarkupError
instead of rendering such text. A RecursionError that still happens becomes a MarkupError too.
"""

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import markdown
from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from flask_babel import force_locale
from flask_babel import gettext as _
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from wired4ex.markdown_extensions import GithubExtension
from wired4ex.markup_limits import (  # re-exported: the pipeline's limits are part of its API
    MAX_MARKDOWN_CHARS,
    MAX_NESTING,
    MarkupError,
    check_limits,
)

# Stored HTML records the version of the renderer that made it; change this whenever the
# pipeline's output changes, and run `flask content rerender` after deploying.
RENDERER_VERSION = "3"

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "input", "kbd",
        "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Authors' class, style, id and rel never survive: the only classes kept are those the pipeline
# itself writes (code languages, admonitions, task lists, footnotes, tabs), the only ids are
# heading anchors and footnotes, and rel is set on external links after cleaning.
GENERATED_CLASS = re.compile(
    r"^(?:language-[A-Za-z0-9_+#-]{1,40}|highlight|admonition(?: [a-z-]{1,30})?|admonition-title"
    r"|task-list|task-list-item|task-list-control|task-list-indicator|footnote|footnote-ref"
    r"|footnote-backref|toc-list|tabbed-set(?: tabbed-alternate)?|tabbed-content|tabbed-block"
    r"|tabbed-labels|tabbed-title|external-link|table-scroll)$"
)
HEADING_ID = re.compile(r"^[a-z0-9_\-]{1,120}$")
FOOTNOTE_ID = re.compile(r"^fn(?:ref)?(?::[0-9]+)?:[A-Za-z0-9_\-]{1,60}$")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ELEMENT_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
    "details": {"open"},
}
EXTERNAL_REL = "noopener noreferrer nofollow"
EXTERNAL_CLASS = "external-link"  # the marker's class; CSS shows the arrow, hides the words


def _convert(md: markdown.Markdown, source: str) -> str:
    problems = check_limits(source)
    if problems:
        raise MarkupError(*problems[0])
    try:
        return md.convert(source)
    except RecursionError:
        raise MarkupError(1, _("the text is nested too deeply to be shown")) from None


# A resolver gets (url, kind) with kind "link" or "image", and returns the URL to use instead,
# or None to keep it. The content loader uses it to map "02-budget.md" to the module's address.
LinkResolver = Callable[[str, str], str | None]


@dataclass
class Rendered:
    """HTML for a page body, the table of contents, and the relative URLs the source used."""

    html: str
    toc_html: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (kind, url)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ELEMENT_ATTRIBUTES.get(tag, ()):
        return True
    if name == "class":
        return bool(GENERATED_CLASS.match(value))
    if name == "id":
        return bool(HEADING_ID.match(value) if tag in HEADINGS else FOOTNOTE_ID.match(value))
    if tag == "input":  # read by _ExternalLinks (a task box), which replaces every input
        return name in {"type", "checked"}
    if tag == "div" and name == "tabindex":
        return value == "0"  # the focusable box around a table (_scrolling_tables)
    return False


def _external(href: str | None) -> bool:
    return bool(href) and urlsplit(href.strip()).scheme.lower() in {"http", "https"}


class _ExternalLinks(Filter):
    """After cleaning: external links get rel and a marker, in the page's language, that says
    they leave the site (an arrow for the eye, words for screen readers); task-list boxes
    become the glyphs ☐ and ☑ (no form controls leave this module)."""

    def __init__(self, source, marker: str):
        super().__init__(source)
        self.marker = marker

    def __iter__(self):
        external_depth = 0
        marked = False  # the link already carries the marker (HTML cleaned a second time)
        for token in super().__iter__():
            if (
                external_depth
                and token["type"] == "StartTag"
                and token["name"] == "span"
                and token["data"].get((None, "class")) == EXTERNAL_CLASS
            ):
                marked = True
            if token.get("name") == "input":  # a task list's box becomes a glyph; no inputs
                if (
                    token["type"] in {"StartTag", "EmptyTag"}
                    and token["data"].get((None, "type")) == "checkbox"
                ):
                    done = (None, "checked") in token["data"]
                    yield {"type": "StartTag", "name": "span", "namespace": None,
                           "data": {(None, "class"): "task-list-indicator"}}  # fmt: skip
                    yield {"type": "Characters", "data": "☑" if done else "☐"}
                    yield {"type": "EndTag", "name": "span", "namespace": None}
                continue
            if token["type"] == "StartTag" and token["name"] == "a":
                href = token["data"].get((None, "href"))
                if _external(href):
                    token["data"][(None, "rel")] = EXTERNAL_REL
                    external_depth += 1
                    yield token
                    continue
            if token["type"] == "EndTag" and token["name"] == "a" and external_depth:
                external_depth -= 1
                if marked:
                    marked = False
                    yield token
                    continue
                yield {"type": "StartTag", "name": "span", "namespace": None,
                       "data": {(None, "class"): EXTERNAL_CLASS}}  # fmt: skip
                yield {"type": "Characters", "data": f" ({self.marker})"}
                yield {"type": "EndTag", "name": "span", "namespace": None}
            yield token


def _marker_text(language: str | None) -> str:
    if language is None:
        return _("external site")
    with force_locale(language):
        return _("external site")


def sanitize(html: str, language: str | None = None) -> str:
    """Clean HTML down to the allowlist: unknown tags are dropped and their text kept; external
    links are marked as leaving the site, in `language` (the current locale when None)."""
    marker = _marker_text(language)
    cleaner = Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(_ExternalLinks, marker=marker)],
    )
    return cleaner.clean(html)


@dataclass
class _Session:
    """What one conversion reads and writes: the resolver, and the links found. The Markdown
    instance (built once per thread: building one costs more than converting most modules)
    keeps one session and the pipeline points it at each conversion's own."""

    resolver: LinkResolver | None = None
    found: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    lines: list[str] = field(default_factory=list)  # the source, one item per line


class _LinkCollector(Treeprocessor):
    """Records every link and image URL and lets a resolver rewrite relative ones."""

    def __init__(self, md, session: _Session):
        super().__init__(md)
        self.session = session

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                self._visit(element, "href", "link")
            elif element.tag == "img":
                self._visit(element, "src", "image")

    def _visit(self, element: etree.Element, attribute: str, kind: str) -> None:
        url = element.get(attribute)
        if url is None:
            return
        self.session.found.append((kind, url))
        if self.session.resolver is not None:
            replacement = self.session.resolver(url, kind)
            if replacement is not None:
                element.set(attribute, replacement)


class _LinkExtension(Extension):
    def __init__(self, session: _Session):
        super().__init__()
        self.session = session

    def extendMarkdown(self, md) -> None:  # noqa: N802  (the Markdown API's name)
        md.treeprocessors.register(_LinkCollector(md, self.session), "w4x_links", 1)


def _build_markdown(session: _Session) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "footnotes",
            "toc",
            "admonition",
            "sane_lists",
            "def_list",
            "abbr",
            "attr_list",
            "md_in_html",
            "pymdownx.highlight",
            "pymdownx.superfences",
            "pymdownx.tasklist",
            "pymdownx.tilde",
            "pymdownx.magiclink",
            "pymdownx.betterem",
            "pymdownx.saneheaders",
            "pymdownx.details",
            "pymdownx.tabbed",
            GithubExtension(session),
            _LinkExtension(session),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"toc_depth": "2-3", "toc_class": "toc-list"},
            "footnotes": {"BACKLINK_TITLE": "Back to the text"},
            "pymdownx.highlight": {"use_pygments": False, "css_class": ""},
            "pymdownx.tilde": {"subscript": False},
            "pymdownx.magiclink": {"hide_protocol": False},
        },
        output_format="html",
    )


_local = threading.local()


def _markdown(resolver: LinkResolver | None, found: list[tuple[str, str]]) -> markdown.Markdown:
    """This thread's Markdown instance, reset, reporting to `found` and resolving with
    `resolver` for the next conversion."""
    md = getattr(_local, "md", None)
    if md is None:
        _local.session = _Session()
        md = _local.md = _build_markdown(_local.session)
    md.reset()
    _local.session.resolver = resolver
    _local.session.found = found
    _local.session.warnings = []
    _local.session.problems = []
    return md


@dataclass
class Checked:
    """What the checker needs from the renderer's own parse of a text."""

    links: list[tuple[str, str]]  # (kind, url) of every link and image
    warnings: list[tuple[int, str]]  # (line, message): rendered, but maybe not as meant
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message): to fix


def check_markdown(source: str) -> Checked:
    """The links, images and warnings of Markdown, for checks: the same parse as
    render_markdown, without sanitising HTML that nobody will see; MarkupError as there."""
    found: list[tuple[str, str]] = []
    md = _markdown(None, found)
    _convert(md, source)
    session = _local.session
    return Checked(found, sorted(session.warnings), sorted(session.problems))


_TABLE_START = re.compile(r"<table\b[^>]*>")


def _scrolling_tables(html: str) -> str:
    """Put each table of sanitised HTML in a box that scrolls sideways on a phone; the box can
    take keyboard focus, so its hidden columns can be scrolled into view without a mouse.
    The HTML is sanitised already, so its tags are balanced and every table gets one box."""
    html = _TABLE_START.sub(lambda m: f'<div class="table-scroll" tabindex="0">{m.group(0)}', html)
    return html.replace("</table>", "</table></div>")


def find_links(source: str) -> list[tuple[str, str]]:
    """The (kind, url) of every link and image in Markdown (see check_markdown)."""
    return check_markdown(source).links


def render_markdown(
    source: str, resolver: LinkResolver | None = None, language: str | None = None
) -> Rendered:
    """Render Markdown to sanitised HTML, with a sanitised table of contents; MarkupError when
    the text exceeds the limits above. `language` (en, sw) is the page's, for the words the
    pipeline adds; the current locale when None."""
    found: list[tuple[str, str]] = []
    md = _markdown(resolver, found)
    html = _convert(md, source)
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return Rendered(
        html=_scrolling_tables(sanitize(html, language)),
        toc_html=sanitize(toc, language),
        links=found,
    )


__all__ = [
    "MAX_MARKDOWN_CHARS",
    "MAX_NESTING",
    "RENDERER_VERSION",
    "Checked",
    "MarkupError",
    "Rendered",
    "check_limits",
    "check_markdown",
    "find_links",
    "render_markdown",
    "sanitize",
]
