"""`flask content check`: every kind of problem, reported with its file and line, all at once."""

import re

import pytest

from tests.catalog.conftest import COURSE, PNG, lines
from tests.conftest import ROOT
from wired4ex.catalog.content import load_content

REVIEW = f"{COURSE}/03-review.md"
PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+): (?P<message>.+)$")


def test_the_fixture_folder_is_valid(make_content):
    tree = make_content().load()
    assert tree.problems == []
    (course,) = tree.courses
    assert course.key == "acme/basics"
    assert [m.key for m in course.modules] == ["intro", "costs", "review"]
    assert sorted(course.media) == ["bar.gif", "cycle.png"]


def test_the_real_content_folder_is_valid():
    from wired4ex.catalog.content import load_content

    tree = load_content(ROOT / "content")
    assert [str(problem) for problem in tree.problems] == []
    assert len(tree.courses) == 5


def review(*front: str, body: tuple[str, ...] = ("", "Budgets and their cost lines.")) -> str:
    """A module file: the front matter lines given (between the --- lines), then the body."""
    return lines("---", *front, "---", *body)


QUIZ_BODY_START = ("", "Text.", "", "```quiz")  # file lines 4 to 7 after a 1-line front matter

CASES = [
    # -- YAML and keys ------------------------------------------------------------------------
    pytest.param(
        {REVIEW: review('title: "Review', "minutes: 10", "cpd_points: 1")},
        REVIEW,
        2,
        "bad YAML",
        id="unclosed quote in front matter",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "minutes: 10", "  points: 1")},
        REVIEW,
        4,
        "bad YAML",
        id="bad indentation in front matter",
    ),
    pytest.param(
        {
            "institutions/acme/institution.yml": lines(
                "name: Acme", "short_name: [ACME", "country: Kenya"
            )
        },
        "institutions/acme/institution.yml",
        2,
        "bad YAML",
        id="bad YAML in institution.yml",
    ),
    pytest.param(
        {
            "institutions/acme/institution.yml": lines(
                'name: "Acme', "short_name: ACME", "country: Kenya"
            )
        },
        "institutions/acme/institution.yml",
        1,
        "bad YAML",
        id="unclosed quote in institution.yml",
    ),
    pytest.param(
        {REVIEW: lines('title: "Review"', "", "Text.")},
        REVIEW,
        1,
        "must start with front matter",
        id="no front matter",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "minutes: 10", "duration: 10")},
        REVIEW,
        4,
        "unknown key 'duration'",
        id="unknown key in a module",
    ),
    pytest.param(
        {
            f"{COURSE}/course.md": review(
                "title: Basics", "summary: A course.", "audience: managers"
            )
        },
        f"{COURSE}/course.md",
        4,
        "unknown key 'audience'",
        id="unknown key in a course",
    ),
    pytest.param(
        {
            "institutions/acme/institution.yml": lines(
                "name: Acme", "short_name: ACME", "country: Kenya", "motto: Learn"
            )
        },
        "institutions/acme/institution.yml",
        4,
        "unknown key 'motto'",
        id="unknown key in institution.yml",
    ),
    pytest.param(
        {REVIEW: review("minutes: 10", "cpd_points: 1")},
        REVIEW,
        2,
        "missing required key 'title'",
        id="module without title",
    ),
    pytest.param(
        {REVIEW: review("minutes: 10", 'title: ""')},
        REVIEW,
        3,
        "missing required key 'title'",
        id="module with an empty title",
    ),
    pytest.param(
        {f"{COURSE}/course.md": review("title: Basics", "language: en")},
        f"{COURSE}/course.md",
        2,
        "missing required key 'summary'",
        id="course without summary",
    ),
    pytest.param(
        {f"{COURSE}/course.md": review("summary: A course.", "language: en")},
        f"{COURSE}/course.md",
        2,
        "missing required key 'title'",
        id="course without title",
    ),
    # -- types --------------------------------------------------------------------------------
    pytest.param(
        {REVIEW: review("title: Review", 'minutes: "thirty"')},
        REVIEW,
        3,
        "minutes must be a whole number",
        id="minutes as text",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "cpd_points: 1", "minutes: 12.5")},
        REVIEW,
        4,
        "minutes must be a whole number",
        id="minutes with a fraction",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "minutes: 10", "cpd_points: two")},
        REVIEW,
        4,
        "cpd_points must be a number, not 'two'",
        id="cpd_points as text",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "cpd_points: 1.25")},
        REVIEW,
        3,
        "in whole or half points",
        id="cpd_points in quarters",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "cpd_points: 12")},
        REVIEW,
        3,
        "above the category's maximum of 10",
        id="cpd_points above the cap",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "minutes: 10", "pass_mark: 150")},
        REVIEW,
        4,
        "pass_mark must be a percentage",
        id="pass_mark 150",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "competencies: FM1")},
        REVIEW,
        3,
        "competencies must be a list",
        id="competencies not a list",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "objectives: {first: read}")},
        REVIEW,
        3,
        "objectives must be a list",
        id="objectives not a list",
    ),
    pytest.param(
        {f"{COURSE}/course.md": review("title: Basics", "summary: A course.", "language: fr")},
        f"{COURSE}/course.md",
        4,
        "language must be en or sw",
        id="unknown language",
    ),
    # -- codes from the policy files ------------------------------------------------------------
    pytest.param(
        {REVIEW: review("title: Review", "competencies:", "  - FM1", "  - ZZ9")},
        REVIEW,
        5,
        "unknown competency 'ZZ9'",
        id="unknown competency code",
    ),
    pytest.param(
        {
            f"{COURSE}/course.md": review(
                "title: Basics", "summary: A course.", "competencies: [LG1, XX1]"
            )
        },
        f"{COURSE}/course.md",
        4,
        "unknown competency 'XX1'",
        id="unknown competency in a course",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "minutes: 10", "cpd_category: gardening")},
        REVIEW,
        4,
        "unknown CPD category 'gardening'",
        id="unknown CPD category",
    ),
    # -- course structure -----------------------------------------------------------------------
    pytest.param(
        {f"{COURSE}/04-recap.md": review("title: Recap", "id: review")},
        f"{COURSE}/04-recap.md",
        3,
        "duplicate module id 'review'",
        id="duplicate module id",
    ),
    pytest.param(
        {f"{COURSE}/01-intro.md": None, f"{COURSE}/02-costs.md": None, REVIEW: None},
        f"{COURSE}/course.md",
        1,
        "the course has no modules",
        id="course without modules",
    ),
    pytest.param(
        {f"{COURSE}/recap.md": review("title: Recap")},
        f"{COURSE}/recap.md",
        1,
        "named NN-name.md",
        id="module file without number",
    ),
    pytest.param(
        {f"{COURSE}/4-recap.md": review("title: Recap")},
        f"{COURSE}/4-recap.md",
        1,
        "named NN-name.md",
        id="module file with one digit",
    ),
    pytest.param(
        {f"{COURSE}/04_Recap.md": review("title: Recap")},
        f"{COURSE}/04_Recap.md",
        1,
        "named NN-name.md",
        id="module file with capitals",
    ),
    pytest.param(
        {REVIEW: review("title: Review", "id: Review Module")},
        REVIEW,
        3,
        "id 'Review Module' must use lower-case",
        id="module id not a slug",
    ),
    # -- the knowledge check --------------------------------------------------------------------
    pytest.param(
        {
            REVIEW: review(
                "title: Review",
                body=(
                    *QUIZ_BODY_START,
                    "? First?",
                    "- [x] Yes",
                    "- [ ] No",
                    "",
                    "? Second?",
                    "```",
                ),
            )
        },
        REVIEW,
        12,
        "question without options",
        id="question without options",
    ),
    pytest.param(
        {
            REVIEW: review(
                "title: Review", body=(*QUIZ_BODY_START, "? First?", "- [ ] Yes", "- [ ] No", "```")
            )
        },
        REVIEW,
        8,
        "question without a correct option",
        id="question without a correct option",
    ),
    pytest.param(
        {
            REVIEW: review(
                "title: Review",
                body=(*QUIZ_BODY_START, "- [x] Yes", "? First?", "- [x] Yes", "- [ ] No", "```"),
            )
        },
        REVIEW,
        8,
        "option outside a question",
        id="option outside a question",
    ),
    pytest.param(
        {
            REVIEW: review(
                "title: Review", body=(*QUIZ_BODY_START, "? First?", "- [x] Yes", "- [ ] No")
            )
        },
        REVIEW,
        7,
        "the quiz block is not closed",
        id="unclosed quiz fence",
    ),
    pytest.param(
        {
            REVIEW: review(
                "title: Review",
                body=(*QUIZ_BODY_START, "? First?", "- [x] Yes", "- [ ] No", "- [v] Maybe", "```"),
            )
        },
        REVIEW,
        11,
        "an option must start with '- [x] '",
        id="option with a wrong box",
    ),
    pytest.param(
        {REVIEW: review("title: Review", body=(*QUIZ_BODY_START, "```"))},
        REVIEW,
        8,
        "the quiz block has no questions",
        id="empty quiz",
    ),
    # -- links and media ------------------------------------------------------------------------
    pytest.param(
        {
            REVIEW: review(
                "title: Review", body=("", "Text.", "", "Read [the plan](04-plan.md) again.")
            )
        },
        REVIEW,
        7,
        "broken link: 04-plan.md",
        id="broken relative link",
    ),
    pytest.param(
        {REVIEW: review("title: Review", body=("", "Text.", "", "", "![Flow](media/flow.png)"))},
        REVIEW,
        8,
        "missing image or file: media/flow.png",
        id="missing image",
    ),
    pytest.param(
        {REVIEW: review("title: Review", body=("", "![Flow](../other/flow.png)"))},
        REVIEW,
        5,
        "missing image or file: ../other/flow.png",
        id="image outside media",
    ),
    pytest.param(
        {REVIEW: review("title: Review", body=("", "[Run](javascript:alert(1))"))},
        REVIEW,
        5,
        "links may only use http, https or mailto",
        id="javascript link",
    ),
    pytest.param(
        {REVIEW: review("title: Review", body=("", "", "[WHO](//who.int/budgets)"))},
        REVIEW,
        6,
        "write external links in full",
        id="scheme-relative link",
    ),
    pytest.param(
        {
            f"{COURSE}/course.md": review(
                "title: Basics",
                "summary: A course.",
                body=("", "Start with [the intro](01-introduction.md)."),
            ),
        },
        f"{COURSE}/course.md",
        6,
        "broken link: 01-introduction.md",
        id="broken link in a course overview",
    ),
    pytest.param(
        {
            f"{COURSE}/media/diagram.svg": b'<!DOCTYPE svg [<!ENTITY x "y">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">&x;</svg>'
        },
        f"{COURSE}/media/diagram.svg",
        1,
        "SVG image refused: SVG files may not declare a DOCTYPE or entities",
        id="SVG that cannot be cleaned",
    ),
    pytest.param(
        {f"{COURSE}/media/notes.png": b"These are my notes, not a picture.\n"},
        f"{COURSE}/media/notes.png",
        1,
        "must be PNG, JPEG, GIF, WebP or SVG",
        id="text file renamed .png",
    ),
    pytest.param(
        {f"{COURSE}/media/page.gif": b"<html><script>alert(1)</script></html>"},
        f"{COURSE}/media/page.gif",
        1,
        "must be PNG, JPEG, GIF, WebP or SVG",
        id="HTML renamed .gif",
    ),
    # -- encoding -------------------------------------------------------------------------------
    pytest.param(
        {REVIEW: b"---\ntitle: Review\n---\n\nBudgets for the caf\xe9 of the hospital.\n"},
        REVIEW,
        5,
        "not UTF-8",
        id="Latin-1 module",
    ),
    pytest.param(
        {
            "institutions/acme/institution.yml": b"name: \xff\xfeAcme\nshort_name: ACME\ncountry: Kenya\n"
        },
        "institutions/acme/institution.yml",
        1,
        "not UTF-8",
        id="UTF-16 bytes in institution.yml",
    ),
]


