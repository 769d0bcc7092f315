"""A warm sync skips unchanged files by their hash before parsing their Markdown, and still
checks their links; `flask content rerender` renders stored HTML again, keeping ids."""

import sqlalchemy as sa

from tests.catalog.conftest import COURSE, lines
from wired4ex.catalog import links
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course, ModuleVersion
from wired4ex.catalog.sync import known_module_links, sync_content
from wired4ex.extensions import db
from wired4ex.markup import RENDERER_VERSION


def parsed_bodies(monkeypatch) -> list[str]:
    """Record every body the checker parses (the real parser still runs)."""
    seen: list[str] = []
    real = links.check_markdown

    def spy(body):
        seen.append(body)
        return real(body)

    monkeypatch.setattr(links, "check_markdown", spy)
    return seen


def test_a_warm_load_parses_only_the_files_that_changed(app, make_content, monkeypatch):
    folder = make_content()
    sync_content(folder.load())
    db.session.remove()
    seen = parsed_bodies(monkeypatch)

    warm = load_content(folder.root, known_links=known_module_links())
    assert warm.problems == []
    assert seen == [warm.courses[0].overview]  # the course page only: no module parsed

    folder.write(f"{COURSE}/03-review.md", folder.read(f"{COURSE}/03-review.md") + "\nMore.\n")
    seen.clear()
    load_content(folder.root, known_links=known_module_links())
    assert len(seen) == 2 and seen[1].endswith("More.\n")


def test_an_unchanged_file_is_still_checked_from_its_stored_links(app, make_content):
    folder = make_content()
    sync_content(folder.load())
    db.session.remove()
    folder.remove(f"{COURSE}/02-costs.md")  # 01-intro.md, unchanged, links to it

    problems = load_content(folder.root, known_links=known_module_links()).problems
    assert [(folder.where(p.path), p.line) for p in problems] == [(f"{COURSE}/01-intro.md", 14)]
    assert "broken link: 02-costs.md" in problems[0].message


def test_versions_record_the_renderer_and_what_it_found(app, make_content):
    folder = make_content()
    sync_content(folder.load())
    version = db.session.scalar(
        sa.select(ModuleVersion).where(ModuleVersion.title == "Why Budgets Matter")
    )
    assert version.renderer_version == RENDERER_VERSION
    assert ["image", "media/cycle.png"] in version.links
    assert ["link", "02-costs.md#cost-lines"] in version.links


def test_rerender_renders_stored_html_again_and_keeps_ids(app, runner, make_content):
    folder = make_content()
    folder.write(f"{COURSE}/03-review.md", lines("---", 'title: "Review"', "---", "",
                                                 "- [x] done", "", "[WHO](https://who.int)"))  # fmt: skip
    assert runner.invoke(args=["content", "sync", str(folder.root)]).exit_code == 0
    before = {
        v.id: (v.module_id, v.number, v.html) for v in db.session.scalars(sa.select(ModuleVersion))
    }
    overview = db.session.scalar(sa.select(Course.overview_html))
    db.session.execute(sa.update(ModuleVersion).values(html="<p>old</p>", renderer_version=None))
    db.session.execute(
        sa.update(Course).values(overview_html="old", overview_renderer_version=None)
    )
    db.session.commit()

    result = runner.invoke(args=["content", "rerender", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert f"4 rendered with renderer version {RENDERER_VERSION}, 0 kept" in result.output
    db.session.remove()
    after = {
        v.id: (v.module_id, v.number, v.html) for v in db.session.scalars(sa.select(ModuleVersion))
    }
    assert after == before
    assert "☑" in "".join(html for _, _, html in after.values())
    assert db.session.scalar(sa.select(Course.overview_html)) == overview
    again = runner.invoke(args=["content", "rerender"])
    assert "0 rendered" in again.output  # nothing is stale any more
