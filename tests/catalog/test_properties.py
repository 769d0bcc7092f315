"""Property-based tests (hypothesis) of the Markdown pipeline, the quiz parser and front matter:
no exception but the reported content error, sanitising is idempotent, plain text survives.

The profile is local to this file (applied with a decorator, not loaded globally, so other suites
that use hypothesis keep theirs): derandomized, so every run tries the same examples, with no
example database written into the repository, no deadline, and few enough examples that the
file runs in seconds.
"""

import contextlib
import html
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wired4ex.catalog.quiz import MAX_OPTIONS, parse_quiz
from wired4ex.catalog.sources import SourceError, load_yaml_mapping, read_markdown
from wired4ex.markup import MarkupError, render_markdown, sanitize

settings.register_profile(
    "w4x-properties",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=False,
)
PROFILE = settings(settings.get_profile("w4x-properties"))

# Text made mostly of Markdown and HTML syntax, with some letters and any other character.
SYNTAX = list("*_[]()<>!`#-+.:|\\\n\t &;\"'=/?%{}~^1aZ ")
markdownish = st.text(
    alphabet=st.one_of(st.sampled_from(SYNTAX), st.characters(codec="utf-8")), max_size=400
)
TOKENS = [
    "<script>alert(1)</script>", "<a href=\"javascript:alert(1)\">x</a>", "<img src=x onerror=y>",
    "<div>", "</div>", "<em>", "</p>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x3C;", "&lt;",
    "[x](javascript:alert(1))", "![i](media/a.png)", "```", "~~~", "    ", "> ", "- ", "1. ",
    "[^1]", "[^1]: note", "*[HMIS]: Health", "!!! note", "| a | b |\n|---|---|", "\n\n",
    "<svg><style>", "<table><td>", "<math>", "<noscript>", "<template>", "<select><option>",
]  # fmt: skip
html_like = st.lists(st.one_of(st.sampled_from(TOKENS), markdownish), max_size=12).map("".join)
any_text = st.one_of(markdownish, html_like)


@PROFILE
@given(any_text)
@example("- " * 1000 + "x")  # nested lists one marker at a time: a RecursionError before
@example(">" * 10_000)
@example("*" * 2000 + "x" + "*" * 2000)
def test_rendering_raises_nothing_but_a_markup_error(source):
    try:
        rendered = render_markdown(source)
    except MarkupError as error:
        assert error.line >= 1 and error.message
        return
    assert isinstance(rendered.html, str) and isinstance(rendered.toc_html, str)


@PROFILE
@given(any_text)
@example('<a href="x">a</a><p title="a">b</p>')
@example("<table><tr><td>cell</td></tr></table>")
def test_sanitising_is_idempotent(text):
    once = sanitize(text)
    assert sanitize(once) == once


@PROFILE
@given(any_text)
def test_rendered_html_is_unchanged_by_sanitising_again(source):
    try:
        rendered = render_markdown(source)
    except MarkupError:
        return
    assert sanitize(rendered.html) == rendered.html
    assert sanitize(rendered.toc_html) == rendered.toc_html


plain_word = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=1, max_size=12
)
plain_line = st.lists(plain_word, min_size=1, max_size=10).map(" ".join)
plain_text = st.lists(plain_line, min_size=1, max_size=8).map("\n".join)
TAG = re.compile(r"<[^>]*>")


@PROFILE
@given(plain_text)
def test_plain_text_survives_rendering_as_text(source):
    rendered = render_markdown(source)
    text = html.unescape(TAG.sub(" ", rendered.html))
    assert text.split() == source.split()
    assert TAG.sub("", rendered.html).strip()  # the words are text, not inside any tag
    assert rendered.links == []


# -- the quiz parser ---------------------------------------------------------------------------

quiz_line = st.one_of(
    st.sampled_from(["?", "? ", "- [x]", "- [ ]", "- [X] a", "- [y] a", "- [", ">", "> why", ""]),
    st.builds(lambda p, t: p + t, st.sampled_from(["? ", "- [x] ", "- [ ] ", "> ", "", " "]),
              markdownish),
)  # fmt: skip


@PROFILE
@given(st.lists(quiz_line, max_size=30), st.integers(min_value=1, max_value=10_000))
def test_the_quiz_parser_never_raises_and_reports_lines_inside_the_block(lines, first):
    questions, problems = parse_quiz(lines, first)
    for problem in problems:
        assert first <= problem.line < first + max(len(lines), 1)
        assert problem.message
    if not problems:
        assert questions
        for question in questions:
            assert 2 <= len(question["options"]) <= MAX_OPTIONS
            assert any(option["correct"] for option in question["options"])


text_item = st.text(
    alphabet=st.characters(categories=["L", "Nd"], include_characters=" ,'"), min_size=1,
    max_size=40,
).map(str.strip).filter(bool)  # fmt: skip
question = st.tuples(
    text_item,
    st.lists(st.tuples(text_item, st.booleans()), min_size=2, max_size=MAX_OPTIONS).filter(
        lambda options: any(correct for _, correct in options)
    ),
    st.one_of(st.just(""), text_item),
)


@PROFILE
@given(st.lists(question, min_size=1, max_size=6), st.integers(min_value=1, max_value=500))
def test_a_well_formed_quiz_parses_back_to_what_was_written(written, first):
    lines: list[str] = []
    for text, options, explanation in written:
        lines.append(f"? {text}")
        lines += [f"- [{'x' if correct else ' '}] {option}" for option, correct in options]
        if explanation:
            lines.append(f"> {explanation}")
        lines.append("")
    questions, problems = parse_quiz(lines, first)
    assert problems == []
    assert [
        (q["text"], [(o["text"], o["correct"]) for o in q["options"]], q["explanation"])
        for q in questions
    ] == [(text, options, explanation) for text, options, explanation in written]
    assert [q["id"] for q in questions] == [f"q{i}" for i in range(1, len(written) + 1)]


# -- front matter ------------------------------------------------------------------------------

YAML_BITS = list("-:[]{}&*!|>'\"#%@`?,\n ") + ["---", "...", "\t", "a", "1", "x: y\n", "- a\n"]
yamlish = st.lists(
    st.one_of(st.sampled_from(YAML_BITS), st.characters(codec="utf-8")), max_size=120
).map("".join)


@PROFILE
@given(yamlish, markdownish)
@example("x: " + "[" * 5000, "")  # PyYAML recursed until a RecursionError before
@example("x: &a [*a]", "text")
def test_front_matter_raises_nothing_but_a_source_error(front, body):
    for text in (f"---\n{front}\n---\n{body}", front, f"---\n{front}"):
        try:
            parsed = read_markdown(text)
        except SourceError as error:
            assert error.line >= 1 and error.message
            continue
        assert isinstance(parsed.meta.data, dict)
        assert parsed.body_line >= 3
        for key in parsed.meta.data:
            assert parsed.meta.line_of(key) >= 2
    with contextlib.suppress(SourceError):
        load_yaml_mapping(front)
