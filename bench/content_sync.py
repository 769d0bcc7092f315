"""Benchmark `flask content sync`: a cold import of many modules, then a re-sync with no change.

Run from the repository root:

    .venv/bin/python bench/content_sync.py --realworld   # the real-world lessons in tests/data
    .venv/bin/python bench/content_sync.py               # 500 generated modules
    .venv/bin/python bench/content_sync.py --modules 100

With --realworld it copies the curricula of tests/data/realworld into a content folder and leaves
out, file by file, what the checker refuses there (pages over the size limit, links to pages and
pictures the copies do not have), so that the rest can be imported; the re-sync must take at
most 20 % of the cold sync (issue 20: unchanged files are skipped by their hash before parsing).

It writes a generated content folder (the real policy files, 10 modules per course, 5 courses per
institution, each module with headings, a table, an admonition, a footnote, an image, a link to
the next module and a knowledge check) and a fresh SQLite database, both in a temporary folder,
builds the schema with the migrations, and prints the time of each sync. The re-sync must write
nothing; the script exits 1 if it reports any change.
"""

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from wired4ex import create_app  # noqa: E402
from wired4ex.catalog.content import load_content  # noqa: E402
from wired4ex.catalog.sync import known_module_links, sync_content  # noqa: E402
from wired4ex.extensions import db  # noqa: E402

MODULES_PER_COURSE = 10
COURSES_PER_INSTITUTION = 5
PNG = (ROOT / "content/institutions/eaihm/quality-improvement/media/run-chart.png").read_bytes()
TOPICS = [
    ("planning", "Planning and Budgeting", "FM1"),
    ("financing", "Health Financing", "FM2"),
    ("quality", "Quality Improvement", "QS1"),
    ("safety", "Patient Safety", "QS2"),
    ("data", "Data for Decisions", "DI3"),
    ("people", "Managing Health Workers", "HR2"),
    ("supplies", "Medicines and Supplies", "OM1"),
    ("governance", "Boards and Governance", "LG2"),
]


def module_text(course_title: str, number: int, total: int, code: str) -> str:
    """A module of about 7 KB, shaped like the real ones."""
    following = (
        f"The next module, [part {number + 1}]({number + 1:02d}-part-{number + 1}.md#overview), "
        "builds on this one."
        if number < total
        else "This is the last module of the course."
    )
    paragraphs = "\n\n".join(
        f"Paragraph {i} of part {number}. A county health management team reviews its "
        f"{course_title.lower()} every quarter. The facility in-charge brings the registers, the "
        "sub-county officer brings the DHIS2 reports, and together they compare what was planned "
        "with what was done, agree on two or three changes, and write down who will do what by "
        "when. Small, regular reviews catch problems while they are still cheap to fix."
        for i in range(1, 9)
    )
    return f"""---
title: "{course_title}, Part {number}"
minutes: {30 + number * 5}
cpd_points: {1 + (number % 2) * 0.5}
cpd_category: structured
competencies:
  - {code}
pass_mark: 70
objectives:
  - "describe the main ideas of part {number}"
  - "apply them to a facility you manage"
---

## Overview

{paragraphs}

## Figures that matter

| Indicator | Target | Last quarter | Source |
|---|---:|---:|---|
| Fully completed partographs | 90% | 64% | Maternity register |
| Stock-outs of tracer medicines | 0 | 3 | Stock cards |
| Budget absorbed | 95% | 71% | IFMIS report |
| Supervision visits done | 12 | 9 | Visit book |

!!! note "A practical tip"
    Bring the numbers to the meeting on paper: the network is not always there.

![A run chart of the indicator](media/chart.png)

### What to do next

1. Agree on one change.
2. Measure it weekly.
3. Review it at the next meeting.[^{number}]

{following}

```quiz
? What is the first step of a quarterly review in part {number}?
- [x] Compare what was planned with what was done
- [ ] Write a new strategic plan
- [ ] Replace the in-charge
> Reviews start from the plan and the data, then agree on a few changes.

? Which are sources of data for the review? (choose all that apply)
- [x] Facility registers
- [x] DHIS2 reports
- [ ] Rumours from the market
```

[^{number}]: Ministry of Health, *Guidelines for quarterly performance reviews*, illustrative.
"""


