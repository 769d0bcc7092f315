"""The real-world lessons of tests/data/realworld go through `flask content check` and `flask
content sync` without a traceback: every problem is a `path:line: message` line."""

import re
import shutil

import pytest

from tests.conftest import DATA, ROOT
from wired4ex.markup import render_markdown

PROBLEM = re.compile(r"^.+\.(md|yml|png|jpe?g|gif|webp|svg):\d+: .+$")


@pytest.fixture
def realworld(tmp_path):
    """A content folder holding the four curricula as institutions."""
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "policy", root / "policy")
    (root / "policy" / "certifications.yml").write_text("programmes: []\n")
    for curriculum in sorted((DATA / "realworld").iterdir()):
        if curriculum.is_dir():
            shutil.copytree(curriculum, root / "institutions" / curriculum.name)
    return root


@pytest.mark.parametrize("command", ["check", "sync"])
def test_check_and_sync_of_the_real_world_lessons_report_problems_at_their_lines(
    runner, realworld, command
):
    result = runner.invoke(args=["content", command, str(realworld)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    reported = [line for line in result.stdout.splitlines() if line.strip()]
    assert reported
    for line in reported:
        assert PROBLEM.match(line), line


def test_a_course_that_checks_clean_syncs(runner, realworld):
    course = realworld / "institutions" / "swc-shell"
    check = runner.invoke(args=["content", "check", str(course)])
    assert check.exit_code == 0, check.output
    sync = runner.invoke(args=["content", "sync", str(course)])
    assert sync.exit_code == 0, sync.output
    assert "added" in sync.output


def test_mkdocs_admonitions_tabs_and_attribute_lists_render_as_the_guide_says(app):
    source = (
        '!!! tip "Use the tab key"\n    Press <kbd>Tab</kbd>.\n\n'
        '=== "Linux"\n\n    ``` sh\n    apt install x\n    ```\n\n'
        '=== "Windows"\n\n    Run the installer.\n\n'
        "[Get started](02-costs.md){ .md-button .md-button--primary }\n"
    )
    html = render_markdown(source).html
    assert '<div class="admonition tip">' in html and "<kbd>Tab</kbd>" in html
    assert "Linux" in html and "Windows" in html and "<input" not in html
    assert '<code class="language-sh">apt install x' in html
    assert '<a href="02-costs.md">Get started</a>' in html and "md-button" not in html
