"""Markdown as faculty write it elsewhere (issue 20) and raw HTML kept to the rules (issue 15,
item 9): what renders, what the checker reports at its line, and inputs that once crashed."""

import pytest

from tests.catalog.conftest import COURSE, lines
from tests.catalog.test_markup import Elements
from wired4ex.markup import render_markdown

REVIEW_HEAD = ("---", 'title: "Review"', "minutes: 10", "---", "")


def html(source: str, language: str | None = None) -> str:
    return render_markdown(source, language=language).html


def test_code_fence_inside_a_list_item_stays_a_block(app):
    out = html(lines("1. Update:", "", "   ```bash", "   sudo apt update", "   sudo apt upgrade",
                     "   ```", "2. Restart."))  # fmt: skip
    assert '<pre><code class="language-bash">sudo apt update\nsudo apt upgrade' in out
    assert out.count("<li>") == 2 and "2. Restart" not in out


@pytest.mark.parametrize(
    "opening", ["```rust,ignore", '``` yaml title="config.yml"', "~~~ {.rust}"]
)
def test_fence_info_strings_with_commas_and_attributes_name_the_language(app, opening):
    closing = opening[:3]
    out = html(lines(opening, "let x = 1;", closing, "", "After the code."))
    assert "<pre><code class=" in out and "let x = 1;" in out
    assert "<p>After the code.</p>" in out


def test_fence_inside_a_block_quote(app):
    out = html(lines("> ```", "> # not a heading", "> ```"))
    assert "<h1" not in out and "<pre><code># not a heading</code></pre>" in out


def test_lists_indented_by_two_spaces_nest_and_numbering_continues(app):
    out = html(lines("- one", "  - one.a", "  - one.b", "- two", "", "1. step", "2. step",
                     "   - detail", "3. step"))  # fmt: skip
    elements = [tag for tag, _ in Elements(out).tags]
    assert elements.count("ul") == 3 and elements.count("ol") == 1
    assert out.count("<li>") == 8


def test_markdown_inside_html_blocks_renders_as_on_github(app):
    out = html(lines('<div class="lesson-note">', "", "## Note", "", "A [link](02-costs.md).",
                     "", "</div>"))  # fmt: skip
    assert '<h2 id="note">Note</h2>' in out and '<a href="02-costs.md">link</a>' in out
    assert "lesson-note" not in out and "[link]" not in out


def test_allowed_inline_and_block_tags_pass_and_unknown_tags_leave_their_text(app):
    out = html(
        "Press <kbd>Ctrl</kbd> <small>s</small> H<sub>2</sub>O x<sup>2</sup> <mark>key</mark> "
        '<abbr title="World Health Organization">WHO</abbr> <blink>kept text</blink>\n\n'
        "<details><summary>More</summary>\n\nHidden *text*.\n\n</details>\n\n"
        '<figure><img src="media/cycle.png" alt="Cycle"><figcaption>The cycle</figcaption></figure>\n'
    )
    tags = {tag for tag, _ in Elements(out).tags}
    assert {"kbd", "small", "sub", "sup", "mark", "abbr", "details", "summary", "figure",
            "figcaption", "em"} <= tags  # fmt: skip
    assert "blink" not in out and "kept text" in out and "&lt;" not in out


def test_task_lists_strikethrough_and_bare_urls(app):
    out = html(lines("- [ ] to do", "- [x] done ~~old~~", "", "See https://who.int/data now."))
    assert "☐" in out and "☑" in out and "<del>old</del>" in out
    assert '<a href="https://who.int/data"' in out
    assert "<input" not in out and "[ ]" not in out


def test_authors_class_style_id_and_rel_never_survive(app):
    out = html(
        '<a class="button" style="color:red" id="login" rel="opener" '
        'href="https://evil.example/login">Session expired</a>\n\n'
        '<span class="admonition-title" id="x">Fake</span>\n\n## Heading kept\n\n'
        "A paragraph\n{: .admonition-title #mine style='color:red' }\n"
    )
    for tag, attributes in Elements(out).tags:
        if tag in {"a", "span"} and "external-link" not in str(attributes):
            assert {name for name, _ in attributes} <= {"href", "rel"}
        assert "style" not in dict(attributes)
    assert 'id="heading-kept"' in out


@pytest.mark.parametrize(
    ("language", "words"), [("en", "(external site)"), ("sw", "(tovuti ya nje)")]
)
def test_external_links_carry_rel_and_a_translated_marker(app, language, words):
    out = html("[WHO](https://who.int) and [next](02-costs.md)\n", language)
    (external, internal) = Elements(out).text_of("a")
    assert external == {"href": "https://who.int", "rel": "noopener noreferrer nofollow"}
    assert internal == {"href": "02-costs.md"}
    assert f'<span class="external-link"> {words}</span></a>' in out
    assert out.count("external-link") == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<img src="https://evil.example/t.png">', "pictures from other sites are blocked"),
        ("<IMG SRC='//evil.example/t.png' alt=x>", "write external links in full"),
        ('<p><img src="img/x.svg"></p>', "missing image or file: img/x.svg"),
        ('<picture><source srcset="https://evil.example/a.webp"></picture>', "other sites"),
        ("![x](https://evil.example/t.png)", "pictures from other sites are blocked"),
        ('<a href="javascript:alert(1)">x</a>', "links may only use http, https or mailto"),
    ],
)
def test_raw_html_images_are_checked_like_markdown_images(make_content, body, message):
    folder = make_content()
    folder.write(f"{COURSE}/03-review.md", lines(*REVIEW_HEAD, "Intro.", "", body))
    problems = folder.problems()
    assert [(path, line) for path, line, _ in problems] == [(f"{COURSE}/03-review.md", 8)]
    assert message in problems[0][2]