@pytest.mark.parametrize(("files", "path", "line", "message"), CASES)
def test_check_reports_the_file_and_line(make_content, files, path, line, message):
    folder = make_content()
    for relative, content in files.items():
        if content is None:
            folder.remove(relative)
        else:
            folder.write(relative, content)

    problems = folder.problems()

    assert [(p[0], p[1]) for p in problems] == [(path, line)], problems
    assert message in problems[0][2]


@pytest.mark.parametrize(
    ("old", "new", "reported_on", "message"),
    [
        pytest.param(
            "minimums:",
            "bonus_points: 5\nminimums:",
            "bonus_points: 5",
            "unknown key 'bonus_points' in cpd.yml (allowed: categories, cycle, minimums, reminders, targets)",
            id="unknown key",
        ),
        pytest.param(
            "  student: 10\n",
            "",
            "targets:",
            "targets: missing membership category 'student'",
            id="target missing for a membership category",
        ),
        pytest.param(
            "  honorary: exempt",
            "  honorary: exempt\n  emeritus: 5",
            "  emeritus: 5",
            "unknown membership category 'emeritus' in targets",
            id="target for an unknown membership category",
        ),
        pytest.param(
            "  professional: 40",
            "  professional: forty",
            "  professional: forty",
            "target of 'professional' must be points or 'exempt'",
            id="target that is not a number",
        ),
        pytest.param(
            "    cap: 40",
            "    cap: lots",
            "  - code: structured",
            "cap of 'structured' must be a number of points, or left out",
            id="category cap that is not a number",
        ),
        pytest.param(
            "  association: 2",
            "  gardening: 2",
            "minimums:",
            "minimums: unknown CPD category 'gardening'",
            id="minimum for an unknown category",
        ),
    ],
)
def test_cpd_policy_problems_are_reported_on_their_line(
    make_content, old, new, reported_on, message
):
    folder = make_content()
    text = folder.read("policy/cpd.yml")
    assert text.count(old) == 1
    changed = text.replace(old, new)
    folder.write("policy/cpd.yml", changed)
    line = changed.splitlines().index(reported_on) + 1

    assert folder.problems() == [("policy/cpd.yml", line, message)]


