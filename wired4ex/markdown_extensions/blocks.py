"""Top-level blocks where Python-Markdown's reading differs from CommonMark's.

- A setext heading ("Title" over "===" or "---") may span several lines of text: it is
  rewritten as an ATX heading on its first line ("## Title more"), the other lines left blank.
- "---" right under a block quote is a thematic break that ends the quote, not a heading.
- A block quote ends at a line without ">" after an empty quote line (">"), and two quotes
  with a blank line between are two quotes: an invisible split mark (SPLIT) keeps them apart,
  and SplitMarks takes it out of the tree.
- An empty list item ("-" alone) holds an invisible mark (EMPTY), taken out the same way.
"""

import re
import xml.etree.ElementTree as etree

from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from wired4ex.markdown_extensions.fences import opening_fence

SPLIT = "\ue000"  # a paragraph of its own between two blocks Python-Markdown would merge
EMPTY = "\ue001"  # the text of an empty list item
_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\*[ \t]*){3,})$")
_STARTS_BLOCK = re.compile(r"^ {0,3}(?:>|#{1,6}(?:\s|$)|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|<|\|)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_ATX_CLOSING = re.compile(r"\s#+$")


class BlockPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        paragraph: int | None = None  # index in out of the current top-level paragraph's start
        in_list = False
        fence: str | None = None
        previous = ""
        for line in lines:
            if fence is not None:
                stripped = line.strip()
                if stripped.startswith(fence) and not stripped.strip(fence[0]):
                    fence = None
                out.append(line)
                previous = line
                continue
            opened = opening_fence(line)
            if opened is not None and not opened[0]:
                fence = opened[2]
                paragraph = None
                out.append(line)
                previous = line
                continue
            blank = not line.strip()
            indent = len(line) - len(line.lstrip(" "))
            quoted = previous.lstrip(" ").startswith(">")
            if blank:
                paragraph = None
            elif indent < 4 and re.match(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)", line):
                in_list, paragraph = True, None
            elif in_list and indent < 4 and not previous.strip():
                in_list = False
            if blank or in_list:
                out.append(line)
                previous = line
                continue
            underline = _UNDERLINE.match(line)
            if underline and paragraph is None and _DEFINITION.match(previous):
                # under a link reference definition: "===" is text, "---" a thematic break
                line = "\\" + line.lstrip(" ") if "=" in line else "\n" + line
                out.append(line)
            elif underline and paragraph is not None:
                level = "#" if underline.group(1)[0] == "=" else "##"
                text = " ".join(part.strip() for part in out[paragraph:])
                if _ATX_CLOSING.search(text):
                    text += " \u200b"
                out[paragraph] = f"{level} {text}"
                for index in range(paragraph + 1, len(out)):
                    out[index] = ""
                out.append("")
                paragraph = None
            elif quoted and not line.lstrip(" ").startswith(">"):
                if _RULE.match(line) or previous.strip() == ">":
                    line = "\n" + line  # the quote ends here
                out.append(line)
                paragraph = None
            elif line.lstrip(" ").startswith(">") and not quoted and not previous.strip():
                if out[-2:-1] and out[-2].lstrip(" ").startswith(">"):
                    out[-1] = f"\n{SPLIT}\n"  # "> a", "", "> b": two quotes
                out.append(line)
            else:
                if _RULE.match(line) and paragraph is None and previous.strip():
                    line = "\n" + line  # "***" over "---": two breaks, not a heading
                if _DEFINITION.match(line):
                    paragraph = None  # a link reference definition is not a paragraph
                elif paragraph is None and indent < 4 and not _RULE.match(line):
                    if not _STARTS_BLOCK.match(line):
                        paragraph = len(out)
                elif _RULE.match(line) or _STARTS_BLOCK.match(line):
                    paragraph = None
                out.append(line)
            previous = line
        return "\n".join(out).split("\n")


class SplitMarks(Treeprocessor):
    """Take the split and empty-item marks out of the tree; in a loose list (one item holds a
    paragraph) every item's text is a paragraph, as CommonMark renders it."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            if parent.tag in {"ul", "ol"}:
                _loosen(parent)
            for child in list(parent):
                if child.tag == "p" and (child.text or "").strip() == SPLIT and not len(child):
                    parent.remove(child)
                elif child.tag == "li":
                    if child.text and EMPTY in child.text:
                        child.text = child.text.replace(EMPTY, "").strip()
                    for paragraph in list(child):
                        if paragraph.tag == "p" and (paragraph.text or "").strip() == EMPTY:
                            child.remove(paragraph)


_INLINE = {"a", "abbr", "code", "del", "em", "img", "kbd", "mark", "s", "small", "span", "strong",
           "sub", "sup", "br", "input"}  # fmt: skip


def _loosen(items: etree.Element) -> None:
    if not any(child.tag == "p" for item in items for child in item):
        return
    for item in items:
        if item.tag != "li" or not (
            (item.text or "").strip() or (len(item) and item[0].tag in _INLINE)
        ):
            continue
        paragraph = etree.Element("p")
        paragraph.text, item.text = item.text, None
        while len(item) and item[0].tag in _INLINE:
            child = item[0]
            item.remove(child)
            paragraph.append(child)
        if len(paragraph) and paragraph[-1].tail:
            paragraph[-1].tail = paragraph[-1].tail.rstrip("\n ") or None
        item.insert(0, paragraph)
