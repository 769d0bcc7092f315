"""Pathological Markdown: refused with a content error (pipeline, `flask content check` and sync,
the editor) or rendered in bounded time; never a RecursionError, a hang or a server error."""

import time

import pytest
import sqlalchemy as sa

from tests.catalog.conftest import COURSE, lines
from wired4ex.catalog.models import Course
from wired4ex.extensions import db
from wired4ex.markup import (
    MAX_MARKDOWN_CHARS,
    MAX_NESTING,
    MarkupError,
    check_limits,
    find_links,
    render_markdown,
)

# Bounded time is measured against a reference in the same run (the machine is shared and
# noisy): rendering an ordinary document as long as the length limit. Each case below takes at
# most about 30 times that; before the limits, the refused ones took many hundreds of times it.
TIMES_THE_REFERENCE = 100


def nested_list(levels: int, indent: str = "    ") -> str:
    return "".join(indent * level + "- item\n" for level in range(levels))


# Each of these hung for minutes, raised RecursionError or took many seconds before the limits.
REFUSED = {
    "list nested 5,000 levels": nested_list(5000, "\t"),
    "list nested 300 levels (45 KB)": nested_list(300, "\t"),
    "list nested 150 levels by spaces": nested_list(150),
    "1,000 list markers on one line": "- " * 1000 + "x\n",
    "10,000 '>' on one line": ">" * 10_000 + " quote\n",
    "blockquotes deepening line by line": "".join(">" * n + " x\n" for n in range(1, 300)),
    "1 MB on one line": "a" * (1024 * 1024),
    "emphasis nested 2,000 deep": "*" * 2000 + "x" + "*" * 2000,
    "20,000 open brackets": "[" * 20_000,
    "brackets over lines in one paragraph": "[\n" * 10_000,
    "5,000 unclosed tags": "<a " * 5000,
    "6,000 link paragraphs": "[a](b)\n\n" * 6000,
    "emphasis and underscores mixed": "*_" * 5000 + "x" + "_*" * 5000,
}

# Just inside the limits: the worst shapes we know, which must still render quickly.
ACCEPTED = {
    "16 levels of lists, 80 times": (nested_list(MAX_NESTING) + "\n") * 80,
    "16 levels of quotes, 2,000 lines": (">" * MAX_NESTING + " x\n") * 2000,
    "500 brackets per paragraph": ("[" * 500 + "\n\n") * 10,
    "500 links per paragraph": ("[a](b) " * 500 + "\n\n") * 10,
    "200 unclosed tags, then many paragraphs": ("<a " * 100 + "\n\n") * 2
    + ("abc " * 100 + "\n\n") * 120,
    "250 emphasised words per paragraph": ("*a* " * 250 + "\n\n") * 10,
    "one line just under the length limit": "a" * (MAX_MARKDOWN_CHARS - 1),
    "ampersands up to the length limit": "&" * (MAX_MARKDOWN_CHARS - 1),
    "a wide table": "|a" * 5000 + "\n" + "|-" * 5000 + "\n",
}


def timed(function, *args):
    """The result (or the MarkupError) and the fastest of three runs, in seconds."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        try:
            result = function(*args)
        except MarkupError as error:
            result = error
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return result, best


@pytest.fixture(scope="module")
def budget() -> float:
    """TIMES_THE_REFERENCE times the time this machine takes, now, to render ordinary prose as
    long as the length limit."""
    paragraph = "The district health team reviewed the budget with the facility managers. " * 10
    ordinary = ((paragraph + "\n\n") * (MAX_MARKDOWN_CHARS // len(paragraph)))[
        : MAX_MARKDOWN_CHARS - 1
    ]
    _result, seconds = timed(render_markdown, ordinary)
    return TIMES_THE_REFERENCE * seconds


@pytest.mark.parametrize("source", REFUSED.values(), ids=REFUSED.keys())
def test_pathological_markdown_is_refused_quickly_with_a_content_error(source, budget):
    assert check_limits(source)
    for function in (render_markdown, find_links):
        result, seconds = timed(function, source)
        assert isinstance(result, MarkupError), result
        assert result.line >= 1 and result.message
        assert seconds < budget, f"{seconds:.2f} s, budget {budget:.2f} s"


@pytest.mark.parametrize("source", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_markdown_inside_the_limits_renders_in_bounded_time(source, budget):
    assert check_limits(source) == []
    result, seconds = timed(render_markdown, source)
    assert not isinstance(result, MarkupError), result
    assert result.html
    assert seconds < budget, f"{seconds:.2f} s, budget {budget:.2f} s"


def test_the_limit_is_reported_on_the_line_that_exceeds_it():
    source = "Intro.\n\n" + nested_list(MAX_NESTING + 3)
    assert check_limits(source) == [
        (3 + MAX_NESTING, f"lists or quotes nested more than {MAX_NESTING} levels deep"),
    ]
    paragraph = "First paragraph.\n\n" + "[x] " * 300 + "\n" + "[y] " * 300 + "\n"
    (problem,) = check_limits(paragraph)
    assert problem[0] == 3 and "in one paragraph" in problem[1]


def test_horizontal_rules_and_ordinary_lists_are_not_counted_as_nesting():
    source = "* * * * * * * * * * * * * * * * * * * *\n\n" + nested_list(4) + "\n> > quote\n"
    assert check_limits(source) == []


# -- the content checker and sync --------------------------------------------------------------

REVIEW = f"{COURSE}/03-review.md"
FRONT = ("---", 'title: "Review"', "minutes: 10", "---")  # the body starts on line 5


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (("", "Intro.", "", *nested_list(200, "\t").splitlines()), 8 + MAX_NESTING,
         f"lists or quotes nested more than {MAX_NESTING} levels deep"),
        (("", ">" * 10_000 + " deep"), 6, f"nested more than {MAX_NESTING} levels"),
        (("", "[" * 20_000), 6, "in one paragraph"),
        (("", "x" * 600_000), 5, "the text is longer than 50,000 characters"),
    ],
    ids=["deep list", "deep quote", "brackets", "one long line"],
)  # fmt: skip
def test_content_check_and_sync_report_the_limit_with_file_and_line(
    runner, make_content, body, line, message, budget
):
    folder = make_content()
    folder.write(REVIEW, lines(*FRONT, *body))
    started = time.perf_counter()
    result = runner.invoke(args=["content", "check", str(folder.root)])
    assert time.perf_counter() - started < budget
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    rows = [row.split(":", 2) for row in result.output.splitlines() if ".md:" in row]
    assert rows and {folder.where(path) for path, _, _ in rows} == {REVIEW}
    assert (line, True) in [(int(number), message in text) for _, number, text in rows]
    result = runner.invoke(args=["content", "sync", str(folder.root)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_a_file_over_one_megabyte_is_refused_before_parsing(make_content):
    folder = make_content()
    folder.write(REVIEW, lines(*FRONT, "", "a" * (1024 * 1024)))
    assert folder.problems() == [(REVIEW, 1, "the file is larger than 1024 KB")]
