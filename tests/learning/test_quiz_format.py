"""The knowledge-check format: new question types, pins and front-matter settings through the real
content checker, and server-side scoring of every type."""

import re
from pathlib import Path

import pytest

from tests.learning.conftest import CourseTree
from wired4ex.catalog.content import load_content
from wired4ex.catalog.quiz import is_right, normalise_text, parse_quiz

ROOT = Path(__file__).resolve().parents[2]

TYPED_QUIZ = """```quiz
? A facility improvement fund may keep the user fees it collects.
= true
> The FIF acts let facilities keep their collections.

? How many tablets for 30 days at 120 a day?
= 3600

? Bed occupancy of a 50-bed ward with 1600 patient days in 40 days, in percent?
= 80 ± 0.5

? Which body adopts the county's annual budget?
~ County Assembly
~ The County Assembly

? Which of these are county revenue?
- [x] Exchequer allocations
- [ ] Staff overtime
- [ ] None of the above {pin}
```
"""


def parse(block: str):
    lines = block.strip().splitlines()[1:-1]
    return parse_quiz(lines, 2)


def test_new_question_types_are_parsed_with_their_answers():
    questions, problems = parse(TYPED_QUIZ)
    assert problems == []
    truefalse, count, occupancy, text, choice = questions
    assert (truefalse["type"], truefalse["answer"]) == ("truefalse", True)
    assert (count["type"], count["answer"]) == ("number", {"value": 3600.0, "tolerance": 0.0})
    assert occupancy["answer"] == {"value": 80.0, "tolerance": 0.5}
    assert (text["type"], text["accepted"]) == ("text", ["County Assembly", "The County Assembly"])
    assert choice["type"] == "choice"
    assert [o.get("pinned", False) for o in choice["options"]] == [False, False, True]
    assert choice["options"][2]["text"] == "None of the above"  # the marker is not shown


@pytest.mark.parametrize(
    ("question_index", "answer", "right"),
    [
        (0, ["true"], True), (0, ["false"], False), (0, ["yes"], False),
        (1, ["3600"], True), (1, ["3600.0"], True), (1, ["3601"], False), (1, ["abc"], False),
        (2, ["80"], True), (2, ["80,5"], True), (2, ["79.5"], True), (2, ["80.51"], False),
        (2, ["79.4"], False),
        (3, ["county assembly"], True), (3, ["  THE   County Assembly. "], True),
        (3, ["Cóunty Àssembly"], True), (3, ["County Executive"], False), (3, [""], False),
        (4, ["q5a"], True), (4, ["q5a", "q5c"], False), (4, ["q5c"], False),
    ],
)  # fmt: skip
def test_every_question_type_scores_right(question_index, answer, right):
    questions, _problems = parse(TYPED_QUIZ)
    assert is_right(questions[question_index], answer) is right


def test_text_answers_ignore_case_accents_and_spaces():
    assert normalise_text("  Mbéya  Region ") == normalise_text("mbeya region")
    assert normalise_text("DODOMA") == "dodoma"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("? A number?\n= 12.5 ± x", "malformed answer '12.5 ± x'"),
        ("? A number?\n= 12.5 ± -1", "malformed answer"),
        ("? A number?\n= twelve", "malformed answer 'twelve'"),
        ("? Two keys?\n= 1\n= 2", "a question has one '= ' answer"),
        ("? Mixed?\n- [x] A\n- [ ] B\n= true", "not a mix"),
        ("? Mixed?\n~ A\n= 3", "not a mix"),
        ("? Empty accepted?\n~", "an accepted answer needs text after '~'"),
        ("= 3", "answer outside a question"),
        ("? Nothing?", "question without options or an answer"),
    ],
)  # fmt: skip
def test_malformed_questions_are_reported_with_their_line(block, message):
    _questions, problems = parse_quiz(block.splitlines(), 10)
    assert problems and message in problems[0].message
    assert problems[0].line >= 10


# -- front matter, through the real loader ------------------------------------------------------


def pool_module(count: int, settings: str) -> str:
    questions = "\n\n".join(
        f"? Pool question {n}?\n- [x] Right {n}\n- [ ] Wrong {n}" for n in range(1, count + 1)
    )
    return (
        f"---\ntitle: Pool\nid: pool\nminutes: 20\ncpd_points: 1\n{settings}---\n"
        f"Text.\n\n```quiz\n{questions}\n```\n"
    )


