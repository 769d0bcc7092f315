"""Limits on the Markdown that wired4ex.markup renders (documented in content/README.md).

Python-Markdown recurses once per level of nested lists, blockquotes and emphasis, and some of its
inline patterns take time that grows with the square of a paragraph's length: `check_limits`
refuses such text before it is parsed, and MarkupError carries the line to report.
"""

import re

from flask_babel import gettext as _

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
