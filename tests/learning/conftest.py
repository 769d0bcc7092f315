"""Fixtures for learning tests: a small course built through the real content loader."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course, Institution
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db

QUIZ_MODULE = """---
title: Budgets in practice
minutes: 30
cpd_points: 1.5
competencies: [FM1]
pass_mark: 50
objectives:
  - read a budget
---
## Why budgets matter

Money follows plans.

```quiz
? Which document links money to programmes?
- [x] A programme-based budget
- [ ] A duty roster
> Programme-based budgets attach money to programmes and their outputs.

? Which are revenue sources? (choose all that apply)
- [x] Exchequer allocations
- [x] Facility improvement fund collections
- [ ] Staff overtime
> Overtime is a cost, not revenue.
```
"""

# No reading time here, so tests can mark it done at once; test_reading_time.py tests the wait.
READING_MODULE = """---
title: Reading without a check
minutes: 20
cpd_points: 1
competencies: [LG1]
min_read_minutes: 0
---
## Leadership

Leaders set direction.
"""


class CourseTree:
    """A content folder in tmp_path with one institution and course; edit files, then sync()."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(ROOT / "content" / "policy", root / "policy")
        institution = root / "institutions" / "demo-uni"
        institution.mkdir(parents=True)
        (institution / "institution.yml").write_text(
            "name: Demo University\nshort_name: DU\ncountry: Kenya\n"
        )
        self.course = institution / "budgets"
        self.course.mkdir()
        self.write_course()
        self.write("01-budgets-in-practice.md", QUIZ_MODULE)
        self.write("02-reading.md", READING_MODULE)
        # The certification policy names real courses; keep it valid for this small tree.
        (root / "policy" / "certifications.yml").write_text("programmes: []\n")

    def write_course(self, prerequisites: str = "[]") -> None:
        (self.course / "course.md").write_text(
            "---\ntitle: Budgets for managers\nsummary: Money and plans.\n"
            f"prerequisites: {prerequisites}\n---\nAn overview.\n"
        )

    def write(self, name: str, text: str) -> None:
        (self.course / name).write_text(text)

    def remove(self, name: str) -> None:
        (self.course / name).unlink()

    def sync(self):
        known = {
            f"{institution}/{course}"
            for institution, course in db.session.execute(
                sa.select(Institution.slug, Course.slug).join(Course.institution)
            )
        }
        tree = load_content(self.root, known_course_keys=known)
        assert tree.problems == [], [str(p) for p in tree.problems]
        report = sync_content(tree)
        return report


@pytest.fixture
def course_tree(app, tmp_path):
    tree = CourseTree(tmp_path / "content")
    tree.sync()
    return tree


@pytest.fixture
def course(course_tree) -> Course:
    return db.session.scalar(sa.select(Course).where(Course.slug == "budgets"))


COURSE_URL = "/courses/demo-uni/budgets/"
QUIZ_URL = "/courses/demo-uni/budgets/budgets-in-practice"
READING_URL = "/courses/demo-uni/budgets/reading"
