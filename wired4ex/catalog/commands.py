"""`flask content check [PATH]` and `flask content sync [PATH]`."""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course, Institution
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db

content_cli = AppGroup("content", help="Check and import the Markdown courses in content/.")


def _known_course_keys() -> set[str]:
    """Course ids already in the database, when there is one (for checks of one folder)."""
    try:
        rows = db.session.execute(sa.select(Institution.slug, Course.slug).join(Course.institution))
        return {f"{institution}/{course}" for institution, course in rows}
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return set()


def _load(path: str | None):
    root = Path(path) if path else Path(current_app.config["CONTENT_DIR"])
    return load_content(
        root,
        policy_root=Path(current_app.config["CONTENT_DIR"]),
        known_course_keys=_known_course_keys(),
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
    tree = _load(path)
    if tree.problems:
        _print_problems(tree)
        click.echo("Nothing was imported: fix the problems above and sync again.", err=True)
        sys.exit(1)
    report = sync_content(tree)
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
