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
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import bleach
import markdown
from flask_babel import gettext as _
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

# Limits on the Markdown of one module text or course overview (not counting front matter).
# The largest real module is about 11,000 characters with under 100 markup characters and lists
# three levels deep; each limit leaves a wide margin and keeps rendering well under a second or
# two on a small server.
MAX_MARKDOWN_CHARS = 50_000
MAX_NESTING = 16  # levels of lists and blockquotes, counted from the start of each line
MARKUP_CHARACTERS = "[<*_`"
MAX_PARAGRAPH_MARKUP = 500  # markup characters in one paragraph (lines between blank lines)
MAX_MARKUP = 5_000  # markup characters in the whole text
# A '<' that starts a tag ("<a", "</", "<!") with no '>' soon after makes the HTML scan read on to
# the end of the text, once for each such '<'.
MAX_UNCLOSED_TAGS = 200
UNCLOSED_REACH = 1_000  # characters within which a tag's '>' must follow
_TAG_START = re.compile(r"<[A-Za-z/!?]")

_MARKER = re.compile(r" *(?:>|[-*+](?= |$)|\d{1,9}[.)](?= |$))")
_RULE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")


class MarkupError(ValueError):
    """Markdown refused before or during rendering; line is the line of the text (1-based)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _nesting(line: str) -> int:
    """An upper bound on the list and blockquote levels a line opens or continues: one per
    '>' or list marker at its start, plus one per four columns of indentation."""
    if _RULE.match(line):
        return 0  # a horizontal rule such as "* * * *" is not a list
    line = line.expandtabs(4)
    depth = position = indent = 0
    while True:
        match = _MARKER.match(line, position)
        if match is None:
            break
        text = match.group()
        indent += len(text) - len(text.lstrip(" "))
        depth += 1
        position = match.end()
    indent += len(line) - position - len(line[position:].lstrip(" "))
    return depth + indent // 4


def check_limits(source: str) -> list[tuple[int, str]]:
    """(line, message) for every limit the Markdown exceeds; empty when it can be rendered."""
    if len(source) > MAX_MARKDOWN_CHARS:
        return [(1, _("the text is longer than %(limit)s characters (it has %(count)s): split "
                      "it into several modules", limit=f"{MAX_MARKDOWN_CHARS:,}",
                      count=f"{len(source):,}"))]  # fmt: skip
    problems: list[tuple[int, str]] = []
    total = paragraph = 0
    paragraph_line = 1
    too_deep = False
    for number, line in enumerate(source.split("\n"), start=1):
        if not line.strip():
            paragraph, paragraph_line = 0, number + 1
            continue
        depth = _nesting(line)
        if depth > MAX_NESTING and not too_deep:  # once for each run of too deep lines
            problems.append((number, _("lists or quotes nested more than %(limit)s levels deep",
                                       limit=MAX_NESTING)))  # fmt: skip
        too_deep = depth > MAX_NESTING
        count = sum(line.count(character) for character in MARKUP_CHARACTERS)
        paragraph += count
        total += count
        if paragraph > MAX_PARAGRAPH_MARKUP and paragraph - count <= MAX_PARAGRAPH_MARKUP:
            problems.append((paragraph_line, _(
                "more than %(limit)s of the characters %(characters)s in one paragraph: "
                "split it with blank lines", limit=MAX_PARAGRAPH_MARKUP,
                characters=" ".join(MARKUP_CHARACTERS))))  # fmt: skip
    unclosed = [
        match.start()
        for match in _TAG_START.finditer(source)
        if source.find(">", match.start(), match.start() + UNCLOSED_REACH) < 0
    ]
    if len(unclosed) > MAX_UNCLOSED_TAGS:
        line = source.count("\n", 0, unclosed[MAX_UNCLOSED_TAGS]) + 1
        problems.append((line, _("more than %(limit)s '<' without a closing '>': write "
                                 "&lt; for a less-than sign", limit=MAX_UNCLOSED_TAGS)))  # fmt: skip
    if total > MAX_MARKUP:
        problems.append((1, _("more than %(limit)s of the characters %(characters)s in the text",
                              limit=f"{MAX_MARKUP:,}", characters=" ".join(MARKUP_CHARACTERS))))  # fmt: skip
    return problems


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
        return bool(SAFE_CLASS.match(value))
    if name == "id":
        return bool(SAFE_ID.match(value))
    if tag == "div" and name == "tabindex":
        return value == "0"  # the focusable box around a table (_scrolling_tables)
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
    render_markdown, without sanitising HTML that nobody will see; MarkupError as there."""
    found: list[tuple[str, str]] = []
    _convert(_markdown(None, found), source)
    return found


_TABLE_START = re.compile(r"<table\b[^>]*>")


def _scrolling_tables(html: str) -> str:
    """Put each table of sanitised HTML in a box that scrolls sideways on a phone; the box can
    take keyboard focus, so its hidden columns can be scrolled into view without a mouse.
    Raw HTML from authors is already escaped here, so every <table> is one Markdown made."""
    html = _TABLE_START.sub(lambda m: f'<div class="table-scroll" tabindex="0">{m.group(0)}', html)
    return html.replace("</table>", "</table></div>")


def render_markdown(source: str, resolver: LinkResolver | None = None) -> Rendered:
    """Render Markdown to sanitised HTML, with a sanitised table of contents; MarkupError when
    the text exceeds the limits above."""
    found: list[tuple[str, str]] = []
    md = _markdown(resolver, found)
    html = _convert(md, source)
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return Rendered(html=_scrolling_tables(sanitize(html)), toc_html=sanitize(toc), links=found)