def test_raw_html_image_from_media_is_accepted_and_rendered(make_content):
    folder = make_content()
    folder.write(
        f"{COURSE}/03-review.md", lines(*REVIEW_HEAD, '<img src="media/cycle.png" alt="C">')
    )
    assert folder.problems() == []
    assert Elements(html('<img src="media/cycle.png" alt="C">')).text_of("img") == [
        {"src": "media/cycle.png", "alt": "C"}
    ]


def test_fences_with_attributes_give_no_false_unclosed_report(make_content):
    folder = make_content()
    folder.write(f"{COURSE}/03-review.md", lines(*REVIEW_HEAD, "```rust,ignore", "fn main() {}",
                                                 "```", "", '``` yaml title="x.yml"', "a: 1",
                                                 "```", "", "Text."))  # fmt: skip
    assert folder.problems() == []


def test_a_700_term_definition_list_checks_and_renders(make_content):
    glossary = [row for i in range(700) for row in (f"Term {i}", f":   Meaning {i}")]
    folder = make_content()
    folder.write(f"{COURSE}/03-review.md", lines(*REVIEW_HEAD, *glossary))
    assert folder.problems() == []
    out = html("\n".join(glossary))
    assert out.count("<dt>") == 700 and out.count("<dd>") == 700


def test_sync_of_an_edition_in_the_same_language_is_a_problem_at_its_line(runner, make_content):
    folder = make_content()
    first = runner.invoke(args=["content", "sync", str(folder.root)])
    assert first.exit_code == 0, first.output
    other = "institutions/acme/nyingine"
    folder.write(f"{other}/course.md", lines("---", 'title: "Nyingine"', 'summary: "M."',
                                             "language: en", "edition_of: acme/basics", "---"))  # fmt: skip
    folder.write(f"{other}/01-intro.md", lines(*REVIEW_HEAD, "Text."))
    result = runner.invoke(args=["content", "sync", str(folder.path(other))])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{other}/course.md:5: edition_of: 'acme/basics' is in the same language" in (
        result.output
    )


def test_a_list_indented_too_little_is_a_warning_at_its_line(runner, make_content):
    folder = make_content()
    folder.write(f"{COURSE}/03-review.md", lines(*REVIEW_HEAD, "1. Open the register.",
                                                 "  - check the date", "2. Count."))  # fmt: skip
    tree = folder.load()
    assert tree.problems == []
    ((path, line, message),) = [(folder.where(w.path), w.line, w.message) for w in tree.warnings]
    assert (path, line) == (f"{COURSE}/03-review.md", 7)
    assert "indented 2 spaces" in message and "indent it 3 spaces" in message

    result = runner.invoke(args=["content", "check", str(folder.root)])
    assert result.exit_code == 0  # a warning never refuses the content
    assert f"{COURSE}/03-review.md:7: warning: this list item is indented 2 spaces" in result.output


def test_an_unclosed_fence_is_reported_by_the_renderer_at_its_line(runner, make_content):
    """The checker's "not closed" comes from the renderer's own reading of fences: a fence
    the renderer closes (a longer closing fence, one inside a quote) is never reported."""
    folder = make_content()
    folder.write(f"{COURSE}/03-review.md", lines(*REVIEW_HEAD, "````bash", "ls", "``````", "",
                                                 "> ```", "> quoted", "", "Text.", "",
                                                 "~~~ python", "print(1)"))  # fmt: skip
    problems = [(folder.where(p.path), p.line, p.message) for p in folder.load().problems]
    assert [(path, line) for path, line, _ in problems] == [(f"{COURSE}/03-review.md", 15)]
    assert "code block is not closed with ~~~" in problems[0][2]
    out = html(lines("````bash", "ls", "``````", "", "~~~ python", "print(1)"))
    assert '<code class="language-bash">ls</code>' in out
    assert '<code class="language-python">print(1)</code>' in out  # runs to the end, as on GitHub


def test_headings_are_checked_from_the_renderers_tree_at_their_line(app):
    """What is a heading is the parser's decision: a '#' inside a fence or a setext underline
    under a quote is none; a multi-line setext heading is one, at its first line."""
    from wired4ex.markup import check_markdown

    source = lines("## Costs", "", "```", "# not a heading", "```", "", "Staff and", "transport",
                   "---", "", "> quoted", "---", "", "#### Too deep", "", "# Again")  # fmt: skip
    warnings = check_markdown(source).warnings
    assert [line for line, _ in warnings] == [14, 16]
    assert "skips from level 2 to level 4: write ###" in warnings[0][1]
    assert "level-1 heading" in warnings[1][1]
    assert "<h2" in html(lines("Staff and", "transport", "---")) and "<hr" in html(
        lines("> quoted", "---")
    )
