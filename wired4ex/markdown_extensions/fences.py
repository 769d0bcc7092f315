"""Code fences read as CommonMark reads them, rewritten into the form superfences accepts.

superfences recognises a fence only when its opening, closing and content lines share the same
indentation and the info string is a bare language name. CommonMark is more generous, and real
lessons use that: "```rust,ignore", "``` yaml title=x", a closing fence longer than the opening
one or indented differently, a fence indented 1 to 3 spaces whose content is indented less, a
fence right under a paragraph line, a fence that is never closed (it runs to the end of the text
or of its block quote). This preprocessor finds fences by those rules and writes each one as
superfences wants it. It is also the renderer's own record of where fences are, so the checker
reports an unclosed fence from here, at its line.

Raw HTML outside fences is read here too, line by line: the URLs of <img> and <a> are collected
like Markdown's, and authors' class, id, style and rel are taken out of tags.
"""

import html
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markdown.preprocessors import Preprocessor

from wired4ex.markdown_extensions.raw_html import raw_html_urls, without_authors_attributes

_QUOTES = re.compile(r"^(?: {0,3}> ?)*")
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_LANGUAGE = re.compile(r"^\{?\s*\.?([A-Za-z0-9_+#-]+)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass
class _Open:
    quotes: str  # the block-quote markers before the fence, as written
    depth: int  # how many of them
    indent: int
    fence: str
    line: int  # 1-based line of the opening fence


def fence_language(info: str) -> str:
    """The language a fence's info string names: "rust,ignore" -> "rust", "{.py}" -> "py"."""
    info = html.unescape(_ESCAPE.sub(r"\1", info.strip()))
    match = _LANGUAGE.match(info)
    return match.group(1) if match else ""


def opening_fence(line: str) -> tuple[str, int, str, str] | None:
    """(quote markers, indentation, fence, info) when the line opens a code fence."""
    quotes = _QUOTES.match(line).group()
    match = _FENCE.match(line[len(quotes) :])
    if match is None:
        return None
    fence, info = match.group("fence"), match.group("info")
    if fence[0] == "`" and "`" in info:
        return None  # "``` a`b": an inline code span, not a fence
    return quotes, len(match.group("indent")), fence, info


class FencePreprocessor(Preprocessor):
    """Rewrite CommonMark fences as superfences reads them; report unclosed ones.

    Each source line stays one item of the list (a blank line added before or after a fence
    is written into the same item), so the line numbers reported are those of the text."""

    def __init__(self, md, session):
        super().__init__(md)
        self.session = session  # .found (URLs), .problems (line, message)

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        state: _Open | None = None
        blank_after = False  # a top-level fence just closed: the next text needs a blank line
        for number, line in enumerate(lines, start=1):
            if state is not None:
                quotes = _QUOTES.match(line).group()
                depth = quotes.count(">")
                rest = line[len(quotes) :]
                ended = depth < state.depth or (
                    state.indent >= 4 and rest.strip() and _indent(rest) < state.indent
                )
                if not ended:
                    closing = _FENCE.match(rest)
                    if (
                        closing
                        and closing.group("fence")[0] == state.fence[0]
                        and len(closing.group("fence")) >= len(state.fence)
                        and not closing.group("info").strip()
                        and _indent(rest) < max(state.indent, 0) + 4
                    ):
                        out.append(self._fence_line(state))
                        blank_after = state.indent < 4 and not state.depth
                        state = None
                        continue
                    if 0 < state.indent < 4:  # content loses up to the fence's indentation
                        rest = rest[min(state.indent, _indent(rest)) :]
                    out.append(quotes + rest if rest.strip() else line)
                    continue
                out[-1] += "\n" + self._fence_line(state)  # closed by the end of its container
                state = None
                blank_after = True
            opened = opening_fence(line)
            if opened is None:
                if blank_after and line.strip():
                    line = "\n" + line
                blank_after = False
                out.append(self._raw_html(line))
                continue
            quotes, indent, fence, info = opened
            state = _Open(quotes, quotes.count(">"), indent, fence, number)
            text = self._fence_line(state) + fence_language(info)
            if out and out[-1].strip() and not quotes and indent < 4:
                text = "\n" + text  # a fence may interrupt a paragraph (CommonMark)
            blank_after = False
            out.append(text)
        if state is not None:  # runs to the end of the text, less its trailing blank lines
            last = max(i for i, text in enumerate(out) if text.strip() or i == state.line - 1)
            out[last] += "\n" + self._fence_line(state)
            self.session.problems.append((state.line, _(
                "code block is not closed with %(fence)s: add a line with %(fence)s where the "
                "code ends", fence=state.fence)))  # fmt: skip
        return "\n".join(out).split("\n")

    @staticmethod
    def _fence_line(state: _Open) -> str:
        return state.quotes + (" " * state.indent if state.indent >= 4 else "") + state.fence

    def _raw_html(self, line: str) -> str:
        if "<" not in line:
            return line
        self.session.found.extend(raw_html_urls(_CODE_SPAN.sub("", line)))
        return without_authors_attributes(line)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))