def test_certification_requiring_an_unknown_course_is_reported_on_its_line(make_content):
    folder = make_content()
    folder.write(
        "policy/certifications.yml",
        lines(
            "programmes:",
            "  - code: AHSM",
            "    name: Associate",
            "    level: 1",
            "    rules:",
            "      required_courses:",
            "        - acme/basics",
            "        - acme/advanced-budgeting",
            "      prerequisites: [XYZ]",
        ),
    )

    problems = folder.problems()

    assert [(p[0], p[1]) for p in problems] == [
        ("policy/certifications.yml", 8),
        ("policy/certifications.yml", 9),
    ]
    assert "AHSM: unknown course 'acme/advanced-budgeting'" in problems[0][2]
    assert "unknown prerequisite programme 'XYZ'" in problems[1][2]


def test_missing_policy_file_is_reported(make_content):
    folder = make_content()
    folder.remove("policy/competencies.yml")

    problems = folder.problems()

    assert ("policy/competencies.yml", 1, "policy file is missing") in problems


def test_check_reports_every_problem_in_every_file(make_content):
    folder = make_content()
    folder.write(REVIEW, review("title: Review", "minutes: lots", "pass_mark: 150"))
    folder.write(
        f"{COURSE}/02-costs.md", review("title: Costs", "cpd_category: gardening", "colour: red")
    )
    folder.write(f"{COURSE}/media/notes.png", b"not an image")
    folder.write(f"{COURSE}/course.md", review("title: Basics"))
    folder.write(
        "institutions/beta/institution.yml", lines("name: Beta", "short_name: B", "country: KE")
    )
    folder.write("institutions/beta/stats/course.md", review("title: Stats"))
    folder.write("institutions/beta/stats/01-counts.md", b"---\ntitle: Counts\n---\n\xe9\n")
    folder.write(
        "policy/cpd.yml", folder.read("policy/cpd.yml").replace("cycle:", "cycles:\n  x: 1\ncycle:")
    )

    found = {(path, line) for path, line, _ in folder.problems()}

    assert found == {
        (REVIEW, 3),  # minutes
        (REVIEW, 4),  # pass_mark
        (f"{COURSE}/02-costs.md", 3),  # category
        (f"{COURSE}/02-costs.md", 4),  # unknown key
        (f"{COURSE}/media/notes.png", 1),
        (f"{COURSE}/course.md", 2),  # no summary
        ("institutions/beta/stats/01-counts.md", 4),  # not UTF-8
        ("institutions/beta/stats/course.md", 2),  # no summary
        ("policy/cpd.yml", 4),
    }


