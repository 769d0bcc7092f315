"""Lists as CommonMark nests them, re-indented to Python-Markdown's four columns per level."""

import re

from flask_babel import gettext as _
from markdown.preprocessors import Preprocessor

from wired4ex.markdown_extensions.blocks import EMPTY, SPLIT
from wired4ex.markdown_extensions.fences import opening_fence

_MARKER = re.compile(r"^(?P<indent> *)(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap> +|$)")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\*[ \t]*){3,})$")
_LONG_NUMBER = re.compile(r"^ *(\d{10,})([.)])")


def _cannot_interrupt(marker: re.Match, line: str) -> bool:
    """CommonMark: a list interrupts a paragraph only with an item that has text and, when
    numbered, starts at 1."""
    number = marker.group("marker")[:-1]
    return not line[marker.end() :].strip() or (number.isdigit() and int(number) != 1)


def _expand(line: str) -> str:
    return line.expandtabs(4) if "\t" in line else line


class ListIndentPreprocessor(Preprocessor):
    """Re-indent list items from CommonMark's columns to Python-Markdown's 4 per level.

    Python-Markdown also needs a blank line where CommonMark does not: before a list that
    interrupts a paragraph, and after a code fence that a list item follows. Those blank lines
    are written into the item's own line, so each source line stays one line of the list.

    A list item indented past the marker of the item above but short of its text is, for
    CommonMark and here, not nested: the author is warned at its line how to indent it.
    """

    def __init__(self, md, session):
        super().__init__(md)
        self.session = session  # .warnings: (line, message) for the checker

    def run(self, lines: list[str]) -> list[str]:
        self.session.lines = list(lines)  # the source, for what later steps report at a line
        out: list[str] = []
        # One entry per open list item: (column of its text in the source, column wanted).
        stack: list[tuple[int, int]] = []
        markers: list[int] = []  # the column of each open item's marker
        kinds: list[str] = []  # each open item's bullet ("-", "*", "+") or delimiter (".", ")")
        fence: tuple[str, int, int] | None = None  # (marker, source column, wanted column)
        previous_blank = True
        closed_fence = False
        blank_in_item = False  # a blank line since the last list marker: the list is loose
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
                blank_in_item = blank_in_item or bool(stack)
                closed_fence = False
                continue
            if _LONG_NUMBER.match(line):  # ten digits or more: not a list (CommonMark)
                line = raw = stripped = _LONG_NUMBER.sub(r"\1\\\2", line.lstrip(" "))
            marker = _MARKER.match(line)
            rule = bool(_RULE.match(line))
            if marker and rule:
                marker = None
            if marker and not stack and not previous_blank and _cannot_interrupt(marker, line):
                marker = None  # an empty item, or a number other than 1, under a paragraph
            lazy = not previous_blank and marker is None and not rule
            # Python-Markdown starts a list only after a blank line: one is written into the
            # item's line (the list keeps one item per source line, for line numbers)
            needs_blank = bool(marker) and (
                closed_fence or (not previous_blank and (not stack or blank_in_item))
            )
            closed_fence = False
            if marker and stack and markers[-1] < indent < stack[-1][0]:
                self._warn(number, indent, stack[-1][0])
            had_list = bool(stack)
            popped = None
            if not lazy:
                while stack and indent < stack[-1][0]:
                    stack.pop()
                    markers.pop()
                    popped = kinds.pop()
            if marker and (stack or indent <= 3) and not (stack and indent >= stack[-1][0] + 4):
                gap = len(marker.group("gap"))
                width = len(marker.group("marker"))
                text_column = indent + width + (gap if 0 < gap <= 4 else 1)
                wanted = stack[-1][1] if stack else 0
                if not stack and indent > 0:
                    wanted = 0
                kind = marker.group("marker")[-1]
                text = re.sub(r"^(\d+)\)", r"\1.", stripped)  # "1)" lists, as "1."
                if not line[marker.end() :].strip():
                    text = text.rstrip() + " " + EMPTY
                if popped is not None and popped != kind and not stack:
                    text = f"\n{SPLIT}\n\n" + text  # another bullet or delimiter: a new list
                out.append(" " * wanted + text)
                stack.append((text_column, wanted + 4))
                markers.append(indent)
                kinds.append(kind)
                blank_in_item = False
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
            if rule and had_list and not stack and not previous_blank:
                needs_blank = True  # a thematic break ends the list
            if needs_blank:
                out[-1] = "\n" + out[-1]
            opened = opening_fence(line)
            if opened and not opened[0]:
                column, wanted = stack[-1] if stack else (0, 0)
                fence = (opened[2], column, wanted)
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