def generate(root: Path, modules: int) -> int:
    """Write a content folder with `modules` modules; returns the number of courses."""
    shutil.copytree(ROOT / "content" / "policy", root / "policy")
    courses = -(-modules // MODULES_PER_COURSE)
    first_course = None
    remaining = modules
    for index in range(courses):
        institution = f"institution-{index // COURSES_PER_INSTITUTION + 1:02d}"
        slug, title, code = TOPICS[index % len(TOPICS)]
        slug = f"{slug}-{index + 1:03d}"
        folder = root / "institutions" / institution / slug
        (folder / "media").mkdir(parents=True)
        institution_file = folder.parent / "institution.yml"
        if not institution_file.exists():
            institution_file.write_text(
                f'name: "Institute {institution[-2:]} of Health Management"\n'
                f'short_name: "I{institution[-2:]}"\ncountry: "Kenya"\n'
            )
        (folder / "course.md").write_text(
            f'---\ntitle: "{title} {index + 1}"\nsummary: "A generated course for the benchmark."'
            f"\nlanguage: en\ncompetencies:\n  - {code}\n---\n\n## About\n\nStart with "
            "[part 1](01-part-1.md).\n"
        )
        (folder / "media" / "chart.png").write_bytes(PNG)
        count = min(MODULES_PER_COURSE, remaining)
        remaining -= count
        for number in range(1, count + 1):
            (folder / f"{number:02d}-part-{number}.md").write_text(
                module_text(f"{title} {index + 1}", number, count, code)
            )
        first_course = first_course or f"{institution}/{slug}"
    (root / "policy" / "certifications.yml").write_text(
        "programmes:\n  - code: BENCH\n    name: Benchmark Certificate\n    level: 1\n"
        f"    rules:\n      required_courses:\n        - {first_course}\n"
    )
    return courses


def copy_realworld(root: Path) -> int:
    """Copy the real-world curricula into a content folder, less the files the checker refuses
    (checked again until nothing is refused); returns the number of module files kept."""
    shutil.copytree(ROOT / "content" / "policy", root / "policy")
    for curriculum in sorted((ROOT / "tests" / "data" / "realworld").iterdir()):
        if curriculum.is_dir():
            shutil.copytree(curriculum, root / "institutions" / curriculum.name)
    (root / "policy" / "certifications.yml").write_text("programmes: []\n")
    while True:
        problems = load_content(root).problems
        if not problems:
            break
        for path in {Path(problem.path).resolve() for problem in problems}:
            if path.is_file() and path.name == "course.md":
                shutil.rmtree(path.parent)
            elif path.is_file():
                path.unlink()
    return sum(1 for path in root.rglob("*.md") if path.name != "course.md")


def timed_sync(root: Path) -> tuple[float, float, object]:
    """(seconds to load and check, seconds to import, report), in a fresh session; the load
    reads what the database knows of each file, as `flask content sync` does."""
    db.session.remove()
    started = time.perf_counter()
    tree = load_content(root, known_links=known_module_links())
    loaded = time.perf_counter()
    if tree.problems:
        for problem in tree.problems[:20]:
            print(problem)
        raise SystemExit(f"the generated content has {len(tree.problems)} problem(s)")
    report = sync_content(tree)
    finished = time.perf_counter()
    db.session.remove()
    return loaded - started, finished - loaded, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=500, help="modules to generate (500)")
    parser.add_argument("--realworld", action="store_true", help="the tests/data lessons")
    args = parser.parse_args()
    if args.modules < 1:
        parser.error("--modules must be at least 1")
    with tempfile.TemporaryDirectory(prefix="w4x-bench-") as temp:
        work = Path(temp)
        content = work / "content"
        started = time.perf_counter()
        if args.realworld:
            args.modules = copy_realworld(content)
            print(f"Real-world lessons: {args.modules} module files the checker accepts")
        else:
            courses = generate(content, args.modules)
            print(
                f"Generated {args.modules} modules in {courses} courses "
                f"in {time.perf_counter() - started:.1f} s ({content})"
            )

        class BenchConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{work / 'bench.sqlite'}"
            CONTENT_DIR = str(content)
            MAIL_OUTBOX = str(work / "outbox")
            EVIDENCE_DIR = str(work / "evidence")

        app = create_app(BenchConfig)
        with app.app_context():
            logging.disable(logging.INFO)  # alembic's env.py sets up its own INFO logging
            upgrade(directory=str(ROOT / "migrations"))
            logging.disable(logging.NOTSET)
            cold_load, cold_sync, cold = timed_sync(content)
            warm_load, warm_sync, warm = timed_sync(content)
            db.engine.dispose()

    cold_total, warm_total = cold_load + cold_sync, warm_load + warm_sync
    n = args.modules
    print(
        f"cold sync: {cold_total:6.2f} s ({n / cold_total:7.1f} modules/s; load and check "
        f"{cold_load:.2f} s, import {cold_sync:.2f} s) - {len(cold.added)} added"
    )
    print(
        f"re-sync:   {warm_total:6.2f} s ({n / warm_total:7.1f} modules/s; load and check "
        f"{warm_load:.2f} s, import {warm_sync:.2f} s) - {len(warm.unchanged)} unchanged"
    )
    print(f"ratio cold/re-sync: {cold_total / warm_total:.1f}x")
    ratio = warm_total / cold_total
    print(f"ratio re-sync/cold: {ratio:.2f} (target at most 0.20)")
    if warm.changed:
        print(f"re-sync changed something: {warm.added + warm.updated + warm.archived}")
        return 1
    return 0 if ratio <= 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())
