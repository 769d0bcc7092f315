"""The one Markdown -> sanitised HTML pipeline. bleach is imported here and nowhere else.

Faculty are untrusted authors: whatever they write, the HTML that leaves this module has only the
elements and attributes below, no `on*` handlers, no style, and only http, https, mailto and
relative URLs. Rendering happens when content is synced or published, never per page view.
"""

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import bleach
import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
SAFE_CLASS = re.compile(r"^[A-Za-z0-9_\- ]{1,80}$")
SAFE_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,120}$")
GENERIC_ATTRIBUTES = {"id", "class"}
ELEMENT_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}

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
        return bool(SAFE_CLASS.match(value))
    if name == "id":
        return bool(SAFE_ID.match(value))
    return False


def sanitize(html: str) -> str:
    """Clean HTML down to the allowlist; anything else is escaped as text."""
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
    )


class _LinkCollector(Treeprocessor):
    """Records every link and image URL and lets a resolver rewrite relative ones."""

    def __init__(self, md, resolver: LinkResolver | None, found: list[tuple[str, str]]):
        super().__init__(md)
        self.resolver = resolver
        self.found = found

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
        self.found.append((kind, url))
        if self.resolver is not None:
            replacement = self.resolver(url, kind)
            if replacement is not None:
                element.set(attribute, replacement)
        if kind == "link" and url.startswith(("http://", "https://")):
            element.set("rel", "noopener noreferrer nofollow")


class _LinkExtension(Extension):
    def __init__(self, resolver: LinkResolver | None, found: list[tuple[str, str]]):
        super().__init__()
        self.resolver = resolver
        self.found = found

    def extendMarkdown(self, md) -> None:  # noqa: N802  (the Markdown API's name)
        md.treeprocessors.register(_LinkCollector(md, self.resolver, self.found), "w4x_links", 1)


def _markdown(resolver: LinkResolver | None, found: list[tuple[str, str]]) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "footnotes",
            "toc",
            "admonition",
            "sane_lists",
            "def_list",
            "abbr",
            _LinkExtension(resolver, found),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "toc": {"toc_depth": "2-3", "toc_class": "toc-list"},
            "footnotes": {"BACKLINK_TITLE": "Back to the text"},
        },
        output_format="html",
    )


def find_links(source: str) -> list[tuple[str, str]]:
    """The (kind, url) of every link and image in Markdown, for checks: the same parse as
    render_markdown, without sanitising HTML that nobody will see."""
    found: list[tuple[str, str]] = []
    _markdown(None, found).convert(source)
    return found


def render_markdown(source: str, resolver: LinkResolver | None = None) -> Rendered:
    """Render Markdown to sanitised HTML, with a sanitised table of contents."""
    found: list[tuple[str, str]] = []
    md = _markdown(resolver, found)
    html = md.convert(source)
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return Rendered(html=sanitize(html), toc_html=sanitize(toc), links=found)
