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

import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.inlinepatterns import SubstituteTagInlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from wired4ex.markdown_extensions import commonmark
from wired4ex.markdown_extensions.blocks import BlockPreprocessor, SplitMarks
from wired4ex.markdown_extensions.checks import HeadingCheck
from wired4ex.markdown_extensions.fences import FencePreprocessor
from wired4ex.markdown_extensions.lists import ListIndentPreprocessor
from wired4ex.markdown_extensions.raw_html import HtmlBlockPreprocessor

_ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


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
        commonmark.register(md)
        md.treeprocessors.register(AttrListIgnoringNames(md), "attr_list", 8)
        md.treeprocessors.register(TabsAsSections(md), "w4x_tabs", 7)
        md.treeprocessors.register(HeadingCheck(md, self.session), "w4x_headings", 6)
        md.preprocessors.register(ListIndentPreprocessor(md, self.session), "w4x_list_indent", 29)
        md.preprocessors.register(FencePreprocessor(md, self.session), "w4x_fences", 28)
        md.preprocessors.register(BlockPreprocessor(md), "w4x_blocks", 27.5)
        md.treeprocessors.register(SplitMarks(md), "w4x_split_marks", 19)
        md.preprocessors.register(HtmlBlockPreprocessor(md), "w4x_html_blocks", 27)
        md.preprocessors.register(DefinitionListPreprocessor(md), "w4x_definitions", 26)