def parse_output(output: str, folder) -> list[tuple[str, int, str]]:
    """The `path:line: message` lines a person reads, with paths inside the folder."""
    found = []
    for text in output.splitlines():
        match = PROBLEM_LINE.match(text)
        if match:
            found.append((folder.where(match["path"]), int(match["line"]), match["message"]))
    return found


def test_cli_check_prints_path_line_message_and_exits_1(runner, make_content):
    folder = make_content()
    folder.write(REVIEW, review("title: Review", "cpd_points: two"))
    folder.write(f"{COURSE}/media/diagram.svg", b"<svg/>")

    result = runner.invoke(args=["content", "check", str(folder.root)])

    assert result.exit_code == 1
    assert parse_output(result.stdout, folder) == [
        (f"{COURSE}/03-review.md", 3, "cpd_points must be a number, not 'two'"),
        (
            f"{COURSE}/media/diagram.svg",
            1,
            "SVG image refused: the file is not an SVG image "
            "(its root must be <svg> in the SVG namespace)",
        ),  # fmt: skip
    ]
    assert "2 problems found." in result.output
    assert "OK" not in result.output


def test_cli_check_of_one_course_folder(runner, make_content):
    folder = make_content()
    folder.write(REVIEW, review("title: Review", "pass_mark: 0"))

    result = runner.invoke(args=["content", "check", str(folder.path(COURSE))])

    assert result.exit_code == 1
    assert parse_output(result.stdout, folder) == [
        (REVIEW, 3, "pass_mark must be a percentage, 1 to 100")
    ]


