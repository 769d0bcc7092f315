"""`flask content check [PATH]` and `flask content sync [PATH]`."""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course, Institution
from wired4ex.catalog.rerender import rerender, stale_count
from wired4ex.catalog.sync import ContentInvalid, known_module_links, sync_content
from wired4ex.extensions import db
from wired4ex.markup import RENDERER_VERSION

content_cli = AppGroup("content", help="Check and import the Markdown courses in content/.")


def _known_course_keys() -> set[str]:
    """Course ids already in the database, when there is one (for checks of one folder)."""
    try:
        rows = db.session.execute(sa.select(Institution.slug, Course.slug).join(Course.institution))
        return {f"{institution}/{course}" for institution, course in rows}
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return set()


def _load(path: str | None, skip_unchanged: bool = False):
    """Load and check; with skip_unchanged (sync), files unchanged since the last sync are
    checked from the links stored then, without parsing their Markdown again."""
    root = Path(path) if path else Path(current_app.config["CONTENT_DIR"])
    return load_content(
        root,
        policy_root=Path(current_app.config["CONTENT_DIR"]),
        known_course_keys=_known_course_keys(),
        known_links=known_module_links() if skip_unchanged else None,
    )


def _print_warnings(tree) -> None:
    for warning in tree.warnings:
        click.echo(f"{warning.path}:{warning.line}: warning: {warning.message}")


def _print_problems(tree) -> None:
    _print_warnings(tree)
    for problem in tree.problems:
        click.echo(str(problem))
    count = len(tree.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def check_command(path):
    """Check the content folder (or one institution or course in it); exit 1 on any problem."""
    tree = _load(path)
    _print_warnings(tree)
    if tree.problems:
        _print_problems(tree)
        sys.exit(1)
    _print_warnings(tree)
    modules = sum(len(course.modules) for course in tree.courses)
    click.echo(
        f"OK: {len(tree.institutions)} institutions, {len(tree.courses)} courses, "
        f"{modules} modules, no problems."
    )


@content_cli.command("sync")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def sync_command(path):
    """Import the content into the database in one transaction (nothing on any problem)."""
    tree = _load(path, skip_unchanged=True)
    _print_warnings(tree)
    if tree.problems:
        _print_problems(tree)
        click.echo("Nothing was imported: fix the problems above and sync again.", err=True)
        sys.exit(1)
    try:
        report = sync_content(tree)
    except ContentInvalid as error:  # found only against the database (editions)
        for problem in error.problems or [error]:
            click.echo(str(problem))
        click.echo("Nothing was imported: fix the problems above and sync again.", err=True)
        sys.exit(1)
    for label, items in (
        ("added", report.added),
        ("updated", report.updated),
        ("archived", report.archived),
    ):
        for item in items:
            click.echo(f"{label:9} {item}")
    click.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.archived)} archived."
    )
    if not report.changed:
        click.echo("Everything is unchanged.")


@content_cli.command("rerender")
@click.option("--batch-size", default=100, show_default=True, help="Rows per transaction.")
@click.option("--all", "everything", is_flag=True, help="Also what this renderer already made.")
def rerender_command(batch_size, everything):
    """Render stored module versions and course overviews again from their source (after an
    upgrade of the Markdown renderer); ids, versions and completions are kept."""
    total = stale_count(everything)
    with click.progressbar(length=total, file=sys.stderr) as bar:
        report = rerender(batch_size=max(1, batch_size), everything=everything, advance=bar.update)
    for failure in report.failed:
        click.echo(f"kept the old HTML of {failure}")
    click.echo(
        f"{report.rendered} rendered with renderer version {RENDERER_VERSION}, "
        f"{len(report.failed)} kept as they were."
    )
    if report.failed:
        sys.exit(1)
