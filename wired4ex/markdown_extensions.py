"""Python-Markdown extensions that make it read Markdown as GitHub (CommonMark) does.

Used only by wired4ex/markup.py, which owns the pipeline and the sanitizer. Each preprocessor
changes lines in place and never adds or removes one, so line numbers stay those of the file.

- Fence info strings: "```rust,ignore" and "``` yaml title=x" open a code block in the language
  named first, as on GitHub (superfences accepts only a bare language name).
- List indentation: CommonMark nests a list under an item when it starts at the column of the
  item's text (2 spaces after "-", 3 after "1."); Python-Markdown wants 4 spaces per level. The
  lines of every list item are re-indented to Python-Markdown's columns, fences included.
- Markdown inside HTML blocks: an opening block tag on a line of its own, followed by a blank
  line, gets markdown="1" (md_in_html then renders its content), as GitHub does.
- Raw HTML: the URLs of <img> and <a> written as HTML are collected like Markdown's, so the
  checker sees every image whatever the syntax.
"""

import html
import re
import xml.etree.ElementTree as etree

from flask_babel import gettext as _
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.inlinepatterns import SubstituteTagInlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

_FENCE_OPEN = re.compile(r"^(?P<lead>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_LANGUAGE = re.compile(r"^\{?\s*\.?([A-Za-z0-9_+#-]+)")
_MARKER = re.compile(r"^(?P<indent> *)(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap> +|$)")
_ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_RULE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")
_BLOCK_TAGS = ("div", "details", "figure", "section", "aside", "article", "blockquote", "center")
_OPEN_BLOCK_TAG = re.compile(
    r"^ {0,3}<(?P<tag>" + "|".join(_BLOCK_TAGS) + r")(?P<attrs>(?:\s[^<>]*)?)>", re.I
)


class FenceInfoPreprocessor(Preprocessor):
    """Keep only the language of a fence's info string: "rust,ignore" -> "rust"; and collect
    the URLs of raw HTML outside code, line by line, so that what the checker sees of a line
    does not depend on the lines around it."""

    def __init__(self, md, session):
        super().__init__(md)
        self.session = session  # .found: the list this conversion reports URLs to

    def run(self, lines: list[str]) -> list[str]:
        out = []
        open_fence: str | None = None
        for line in lines:
            match = _FENCE_OPEN.match(line)
            if match is None:
                if open_fence is None and "<" in line:
                    self.session.found.extend(raw_html_urls(_CODE_SPAN.sub("", line)))
                    line = _without_authors_attributes(line)
                out.append(line)
                continue
            fence, info = match.group("fence"), match.group("info").strip()
            if open_fence is not None:
                if fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not info:
                    open_fence = None
                out.append(line)
                continue
            open_fence = fence
            language = _LANGUAGE.match(info)
            name = language.group(1) if language else ""
            out.append(f"{match.group('lead')}{fence}{name}")
        return out


_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?>")
_AUTHORS_ATTRIBUTE = re.compile(
    r"""\s(?:class|id|style|rel)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)""", re.I
)


def _without_authors_attributes(line: str) -> str:
    """The line with class, id, style and rel taken out of its HTML tags (not in code spans):
    those the sanitizer lets through are the pipeline's own, never an author's."""
    parts = []
    position = 0
    for code in _CODE_SPAN.finditer(line):
        parts.append(_strip_tags(line[position : code.start()]))
        parts.append(code.group())
        position = code.end()
    parts.append(_strip_tags(line[position:]))
    return "".join(parts)


def _strip_tags(text: str) -> str:
    return _TAG.sub(lambda tag: _AUTHORS_ATTRIBUTE.sub("", tag.group()), text)


class AttrListIgnoringNames(AttrListTreeprocessor):
    """Attribute lists ("{ .md-button }", "{: .callout}") are read and leave the text, but
    only size and wording attributes are kept: never a class, id, style or rel."""

    KEPT = {"width", "height", "alt", "title"}

    def assign_attrs(self, elem, attrs_string, *, strict=False):
        scratch = etree.Element(elem.tag)
        remainder = super().assign_attrs(scratch, attrs_string, strict=strict)
        for name, value in scratch.attrib.items():
            if name in self.KEPT:
                elem.set(name, value)
        return remainder


def _expand(line: str) -> str:
    return line.expandtabs(4) if "\t" in line else line


class ListIndentPreprocessor(Preprocessor):
    """Re-indent list items from CommonMark's columns to Python-Markdown's 4 per level.

    Python-Markdown also needs a blank line where CommonMark does not: before a list that
    interrupts a paragraph, and after a code fence that a list item follows. Those blank lines
    are added (the only lines this pipeline adds; the checker counts lines in the source).

    A list item indented past the marker of the item above but short of its text is, for
    CommonMark and here, not nested: the author is warned at its line how to indent it.
    """

    def __init__(self, md, session):
        super().__init__(md)
        self.session = session  # .warnings: (line, message) for the checker

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        # One entry per open list item: (column of its text in the source, column wanted).
        stack: list[tuple[int, int]] = []
        markers: list[int] = []  # the column of each open item's marker
        fence: tuple[str, int, int] | None = None  # (marker, source column, wanted column)
        previous_blank = True
        closed_fence = False
        for number, raw in enumerate(lines, start=1):
            line = _expand(raw)
            stripped = line.lstrip(" ")
            indent = len(line) - len(stripped)
            if fence is not None:
                marker, column, wanted = fence
                if stripped.startswith(marker) and not stripped.strip(marker[0]).strip():
                    fence = None
                    closed_fence = True
                out.append(self._shift(line, indent, column, wanted) if stack else raw)
                previous_blank = False
                continue
            if not stripped:
                out.append("")
                previous_blank = True
                closed_fence = False
                continue
            marker = _MARKER.match(line)
            if marker and _RULE.match(line):
                marker = None
            lazy = not previous_blank and marker is None
            if marker and (closed_fence or (not previous_blank and not stack)):
                out.append("")  # Python-Markdown starts a list only after a blank line
            closed_fence = False
            if marker and stack and markers[-1] < indent < stack[-1][0]:
                self._warn(number, indent, stack[-1][0])
            if not lazy:
                while stack and indent < stack[-1][0]:
                    stack.pop()
                    markers.pop()
            if marker and (stack or indent <= 3) and not (stack and indent >= stack[-1][0] + 4):
                gap = len(marker.group("gap"))
                width = len(marker.group("marker"))
                text_column = indent + width + (gap if 0 < gap <= 4 else 1)
                wanted = stack[-1][1] if stack else 0
                if not stack and indent > 0:
                    wanted = 0
                out.append(" " * wanted + stripped)
                stack.append((text_column, wanted + 4))
                markers.append(indent)
            elif stack:
                column, wanted = stack[-1]
                if lazy and indent < column:
                    out.append(" " * wanted + stripped)
                else:
                    out.append(self._shift(line, indent, column, wanted))
            elif _ATX_HEADING.match(line):  # "  ## Title ##  ": a heading, as in CommonMark
                out.append(stripped.rstrip())
            else:
                out.append(raw)
            opened = _FENCE_OPEN.match(line)
            if opened and not opened.group("lead").strip(" "):
                column, wanted = stack[-1] if stack else (0, 0)
                fence = (opened.group("fence"), column, wanted)
            previous_blank = False
        return out

    def _warn(self, number: int, indent: int, needed: int) -> None:
        self.session.warnings.append((number, _(
            "this list item is indented %(indent)s spaces, which does not nest it under the item "
            "above: indent it %(needed)s spaces (to where the text of that item starts) to make "
            "it a sub-item, or not at all to continue the list", indent=indent, needed=needed)))  # fmt: skip

    @staticmethod
    def _shift(line: str, indent: int, column: int, wanted: int) -> str:
        return " " * max(0, wanted + indent - column) + line.lstrip(" ")


_DEFINITION = re.compile(r"^ {0,3}:[ \t]+\S")


class DefinitionListPreprocessor(Preprocessor):
    """A term written right under the previous definition starts a new term (as authors
    mean it), not a continuation nested inside that definition: Python-Markdown would nest
    each such pair one level deeper and run out of recursion on a long glossary."""

    def run(self, lines: list[str]) -> list[str]:
        out = list(lines)
        for index in range(1, len(lines) - 1):
            term, before = lines[index], lines[index - 1]
            if (
                _DEFINITION.match(lines[index + 1])
                and term.strip()
                and not term.startswith((" ", "\t"))
                and (_DEFINITION.match(before) or (before.startswith("    ") and before.strip()))
            ):
                out[index] = "\n" + term
        return out


class HtmlBlockPreprocessor(Preprocessor):
    """Mark block tags followed by a blank line as holding Markdown (GitHub's rule)."""

    def run(self, lines: list[str]) -> list[str]:
        out = list(lines)
        fence: str | None = None
        for index, line in enumerate(lines):
            opened = _FENCE_OPEN.match(line)
            if opened:
                fence = None if fence else opened.group("fence")
                continue
            if fence:
                continue
            match = _OPEN_BLOCK_TAG.match(line)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if match and not following.strip() and "markdown" not in match.group("attrs"):
                end = match.end() - 1
                out[index] = line[:end].rstrip("/") + ' markdown="1"' + line[end:]
        return out


_RAW_URL = re.compile(
    r"<(?P<tag>[A-Za-z][A-Za-z0-9]*)\b[^>\n]*?[\s/](?P<name>src|href|data|srcset|poster)\s*=\s*"
    r"(?P<value>\"[^\"\n]*\"?|'[^'\n]*'?|[^\s>]+)(?=[^>\n]*>)",  # a tag closed on its line
    re.I,
)


def raw_html_urls(fragment: str) -> list[tuple[str, str]]:
    """(kind, url) of the images and links written as HTML in a fragment. A pattern rather than
    a parser, so a URL is found whatever surrounds it (broken markup, an unclosed comment)."""
    found = []
    for match in _RAW_URL.finditer(fragment):
        value = html.unescape(match.group("value").strip("\"'")).strip()
        kind = "link" if match.group("tag").lower() == "a" else "image"
        found.append((kind, value))
    return found


class TabsAsSections(Treeprocessor):
    """Content tabs ('=== "Linux"') need form controls to switch; pages show every tab, one
    after the other, each under its label in bold (the sanitizer lets no input through)."""

    def run(self, root: etree.Element) -> None:
        for tabs in root.iter("div"):
            if "tabbed-set" not in (tabs.get("class") or ""):
                continue
            for child in list(tabs):
                if child.tag == "input":
                    tabs.remove(child)
                elif child.tag == "label":
                    child.tag = "p"
                    child.attrib.clear()
                    child.set("class", "tabbed-title")
                    strong = etree.SubElement(child, "strong")
                    strong.text, child.text = child.text, None
                    for grandchild in list(child)[:-1]:
                        child.remove(grandchild)
                        strong.append(grandchild)
                elif child.get("class") == "tabbed-labels":
                    tabs.remove(child)


class GithubExtension(Extension):
    """Fence info strings, list indentation and Markdown in HTML blocks, as on GitHub."""

    def __init__(self, session):
        super().__init__()
        self.session = session

    def extendMarkdown(self, md) -> None:  # noqa: N802  (the Markdown API's name)
        # CommonMark lets a backslash escape any ASCII punctuation character.
        md.ESCAPED_CHARS = sorted(set(md.ESCAPED_CHARS) | set(_ASCII_PUNCTUATION))
        # A backslash at the end of a line is a line break (CommonMark), like two spaces.
        md.inlinePatterns.register(
            SubstituteTagInlineProcessor(r"\\\n", "br"), "w4x_backslash_break", 185
        )
        md.treeprocessors.register(AttrListIgnoringNames(md), "attr_list", 8)
        md.treeprocessors.register(TabsAsSections(md), "w4x_tabs", 7)
        md.preprocessors.register(ListIndentPreprocessor(md, self.session), "w4x_list_indent", 29)
        md.preprocessors.register(FenceInfoPreprocessor(md, self.session), "w4x_fence_info", 28)
        md.preprocessors.register(HtmlBlockPreprocessor(md), "w4x_html_blocks", 27)
        md.preprocessors.register(DefinitionListPreprocessor(md), "w4x_definitions", 26)
