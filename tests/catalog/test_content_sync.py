"""`flask content sync`: import, re-import without writes, versions, archiving, renames, media."""

import hashlib
from contextlib import contextmanager
from urllib.parse import urljoin

import pytest
import sqlalchemy as sa

from tests.catalog.conftest import COURSE, GIF, PNG, Page, lines
from tests.conftest import ROOT
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import (
    Competency,
    Course,
    CourseMedia,
    Institution,
    Module,
    ModuleVersion,
    PolicyDocument,
)
from wired4ex.catalog.sync import ContentInvalid, sync_content
from wired4ex.extensions import db

MODULE_URL = "/courses/acme/basics/"


def sync(folder):
    """Sync a folder as `flask content sync` does, in a fresh session (as a new process would)."""
    db.session.remove()
    report = sync_content(folder.load())
    db.session.remove()
    return report


def module(key: str) -> Module:
    return db.session.scalar(sa.select(Module).where(Module.key == key))


def versions(key: str) -> list[ModuleVersion]:
    return list(
        db.session.scalars(
            sa.select(ModuleVersion)
            .join(ModuleVersion.module)
            .where(Module.key == key)
            .order_by(ModuleVersion.number)
        )
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def snapshot() -> dict:
    """What the catalogue tables hold, to compare before and after."""
    return {
        "institutions": sorted(db.session.scalars(sa.select(Institution.slug))),
        "courses": sorted(db.session.execute(sa.select(Course.slug, Course.source_hash)).all()),
        "modules": sorted(
            db.session.execute(
                sa.select(Module.key, Module.status, Module.current_version_id)
            ).all()
        ),
        "versions": sorted(
            db.session.execute(sa.select(ModuleVersion.id, ModuleVersion.source_hash)).all()
        ),
        "media": sorted(db.session.execute(sa.select(CourseMedia.name, CourseMedia.sha256)).all()),
        "policies": sorted(
            db.session.execute(sa.select(PolicyDocument.name, PolicyDocument.source_hash)).all()
        ),
    }


@contextmanager
def recorded_statements():
    """Every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITE_VERBS]


WRITE_VERBS = {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER"}


# -- the real content ----------------------------------------------------------------------------


def test_sync_imports_the_real_content(app, synced_content):
    tree = load_content(ROOT / "content")
    module_count = sum(len(course.modules) for course in tree.courses)
    media_count = sum(len(course.media) for course in tree.courses)

    assert synced_content.updated == synced_content.archived == []
    assert len(synced_content.added) == 4 + 2 + 5 + module_count  # 4 policy files
    assert "lake-region-university/health-financing" in synced_content.added
    assert "eaihm/quality-improvement/what-is-quality" in synced_content.added
    assert count(Institution) == 2
    assert count(Course) == 5
    assert count(Module) == count(ModuleVersion) == module_count == 17
    assert count(CourseMedia) == media_count
    framework = tree.policies["competencies"][0]["domains"]
    assert count(Competency) == sum(len(domain["competencies"]) for domain in framework) == 21
    assert {name for (name, _) in snapshot()["policies"]} == {
        "certifications",
        "competencies",
        "cpd",
        "membership",
    }

    quality = db.session.scalar(sa.select(Course).where(Course.slug == "quality-improvement"))
    ubora = db.session.scalar(sa.select(Course).where(Course.slug == "ubora-wa-huduma"))
    assert ubora.edition_of == quality and quality.other_edition == ubora  # the Swahili edition
    found = next(m for m in quality.modules if m.key == "what-is-quality")
    version = found.current_version
    assert version.number == 1
    assert version.title == "What Is Quality of Care?"
    assert version.minutes == 45
    assert version.competencies == ["QS1", "QS3"]
    assert version.source_hash == hashlib.sha256(version.source.encode()).hexdigest()
    assert '<h2 id="the-dimensions-of-quality">' in version.html
    assert "<table>" in version.html
    assert "```quiz" not in version.html and "[x]" not in version.html
    assert [q["id"] for q in version.quiz] == ["q1", "q2", "q3", "q4"]
    assert version.quiz[1]["multiple"] is True
    assert 'href="#the-dimensions-of-quality"' in version.toc_html

    course = db.session.scalar(sa.select(Course).where(Course.slug == "takwimu-kwa-maamuzi"))
    assert course.language == "sw"
    assert course.institution.slug == "eaihm"
    assert [m.position for m in course.modules] == [1, 2, 3]


def test_second_sync_of_the_real_content_writes_nothing(app, synced_content):
    before = snapshot()
    db.session.remove()

    with recorded_statements() as statements:
        report = sync_content(load_content(ROOT / "content"))
        db.session.remove()

    assert report.added == report.updated == report.archived == []
    assert sorted(report.unchanged) == sorted(synced_content.added)
    assert statements, "the listener saw no statements at all"
    assert writes(statements) == []
    assert snapshot() == before


# -- changes --------------------------------------------------------------------------------


def test_second_sync_of_a_folder_writes_nothing(app, make_content):
    folder = make_content()
    first = sync(folder)

    with recorded_statements() as statements:
        second = sync(folder)

    assert (second.added, second.updated, second.archived) == ([], [], [])
    assert sorted(second.unchanged) == sorted(first.added)
    assert writes(statements) == []


def test_a_changed_module_gets_a_new_version_and_keeps_the_old(app, make_content):
    folder = make_content()
    sync(folder)
    (first,) = versions("costs")
    old = (first.id, first.source_hash, first.html)
    module_id = module("costs").id
    text = folder.read(f"{COURSE}/02-costs.md")
    folder.write(f"{COURSE}/02-costs.md", text.replace("transport.", "transport and fuel."))

    report = sync(folder)

    assert report.updated == ["acme/basics/costs"]
    assert report.added == report.archived == []
    old_version, new_version = versions("costs")
    assert (old_version.id, old_version.source_hash, old_version.html) == old
    assert "transport and fuel." not in old_version.html
    assert new_version.number == 2
    assert new_version.source_hash != old[1]
    assert new_version.source_hash == hashlib.sha256(new_version.source.encode()).hexdigest()
    assert "transport and fuel." in new_version.html
    current = module("costs")
    assert current.id == module_id
    assert current.current_version_id == new_version.id


def test_a_changed_module_shows_its_new_text(admin_client, make_content):
    folder = make_content()
    sync(folder)
    text = folder.read(f"{COURSE}/02-costs.md")
    folder.write(f"{COURSE}/02-costs.md", text.replace('"Cost Lines"', '"Lines of Cost"'))
    sync(folder)

    page = admin_client.get(MODULE_URL + "costs").get_data(as_text=True)

    assert "<h1>Lines of Cost</h1>" in page


def test_a_module_whose_file_is_deleted_is_archived_with_its_history(admin_client, make_content):
    folder = make_content()
    sync(folder)
    review_id = module("review").id
    folder.remove(f"{COURSE}/03-review.md")

    report = sync(folder)

    assert report.archived == ["acme/basics/review"]
    assert report.added == report.updated == []
    archived = module("review")
    assert archived.id == review_id
    assert archived.status == "archived"
    assert archived.archived_at is not None
    assert len(versions("review")) == 1
    assert archived.current_version is not None
    assert admin_client.get(MODULE_URL + "review").status_code == 404
    course_page = admin_client.get(MODULE_URL).get_data(as_text=True)
    (module_list,) = Page(course_page, "ol", "module-list").blocks
    assert [text for text in module_list if not text[0].isdigit()] == [
        "Why Budgets Matter",
        "Cost Lines",
    ]


def test_an_archived_module_comes_back_with_the_same_row(app, make_content):
    folder = make_content()
    sync(folder)
    review_id = module("review").id
    text = folder.read(f"{COURSE}/03-review.md")
    folder.remove(f"{COURSE}/03-review.md")
    sync(folder)
    folder.write(f"{COURSE}/03-review.md", text)

    report = sync(folder)

    assert report.updated == ["acme/basics/review"]
    restored = module("review")
    assert (restored.id, restored.status, restored.archived_at) == (review_id, "active", None)
    assert len(versions("review")) == 1


def test_a_renamed_file_that_keeps_its_id_keeps_its_module(app, make_content):
    folder = make_content()
    sync(folder)
    intro = module("intro")
    intro_id, version_id = intro.id, intro.current_version_id
    folder.rename(f"{COURSE}/01-intro.md", f"{COURSE}/04-introduction.md")

    report = sync(folder)

    assert report.added == report.archived == []
    assert report.updated == ["acme/basics/intro"]
    assert count(Module) == 3
    renamed = module("intro")
    assert renamed.id == intro_id
    assert renamed.current_version_id == version_id
    assert renamed.source_path == f"{COURSE}/04-introduction.md"
    assert renamed.position == 4
    assert renamed.status == "active"


def test_a_renamed_file_without_an_id_is_a_new_module(app, make_content):
    folder = make_content()
    sync(folder)
    folder.rename(f"{COURSE}/03-review.md", f"{COURSE}/03-wrap-up.md")

    report = sync(folder)

    assert report.added == ["acme/basics/wrap-up"]
    assert report.archived == ["acme/basics/review"]
    assert module("review").status == "archived"
    assert module("wrap-up").status == "active"


def test_a_course_whose_folder_is_deleted_is_archived(client, make_content):
    folder = make_content()
    folder.write(
        "institutions/acme/extra/course.md", lines("---", "title: Extra", "summary: More.", "---")
    )
    folder.write("institutions/acme/extra/01-more.md", lines("---", "title: More", "---", "Text."))
    sync(folder)
    assert client.get("/courses/acme/extra/").status_code == 200
    for name in ("01-more.md", "course.md"):
        folder.remove(f"institutions/acme/extra/{name}")
    folder.path("institutions/acme/extra").rmdir()

    report = sync(folder)

    assert report.archived == ["acme/extra"]
    course = db.session.scalar(sa.select(Course).where(Course.slug == "extra"))
    assert course.status == "archived"
    assert len(course.modules) == 1
    assert client.get("/courses/acme/extra/").status_code == 404


# -- nothing is imported from a folder with problems ----------------------------------------


def test_sync_content_refuses_a_tree_with_problems(app, make_content):
    folder = make_content()
    folder.write(f"{COURSE}/02-costs.md", lines("---", "title: Costs", "pass_mark: 150", "---"))

    with pytest.raises(ContentInvalid):
        sync_content(folder.load())

    assert count(Course) == count(Module) == count(Institution) == 0


def test_cli_sync_of_a_broken_folder_imports_nothing(runner, make_content):
    folder = make_content()
    folder.write(f"{COURSE}/02-costs.md", lines("---", "title: Costs", "pass_mark: 150", "---"))

    result = runner.invoke(args=["content", "sync", str(folder.root)])

    assert result.exit_code == 1
    assert "02-costs.md:3: pass_mark must be a percentage, 1 to 100" in result.stdout
    assert "Nothing was imported" in result.output
    db.session.remove()
    assert count(Institution) == count(Course) == count(Module) == count(ModuleVersion) == 0
    assert count(PolicyDocument) == count(CourseMedia) == 0


def test_cli_sync_of_a_broken_change_leaves_the_database_as_it_was(runner, make_content):
    folder = make_content()
    assert runner.invoke(args=["content", "sync", str(folder.root)]).exit_code == 0
    before = snapshot()
    folder.write(f"{COURSE}/02-costs.md", folder.read(f"{COURSE}/02-costs.md") + "\nNew text.\n")
    folder.write(f"{COURSE}/04-new.md", lines("---", "title: New", "---", "Text."))
    folder.write(f"{COURSE}/media/notes.png", b"not a picture")

    result = runner.invoke(args=["content", "sync", str(folder.root)])

    assert result.exit_code == 1
    assert "media/notes.png:1: media files must be PNG" in result.stdout
    db.session.remove()
    assert snapshot() == before


def test_cli_sync_reports_added_then_unchanged(runner, make_content):
    folder = make_content()

    first = runner.invoke(args=["content", "sync", str(folder.root)])
    second = runner.invoke(args=["content", "sync", str(folder.root)])

    assert first.exit_code == 0, first.output
    assert "added     acme/basics/intro" in first.output
    assert "0 updated" in first.output
    assert "unchanged" in first.output and "Everything is unchanged." not in first.output
    assert second.exit_code == 0, second.output
    # 4 policy files, 1 institution, 1 course, 3 modules
    assert "0 added, 0 updated, 9 unchanged, 0 archived." in second.output
    assert "Everything is unchanged." in second.output
    assert "added     " not in second.output


def test_cli_sync_lists_what_changed(runner, make_content):
    folder = make_content()
    runner.invoke(args=["content", "sync", str(folder.root)])
    folder.write(f"{COURSE}/02-costs.md", folder.read(f"{COURSE}/02-costs.md") + "\nMore.\n")
    folder.remove(f"{COURSE}/03-review.md")

    result = runner.invoke(args=["content", "sync", str(folder.root)])

    assert result.exit_code == 0, result.output
    assert "updated   acme/basics/costs" in result.output
    assert "archived  acme/basics/review" in result.output
    assert "1 updated" in result.output and "1 archived" in result.output


# -- media and links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("cycle.png", PNG, "image/png"),
        ("bar.gif", GIF, "image/gif"),
        ("diagrams/flow.png", PNG, "image/png"),
    ],
)
def test_images_are_stored_and_served(client, make_content, name, data, content_type):
    folder = make_content()
    folder.write(f"{COURSE}/media/diagrams/flow.png", PNG)
    sync(folder)

    response = client.get(f"{MODULE_URL}media/{name}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.data == data
    stored = db.session.scalar(sa.select(CourseMedia).where(CourseMedia.name == name))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_a_missing_image_is_404(client, make_content):
    sync(make_content())

    assert client.get(MODULE_URL + "media/nothere.png").status_code == 404
    assert client.get("/courses/acme/nowhere/media/cycle.png").status_code == 404


def test_a_changed_image_is_served_new(client, make_content):
    folder = make_content()
    sync(folder)
    folder.write(f"{COURSE}/media/cycle.png", GIF)

    report = sync(folder)

    response = client.get(MODULE_URL + "media/cycle.png")
    assert response.data == GIF
    assert response.headers["Content-Type"] == "image/gif"
    assert report.added == report.updated == []


def test_links_to_module_files_become_module_addresses(admin_client, make_content):
    folder = make_content()
    sync(folder)
    html = module("intro").current_version.html
    assert 'href="costs#cost-lines"' in html
    assert "02-costs.md" not in html
    assert 'src="media/cycle.png"' in html

    page_url = MODULE_URL + "intro"
    page = admin_client.get(page_url).get_data(as_text=True)
    assert 'href="costs#cost-lines"' in page
    target = admin_client.get(urljoin(page_url, "costs#cost-lines").split("#")[0])
    assert target.status_code == 200
    assert 'id="cost-lines"' in target.get_data(as_text=True)
    image = admin_client.get(urljoin(page_url, "media/cycle.png"))
    assert image.status_code == 200
    assert image.data == PNG


def test_a_link_to_a_renamed_module_file_follows_the_id(admin_client, make_content):
    folder = make_content()
    folder.rename(f"{COURSE}/02-costs.md", f"{COURSE}/05-cost-lines.md")
    folder.write(
        f"{COURSE}/05-cost-lines.md",
        folder.read(f"{COURSE}/05-cost-lines.md").replace("minutes: 20", "id: costs\nminutes: 20"),
    )
    intro = folder.read(f"{COURSE}/01-intro.md")
    folder.write(f"{COURSE}/01-intro.md", intro.replace("02-costs.md", "05-cost-lines.md"))
    sync(folder)

    assert 'href="costs#cost-lines"' in module("intro").current_version.html
    assert admin_client.get(MODULE_URL + "costs").status_code == 200
