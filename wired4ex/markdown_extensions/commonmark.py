"""Python-Markdown's inline and block rules brought to CommonMark's where they differ in ways
authors notice (the CommonMark spec test, tests/catalog/test_commonmark_spec.py, measures it).

- Code spans keep their inner spaces (one is taken from each end only when both have one) and
  never start inside a run of backticks.
- Autolinks are <scheme:...> with any scheme and <user@host>; a backslash in them is kept.
- Inline HTML is only what CommonMark calls a tag: "<foo.bar>" and "<m:abc>" stay text.
- Inline links: the destination and title as CommonMark reads them (no spaces in a bare
  destination, <...> for one with spaces, balanced parentheses, a title in "", '' or ()).
- ATX headings: "# foo#" keeps its "#", a closing sequence needs a space before it, "#" alone is
  an empty heading. Thematic breaks allow any spaces between their characters.
- Link and image addresses are percent-encoded as CommonMark renderers do ("my uri" ->
  "my%20uri", "&auml;" -> "%C3%A4"), and ordered lists start at the number's value ("003" -> 3).
"""

import html
import re
import xml.etree.ElementTree as etree
from urllib.parse import quote

from markdown import util
from markdown.blockprocessors import HashHeaderProcessor, HRProcessor, ReferenceProcessor
from markdown.inlinepatterns import (
    IMAGE_REFERENCE_RE,
    BacktickInlineProcessor,
    HtmlInlineProcessor,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
    ShortImageReferenceInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor

_TAG_NAME = r"[A-Za-z][A-Za-z0-9-]*"
_ATTRIBUTE = r"""\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""
INLINE_HTML = (  # not "](<url>)", a link's destination
    r"(?<!\]\()(<(?:" + _TAG_NAME + "(?:" + _ATTRIBUTE + r")*\s*/?|/" + _TAG_NAME + r"\s*"
    r"|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|![A-Za-z][^>]*"
    r"|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"
)
AUTOLINK = r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>\x00-\x1f]*)>"
AUTOMAIL = (
    r"<([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>"
)
BACKTICK = r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<![\\`])`)"
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SAFE = ";/?:@&=+$,-_.!~*'()#%"
_INNER_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_PLACEHOLDER = re.compile("(\x02[^\x03]*\x03)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


class CodeSpan(BacktickInlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802  (the Markdown API's name)
        if m.group(1):
            return super().handleMatch(m, data)
        begin = m.start(0)
        start, end = self.find_code_spans(begin, data)
        if end is None:
            return None, begin, start
        content = data[start:end].replace("\n", " ")
        if len(content) > 2 and content[0] == content[-1] == " " and content.strip(" "):
            content = content[1:-1]
        element = etree.Element(self.tag)
        element.text = util.AtomicString(util.code_escape(content))
        return element, begin, end + (start - begin)


class Autolink(InlineProcessor):
    """<scheme:address> and <user@host>, the text shown as written (no backslash escapes)."""

    def __init__(self, pattern, md, mail: bool = False):
        super().__init__(pattern, md)
        self.mail = mail

    def handleMatch(self, m, data):  # noqa: N802
        address = m.group(1)
        element = etree.Element("a")
        element.set("href", ("mailto:" if self.mail else "") + address)
        element.text = util.AtomicString(address)
        return element, m.start(0), m.end(0)


class InlineHtml(HtmlInlineProcessor):
    """Python-Markdown's inline HTML, limited to what CommonMark reads as a tag."""


def _skip_space(data: str, position: int) -> int:
    newline = False
    while position < len(data) and data[position] in " \t\n":
        if data[position] == "\n":
            if newline:
                break
            newline = True
        position += 1
    return position


def parse_destination(data: str, index: int) -> tuple[str, str | None, int, bool]:
    """(href, title, end, found) of "(destination "title")" at data[index] == "(", read as
    CommonMark reads it."""
    position = _skip_space(data, index + 1)
    if data.startswith("<", position):
        end = position + 1
        while end < len(data) and data[end] not in "<>\n":
            end += 1
        if end >= len(data) or data[end] != ">":
            return "", None, index, False
        href, position = data[position + 1 : end], end + 1
    else:
        start, depth = position, 0
        while position < len(data):
            character = data[position]
            if character in " \t\n" or (ord(character) < 0x20 and character not in "\x02\x03"):
                break
            if character == "(":
                depth += 1
            elif character == ")":
                if depth == 0:
                    break
                depth -= 1
            position += 1
        if depth:
            return "", None, index, False
        href = data[start:position]
    title = None
    spaced = _skip_space(data, position)
    if spaced > position and spaced < len(data) and data[spaced] in "\"'(":
        opener = data[spaced]
        closer = ")" if opener == "(" else opener
        end = spaced + 1
        while end < len(data) and data[end] != closer:
            if opener == "(" and data[end] == "(":
                return "", None, index, False
            end += 1
        if end >= len(data):
            return "", None, index, False
        title, position = data[spaced + 1 : end], end + 1
    position = _skip_space(data, position)
    if position >= len(data) or data[position] != ")":
        return "", None, index, False
    return href, title, position + 1, True


class Link(LinkInlineProcessor):
    def getLink(self, data, index):  # noqa: N802
        href, title, end, found = parse_destination(data, index)
        if title is not None:
            title = self.unescape(title)
        return self.unescape(href), title, end, found


def plain_alt(text: str) -> str:
    """An image's description as plain text, the way CommonMark writes alt: the text of
    emphasis, links and images inside it, without their markup."""
    text = _INNER_LINK.sub(r"\1", text)
    for _round in range(3):
        text = _EMPHASIS.sub(r"\2", text)
    return text


class Image(ImageInlineProcessor):
    getLink = Link.getLink  # noqa: N815

    def handleMatch(self, m, data):  # noqa: N802
        element, start, end = super().handleMatch(m, data)
        if element is not None and element.get("alt"):
            element.set("alt", plain_alt(element.get("alt")))
        return element, start, end


class _PlainAlt:
    def makeTag(self, href, title, text):  # noqa: N802  (the Markdown API's name)
        element = super().makeTag(href, title, text)
        if element.get("alt"):
            element.set("alt", plain_alt(element.get("alt")))
        return element


class ImageReference(_PlainAlt, ImageReferenceInlineProcessor):
    pass


class ShortImageReference(_PlainAlt, ShortImageReferenceInlineProcessor):
    pass


class Definitions(ReferenceProcessor):
    """A link reference definition cannot interrupt a paragraph (CommonMark)."""

    def run(self, parent, blocks):
        match = self.RE.search(blocks[0])
        if match and (match.start() > 0 or not match.group(1).strip()):
            return False  # under a paragraph, or "[]: /uri" (a label needs a character)
        return super().run(parent, blocks)


class References(dict):
    """Link reference definitions: labels match without regard to case (Unicode case folding)
    or runs of white space, and the first definition of a label wins."""

    @staticmethod
    def label(key) -> str:
        return " ".join(str(key).split()).casefold()

    def __setitem__(self, key, value):
        if self.label(key) and self.label(key) not in self:  # "[]: /uri" defines nothing
            link, title = value
            title = _ESCAPE.sub(r"\1", title) if title else title
            super().__setitem__(self.label(key), (_ESCAPE.sub(r"\1", link), title))

    def __contains__(self, key):
        return super().__contains__(self.label(key))

    def __getitem__(self, key):
        return super().__getitem__(self.label(key))


class AtxHeading(HashHeaderProcessor):
    RE = re.compile(
        r"(?:^|\n)[ ]{0,3}(?P<level>#{1,6})(?:[ \t]+(?P<header>[^\n]*?))??"
        r"(?:[ \t]+#+)?[ \t]*(?:\n|$)"
    )

    def test(self, parent, block):
        match = self.RE.search(block)
        surrogate = parent.tag == "div" and not parent.attrib and parent is not self.parser.root
        if match and match.group("header") is None and surrogate:
            return False  # "[^note]: #": a footnote's text (parsed in a bare div), as on GitHub
        return bool(match)

    def run(self, parent, blocks):
        block = blocks[0]
        match = self.RE.search(block)
        if match and match.group("header") is None:  # "#" alone: an empty heading
            blocks[0] = (
                block[: match.start("level")]
                + match.group("level")
                + " \u200b"
                + (block[match.end("level") :])
            )
        super().run(parent, blocks)


class ThematicBreak(HRProcessor):
    RE = r"^[ ]{0,3}(?:(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\*[ \t]*){3,})$"
    SEARCH_RE = re.compile(RE, re.MULTILINE)


def normalise_url(url: str) -> str:
    """Percent-encode an address as CommonMark renderers do, entities decoded first; the
    pipeline's own placeholders (resolved when serialising) are kept as they are."""
    parts = _PLACEHOLDER.split(url)
    for index in range(0, len(parts), 2):
        parts[index] = _PERCENT.sub("%25", quote(html.unescape(parts[index]), safe=_SAFE))
    return "".join(parts)


class CommonMarkAddresses(Treeprocessor):
    """After unescaping: link and image addresses percent-encoded, titles' entities decoded,
    empty-heading marks removed, ordered lists started at their number's value."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a" and element.get("href") is not None:
                element.set("href", normalise_url(element.get("href")))
            elif element.tag == "img" and element.get("src") is not None:
                element.set("src", normalise_url(element.get("src")))
            elif element.tag == "ol" and (element.get("start") or "").isdigit():
                element.set("start", str(int(element.get("start"))))
            elif element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and element.text:
                element.text = element.text.replace("\u200b", "")
            if element.tag in {"a", "img"} and element.get("title"):
                element.set("title", html.unescape(element.get("title")))


def register(md) -> None:
    """Put the rules above in place of Python-Markdown's own."""
    md.inlinePatterns.register(CodeSpan(BACKTICK), "backtick", 190)
    md.inlinePatterns.register(Autolink(AUTOLINK, md), "autolink", 186)
    md.inlinePatterns.register(Autolink(AUTOMAIL, md, mail=True), "automail", 185.5)
    # Raw HTML, like code spans and autolinks, binds before links and emphasis (CommonMark)
    md.inlinePatterns.register(InlineHtml(INLINE_HTML, md), "html", 175)
    md.inlinePatterns.register(Link(r"(?<!\!)\[", md), "link", 160)
    md.inlinePatterns.register(Image(r"\!\[", md), "image_link", 150)
    md.parser.blockprocessors.register(AtxHeading(md.parser), "hashheader", 70)
    md.parser.blockprocessors.register(ThematicBreak(md.parser), "hr", 50)
    md.treeprocessors.register(CommonMarkAddresses(md), "w4x_addresses", -1)
    md.references = References()
    md.inlinePatterns.register(ImageReference(IMAGE_REFERENCE_RE, md), "image_reference", 140)
    md.inlinePatterns.register(ShortImageReference(IMAGE_REFERENCE_RE, md), "short_image_ref", 125)
    md.parser.blockprocessors.register(Definitions(md.parser), "reference", 15)
    for name in ("reference", "image_reference"):  # "[foo] [bar]": no space before the label
        md.inlinePatterns[name].RE_LINK = re.compile(r"\[([^\]]*)\]", re.DOTALL)
