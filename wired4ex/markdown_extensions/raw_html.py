"""Raw HTML in Markdown: the URLs it links to, authors' attributes taken out, and Markdown inside
block tags (GitHub's rule: an opening block tag followed by a blank line holds Markdown)."""

import html
import re

from markdown.preprocessors import Preprocessor

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?>")
_AUTHORS_ATTRIBUTE = re.compile(
    r"""\s(?:class|id|style|rel)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)""", re.I
)
_RAW_URL = re.compile(
    r"<(?P<tag>[A-Za-z][A-Za-z0-9]*)\b[^>\n]*?[\s/](?P<name>src|href|data|srcset|poster)\s*=\s*"
    r"(?P<value>\"[^\"\n]*\"?|'[^'\n]*'?|[^\s>]+)(?=[^>\n]*>)",  # a tag closed on its line
    re.I,
)
_BLOCK_TAGS = ("div", "details", "figure", "section", "aside", "article", "blockquote", "center")
_OPEN_BLOCK_TAG = re.compile(
    r"^ {0,3}<(?P<tag>" + "|".join(_BLOCK_TAGS) + r")(?P<attrs>(?:\s[^<>]*)?)>", re.I
)
_FENCE = re.compile(r"^[ >]*(`{3,}|~{3,})")


def raw_html_urls(fragment: str) -> list[tuple[str, str]]:
    """(kind, url) of the images and links written as HTML in a fragment. A pattern rather than
    a parser, so a URL is found whatever surrounds it (broken markup, an unclosed comment)."""
    found = []
    for match in _RAW_URL.finditer(fragment):
        value = html.unescape(match.group("value").strip("\"'")).strip()
        kind = "link" if match.group("tag").lower() == "a" else "image"
        found.append((kind, value))
    return found


def without_authors_attributes(line: str) -> str:
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


class HtmlBlockPreprocessor(Preprocessor):
    """Mark block tags followed by a blank line as holding Markdown (GitHub's rule)."""

    def run(self, lines: list[str]) -> list[str]:
        out = list(lines)
        fence: str | None = None
        for index, line in enumerate(lines):
            opened = _FENCE.match(line)
            if opened:
                fence = None if fence else opened.group(1)
                continue
            if fence:
                continue
            match = _OPEN_BLOCK_TAG.match(line)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if match and not following.strip() and "markdown" not in match.group("attrs"):
                end = match.end() - 1
                out[index] = line[:end].rstrip("/") + ' markdown="1"' + line[end:]
        return out