def check(tmp_path, text: str, name: str = "03-pool.md"):
    tree = CourseTree(tmp_path / "content")
    tree.write(name, text)
    loaded = load_content(tmp_path / "content")
    return loaded, [(p.line, p.message) for p in loaded.problems if p.path.endswith(name)]


def test_valid_settings_pass_and_reach_the_module(tmp_path):
    loaded, problems = check(
        tmp_path, pool_module(10, "review: never\ndraw: 5\nattempts: 2\nretry_after: 12h\n")
    )
    assert problems == [] and loaded.warnings == []
    module = next(m for c in loaded.courses for m in c.modules if m.key == "pool")
    settings = module.settings
    assert (settings.review, settings.draw, settings.attempts) == ("never", 5, 2)
    assert settings.retry_after_minutes == 12 * 60 and settings.min_read_seconds == 0


@pytest.mark.parametrize(
    ("settings", "line", "message"),
    [
        ("review: after-fail\n", 6, "unknown review 'after-fail' (use one of: after-pass, never, always)"),
        ("draw: 11\n", 6, "draw: 11 is more than the 10 questions in the quiz"),
        ("draw: 0\n", 6, "draw must be a whole number of questions, at least 1"),
        ("draw: five\n", 6, "draw must be a whole number"),
        ("attempts: 0\n", 6, "attempts must be a whole number, 1 to 100"),
        ("attempts: 2\nretry_after: 1w\n", 7, "retry_after must be a wait such as 30m, 12h or 2d"),
        ("retry_after: 2d\n", 6, "retry_after needs attempts"),
        ("min_read_minutes: 3\n", 6, "min_read_minutes is for modules without a knowledge check"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_with_their_line(tmp_path, settings, line, message):
    _loaded, problems = check(tmp_path, pool_module(10, settings))
    assert any(found_line == line and message in text for found_line, text in problems), problems


def test_a_small_pool_is_a_warning_not_an_error(tmp_path):
    loaded, problems = check(tmp_path, pool_module(6, "draw: 5\n"))
    assert problems == []
    (warning,) = loaded.warnings
    assert warning.line == 6 and "pool of 6 questions for draw: 5" in warning.message


def test_quiz_settings_need_a_quiz_and_reading_time_defaults(tmp_path):
    reading = "---\ntitle: Read\nid: read\nminutes: 12\ncpd_points: 1\n{}---\nText.\n"
    _loaded, problems = check(tmp_path, reading.format("draw: 2\n"), "03-read.md")
    assert problems == [(6, "draw needs a ```quiz block in the module")]
    loaded, problems = check(tmp_path / "b", reading.format(""), "03-read.md")
    module = next(m for c in loaded.courses for m in c.modules if m.key == "read")
    assert problems == [] and module.settings.min_read_seconds == 3 * 60  # a quarter of 12
    loaded, _problems = check(
        tmp_path / "c", reading.format("min_read_minutes: 0.5\n"), "03-read.md"
    )
    module = next(m for c in loaded.courses for m in c.modules if m.key == "read")
    assert module.settings.min_read_seconds == 30


def test_the_check_command_prints_warnings_and_exits_0(runner, tmp_path):
    tree = CourseTree(tmp_path / "content")
    tree.write("03-pool.md", pool_module(6, "draw: 5\n"))
    result = runner.invoke(args=["content", "check", str(tmp_path / "content")])
    assert result.exit_code == 0, result.output
    assert re.search(r"03-pool\.md:6: warning: a pool of 6 questions", result.output)
    tree.write("03-pool.md", pool_module(4, "draw: 5\n"))
    result = runner.invoke(args=["content", "check", str(tmp_path / "content")])
    assert result.exit_code == 1 and "draw: 5 is more than the 4 questions" in result.output


def test_the_guide_examples_pass_the_checker(tmp_path):
    """Every ```quiz example in the guide's section on settings parses without problems."""
    guide = (ROOT / "content" / "README.md").read_text()
    section = guide.split("## Settings of the knowledge check", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```quiz\n(.*?)\n```", section, re.S)
    assert len(blocks) >= 2
    for block in blocks:
        questions, problems = parse_quiz(block.splitlines(), 1)
        assert problems == [] and questions
    assert {q["type"] for b in blocks for q in parse_quiz(b.splitlines(), 1)[0]} == {
        "choice", "truefalse", "number", "text"
    }  # fmt: skip
