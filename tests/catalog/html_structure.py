"""Compare two HTML renderings of the same Markdown by their structure, not their bytes.

Used by the CommonMark spec test and the fidelity test against GitHub's renderer (cmark-gfm).
Both sides are parsed with the standard library's HTML parser; what the project adds or removes
by design (heading ids, rel on external links, the "(external site)" marker, authors' classes)
is left out of the comparison.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK = {"p", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
         "table", "thead", "tbody", "tr", "th", "td", "div", "dl", "dt", "dd", "details",
         "summary", "figure", "figcaption", "br"}  # fmt: skip
KEPT_ATTRIBUTES = {"href", "src", "alt", "title", "start", "type", "checked", "align"}
VOID = {"br", "hr", "img", "input"}
MARKER_CLASS = "external-link"  # the pipeline's marker for links that leave the site


class _Tokens(HTMLParser):
    """A normalised token list: tags with the attributes that matter, and text with its
    whitespace collapsed (kept as is inside <pre>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []
        self.pre = 0
        self.skip = 0  # depth inside the external-site marker, left out

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.skip or (tag == "span" and MARKER_CLASS in (attributes.get("class") or "")):
            if tag not in VOID:
                self.skip += 1
            return
        kept = []
        for name, value in sorted(attributes.items()):
            if name in KEPT_ATTRIBUTES:
                if name == "start" and value == "1":
                    continue
                if name in {"checked", "disabled"}:
                    value = ""
                kept.append(f' {name}="{value or ""}"')
            elif name == "class" and tag == "code" and value:
                languages = [c for c in value.split() if c.startswith("language-")]
                if languages:
                    kept.append(f' class="{languages[0]}"')
        if tag == "pre":
            self.pre += 1
        self.tokens.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and not self.skip:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skip:
            if tag not in VOID:
                self.skip -= 1
            return
        if tag in VOID:
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        self.tokens.append(f"</{tag}>")

    def handle_data(self, data):
        if self.skip:
            return
        text = data if self.pre else re.sub(r"\s+", " ", data)
        if self.tokens and self.tokens[-1].startswith("#"):
            self.tokens[-1] += text
        else:
            self.tokens.append("#" + text)


def normalise(markup: str) -> str:
    """One line per tag or text run; whitespace next to block tags dropped."""
    parser = _Tokens()
    parser.feed(markup)
    parser.close()
    out: list[str] = []
    tokens = parser.tokens
    for index, token in enumerate(tokens):
        if token.startswith("#"):
            text = token[1:]
            before = tokens[index - 1] if index else "<p>"
            after = tokens[index + 1] if index + 1 < len(tokens) else "</p>"
            if _tag_name(before) in BLOCK and not before.startswith("<pre"):
                text = text.lstrip(" ") if not before.startswith("<code") else text
            if _tag_name(after) in BLOCK:
                text = text.rstrip(" ")
            if _tag_name(before) == "code" and before.startswith("<code"):
                text = text.rstrip("\n") if _tag_name(after) == "code" else text
            if text:
                out.append("#" + text)
        else:
            out.append(token)
    return "\n".join(out)


def _tag_name(token: str) -> str:
    match = re.match(r"</?([a-z0-9]+)", token)
    return match.group(1) if match else ""


@dataclass
class Structure:
    """What an author would notice: headings, lists, code, tables, links, images, quotes, text."""

    headings: list[tuple[int, str]] = field(default_factory=list)
    list_items: int = 0
    list_depth: int = 0
    code_blocks: list[str] = field(default_factory=list)  # the language of each ("" for none)
    tables: int = 0
    cells: int = 0
    links: int = 0
    images: int = 0
    blockquotes: int = 0
    task_boxes: int = 0
    text_length: int = 0


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.result = Structure()
        self.lists = 0
        self.heading: tuple[int, list[str]] | None = None
        self.pre = False
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.skip or (tag == "span" and MARKER_CLASS in (attributes.get("class") or "")):
            if tag not in VOID:
                self.skip += 1
            return
        r = self.result
        if tag in {"ul", "ol"}:
            self.lists += 1
            r.list_depth = max(r.list_depth, self.lists)
        elif tag == "li":
            r.list_items += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.heading = (int(tag[1]), [])
        elif tag == "pre":
            self.pre = True
            r.code_blocks.append("")
        elif tag == "code" and self.pre:
            for name in (attributes.get("class") or "").split():
                if name.startswith("language-"):
                    r.code_blocks[-1] = name.removeprefix("language-").split(",")[0]
        elif tag == "table":
            r.tables += 1
        elif tag in {"td", "th"}:
            r.cells += 1
        elif tag == "a" and attributes.get("href") is not None:
            r.links += 1
        elif tag == "img":
            r.images += 1
        elif tag == "blockquote":
            r.blockquotes += 1
        elif tag == "input" and attributes.get("type") == "checkbox":
            r.task_boxes += 1
        elif tag == "span" and "task-list-indicator" in (attributes.get("class") or ""):
            r.task_boxes += 1  # the pipeline shows a task's box as a glyph, not a form control

    def handle_endtag(self, tag):
        if self.skip:
            if tag not in VOID:
                self.skip -= 1
            return
        if tag in {"ul", "ol"}:
            self.lists -= 1
        elif re.fullmatch(r"h[1-6]", tag) and self.heading:
            level, words = self.heading
            self.result.headings.append((level, " ".join("".join(words).split())))
            self.heading = None
        elif tag == "pre":
            self.pre = False

    def handle_data(self, data):
        if self.skip:
            return
        if self.heading:
            self.heading[1].append(data)
        self.text.append(data)


def structure(markup: str) -> Structure:
    """The Structure of an HTML fragment."""
    parser = _Structure()
    parser.feed(markup)
    parser.close()
    result = parser.result
    result.text_length = len("".join(html.unescape(t) for t in parser.text).split())
    return result


def differences(ours: Structure, theirs: Structure) -> list[str]:
    """How ours differs from theirs, in words; empty when an author would see the same page.

    Counts of elements must match exactly, except list items, links and images (within 10 %)
    and the visible text, counted in words (within 10 %)."""
    found = []
    if [level for level, _ in ours.headings] != [level for level, _ in theirs.headings]:
        found.append(
            f"headings {[h for h in ours.headings if h not in theirs.headings][:3]} "
            f"vs {[h for h in theirs.headings if h not in ours.headings][:3]}"
        )
    for name in ("list_depth", "tables", "cells", "blockquotes", "task_boxes"):
        if getattr(ours, name) != getattr(theirs, name):
            found.append(f"{name} {getattr(ours, name)} vs {getattr(theirs, name)}")
    if ours.code_blocks != theirs.code_blocks:
        found.append(f"code blocks {ours.code_blocks} vs {theirs.code_blocks}")
    for name in ("list_items", "links", "images", "text_length"):
        mine, github = getattr(ours, name), getattr(theirs, name)
        if abs(mine - github) > max(1, github // 10):
            found.append(f"{name} {mine} vs {github}")
    return found