def test_cli_check_of_the_real_content_says_ok(runner):
    result = runner.invoke(args=["content", "check", str(ROOT / "content")])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 institutions, 5 courses, ")
    assert "no problems." in result.output


def test_cli_check_without_a_path_checks_the_configured_folder(runner):
    result = runner.invoke(args=["content", "check"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_cli_check_of_a_missing_folder_fails(runner, tmp_path):
    result = runner.invoke(args=["content", "check", str(tmp_path / "nowhere")])

    assert result.exit_code == 1
    assert "no such folder" in result.stdout


def test_valid_images_of_each_kind_are_accepted(make_content):
    folder = make_content()
    folder.write(f"{COURSE}/media/photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    folder.write(f"{COURSE}/media/icon.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24)
    folder.write(f"{COURSE}/media/diagrams/flow.png", PNG)

    tree = folder.load()

    assert tree.problems == []
    assert {name: kind for name, (_, kind) in tree.courses[0].media.items()} == {
        "bar.gif": "image/gif",
        "cycle.png": "image/png",
        "diagrams/flow.png": "image/png",
        "icon.webp": "image/webp",
        "photo.jpg": "image/jpeg",
    }


def test_unknown_prerequisite_course_is_reported(tmp_path):
    from tests.learning.conftest import CourseTree

    tree = CourseTree(tmp_path / "content")
    tree.write_course(prerequisites="[nowhere/missing-course]")
    problems = [str(p) for p in load_content(tmp_path / "content").problems]
    assert len(problems) == 1
    assert problems[0].endswith("course.md:4: unknown prerequisite course 'nowhere/missing-course'")


def test_images_from_other_sites_are_reported(tmp_path):
    from tests.learning.conftest import READING_MODULE, CourseTree

    tree = CourseTree(tmp_path / "content")
    tree.write("02-reading.md", READING_MODULE + "\n![A chart](https://example.org/chart.png)\n")
    (problem,) = load_content(tmp_path / "content").problems
    assert problem.line == 12
    assert "images must be files in the course's media/ folder" in problem.message
