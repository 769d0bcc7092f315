"""What the checker learns from the renderer's own tree: headings, at their line.

The tree has no line numbers, so each heading is placed on the first heading-looking source
line, after the previous heading's, that holds its first word (among the next few); what is a
heading (and its level) is the parser's decision, never a second reading of the source."""

import re
import xml.etree.ElementTree as etree

from flask_babel import gettext as _
from markdown.treeprocessors import Treeprocessor

_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_ATX = re.compile(r"^[ >]*#{1,6}(?:\s|$)")
_UNDERLINE = re.compile(r"^[ >]*(?:=+|-+)\s*$")
_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")
LOOK_AHEAD = 20  # candidate lines searched for a heading's text (keeps the search linear)


class HeadingCheck(Treeprocessor):
    """Warn about headings an author would not mean: empty, a second page title (#), or a level
    skipped (a page's title is its level 1; screen readers list headings by level)."""

    def __init__(self, md, session):
        super().__init__(md)
        self.session = session  # .lines (the source), .warnings

    def run(self, root: etree.Element) -> None:
        lines = self.session.lines
        candidates = [  # the lines that may hold a heading, in order
            index
            for index, line in enumerate(lines)
            if _ATX.match(line)
            or (line.strip() and index + 1 < len(lines) and _UNDERLINE.match(lines[index + 1]))
        ]
        position = 0  # in candidates
        previous = 1  # the page's own title
        for element in root.iter():
            level = _HEADINGS.get(element.tag)
            if level is None:
                continue
            text = _PLACEHOLDER.sub("", "".join(element.itertext())).strip()
            position = _candidate_for(lines, candidates, text, position)
            line = candidates[position] + 1 if position < len(candidates) else len(lines) or 1
            if not text:
                self._warn(line, _("this heading has no text"))
            elif level == 1:
                self._warn(line, _(
                    "a level-1 heading (#) repeats the page title's level: start the headings "
                    "of a text at ## (the title is shown from its title field)"))  # fmt: skip
            elif level > previous + 1:
                self._warn(line, _(
                    "this heading skips from level %(previous)s to level %(level)s: write "
                    "%(hashes)s (screen readers list headings by level)",
                    previous=previous, level=level, hashes="#" * (previous + 1)))  # fmt: skip
            previous = level
            position += 1

    def _warn(self, line: int, message: str) -> None:
        self.session.warnings.append((line, message))


def _candidate_for(lines: list[str], candidates: list[int], text: str, start: int) -> int:
    """The position in candidates of the line of a heading with this text: the first of the
    next few candidate lines that holds its first word, else the next one."""
    word = text.split()[0] if text.split() else ""
    for position in range(start, min(start + LOOK_AHEAD, len(candidates))):
        if word in lines[candidates[position]]:
            return position
    return start
