"""The CommonMark spec as a test: every example outside the raw-HTML sections, rendered by
render_markdown and compared with the spec's HTML after normalising both sides
(tests/catalog/html_structure.py). The spec's HTML first goes through the same sanitizer as ours
(wired4ex.markup.sanitize): a page never shows an unclosed tag or a link with a scheme other than
http, https and mailto, so an example whose only difference is what the sanitizer does by design
is not counted against the renderer. Issue 20 asks for 90 %; the rate is printed on each run, and
the examples that differ, and why, are listed in KNOWN_GAPS."""

import json

from tests.catalog.html_structure import normalise
from tests.conftest import DATA
from wired4ex.markup import MarkupError, render_markdown, sanitize

SPEC = json.loads((DATA / "commonmark" / "spec.json").read_text(encoding="utf-8"))
RAW_HTML_SECTIONS = {"HTML blocks", "Raw HTML"}
EXAMPLES = [example for example in SPEC if example["section"] not in RAW_HTML_SECTIONS]
TARGET = 0.90  # issue 20, item 9

# The examples where the pipeline differs from the spec, each with the reason it is accepted.
# An example that starts to differ and is not listed fails the test, as does the rate below 90 %.
_GAPS = {
    "Python-Markdown expands tabs to spaces before parsing, so a tab inside code is shown as "
    "spaces": [1, 2, 3, 7],
    "Python-Markdown drops trailing spaces and whitespace-only lines inside code blocks": [
        112, 118, 129],
    "an escaped or undefined entity ('\\&ouml;', '&x;', '&#87654321;') is kept as entity text, "
    "which the browser shows decoded": [14, 28],
    "a raw tag alone on a line is an HTML block in CommonMark, left unclosed; the sanitizer "
    "closes it and Python-Markdown puts it in a paragraph": [21, 31, 476, 477, 642, 643],
    "a language name with characters other than letters, digits, _ + # - is dropped: the "
    "sanitizer keeps only such class names": [34],
    "link reference definitions over several lines, with <...> on the next line or escaped "
    "brackets in the label: Python-Markdown's definition is one line": [194, 195, 196, 201],
    "CommonMark takes whichever of a code span, raw HTML or autolink starts first; Python-Markdown "
    "takes them in a fixed order, and a backtick run without a match": [344, 346, 347],
    "lazy continuation lines of a block quote indented 4 spaces or more": [236, 238],
    "list items that start with indented code or a blank line, or hold a setext heading": [
        257, 264, 273, 274, 278, 280, 300],
    "list markers indented 4 or more spaces past the item above: the pipeline nests them (and "
    "warns at the line) where CommonMark reads text or code": [312, 313],
    "a fence or quote right under a list item's text (no blank line), and a tight list whose "
    "nested item is loose: Python-Markdown makes the item loose": [318, 319, 320, 321, 324],
    "links inside links and runs of bracketed labels: Python-Markdown matches brackets left to "
    "right without CommonMark's delimiter stack": [491, 494, 518, 519, 520, 532, 533, 549, 550,
                                                   559, 569, 571],
    "bare URLs and e-mail addresses are linked, as on GitHub (its autolink extension)": [
        608, 611, 612],
    "a setext heading whose text opens a code span closed after the underline": [91],
}  # fmt: skip
KNOWN_GAPS = {number: reason for reason, numbers in _GAPS.items() for number in numbers}


def _render(markdown: str) -> str:
    try:
        return render_markdown(markdown).html
    except MarkupError as error:
        return f"<p>MarkupError: {error.message}</p>"


def test_commonmark_spec_examples_pass_rate(app, capsys):
    failures: dict[str, list[int]] = {}
    with app.test_request_context():
        for example in EXAMPLES:
            expected = normalise(sanitize(example["html"]))
            if normalise(_render(example["markdown"])) != expected:
                failures.setdefault(example["section"], []).append(example["example"])
    failed = sum(len(numbers) for numbers in failures.values())
    passed = len(EXAMPLES) - failed
    rate = passed / len(EXAMPLES)
    with capsys.disabled():
        print(f"\nCommonMark spec: {passed} of {len(EXAMPLES)} examples match ({rate:.1%})")
        for section, numbers in sorted(failures.items(), key=lambda item: -len(item[1])):
            print(f"  {section}: {len(numbers)} differ: {numbers}")
        print(f"  ({len(KNOWN_GAPS)} accepted differences, listed with their reasons in the test)")
    new = sorted(n for numbers in failures.values() for n in numbers if n not in KNOWN_GAPS)
    assert not new, f"examples that now differ from the spec: {new}"
    assert rate >= TARGET, f"{rate:.1%} of the spec examples match, below {TARGET:.0%}"
