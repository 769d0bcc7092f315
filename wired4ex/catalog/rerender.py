"""Re-render stored HTML after the renderer changed (`flask content rerender`).

Every module version and course overview is rendered again from the source stored beside it,
in batches (one commit each), so ids, versions and learners' completions stay as they are.
"""

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wired4ex.catalog.links import link_resolver
from wired4ex.catalog.models import Course, Module, ModuleVersion
from wired4ex.catalog.sources import SourceError, read_markdown
from wired4ex.extensions import db
from wired4ex.markup import RENDERER_VERSION, MarkupError, render_markdown


@dataclass
class RerenderReport:
    rendered: int = 0
    failed: list[str] = field(default_factory=list)  # "what: why", the old HTML kept


def stale_count(everything: bool = False) -> int:
    """How many versions and overviews a rerender would render."""
    versions = sa.select(sa.func.count(ModuleVersion.id))
    courses = sa.select(sa.func.count(Course.id))
    if not everything:
        versions = versions.where(_stale(ModuleVersion.renderer_version))
        courses = courses.where(_stale(Course.overview_renderer_version))
    return db.session.scalar(versions) + db.session.scalar(courses)


def _stale(column):
    return sa.or_(column.is_(None), column != RENDERER_VERSION)


def _file_keys(course: Course) -> dict[str, str]:
    """Module file name -> module id, as the content loader maps links to module files."""
    keys = {}
    for number, module in enumerate(sorted(course.modules, key=lambda m: m.position), start=1):
        name = posixpath.basename(module.source_path) if module.source_path else None
        keys[name or f"{number:02d}-{module.key}.md"] = module.key
    return keys


def rerender(
    batch_size: int = 100, everything: bool = False, advance: Callable[[int], None] | None = None
) -> RerenderReport:
    """Render again every module version and course overview not rendered by this renderer
    (all of them with everything=True); commits once per batch. advance(n) is called after
    each batch, for a progress bar."""
    report = RerenderReport()
    last_id = 0
    while True:
        query = (
            sa.select(ModuleVersion)
            .where(ModuleVersion.id > last_id)
            .order_by(ModuleVersion.id)
            .limit(batch_size)
            .options(
                selectinload(ModuleVersion.module)
                .selectinload(Module.course)
                .selectinload(Course.modules)
            )
        )
        if not everything:
            query = query.where(_stale(ModuleVersion.renderer_version))
        batch = list(db.session.scalars(query))
        if not batch:
            break
        for version in batch:
            _rerender_version(version, report)
        last_id = batch[-1].id
        db.session.commit()
        if advance:
            advance(len(batch))
    last_id = 0
    while True:
        query = sa.select(Course).where(Course.id > last_id).order_by(Course.id).limit(batch_size)
        if not everything:
            query = query.where(_stale(Course.overview_renderer_version))
        batch = list(db.session.scalars(query.options(selectinload(Course.modules))))
        if not batch:
            break
        for course in batch:
            _rerender_overview(course, report)
        last_id = batch[-1].id
        db.session.commit()
        if advance:
            advance(len(batch))
    return report


def _rerender_version(version: ModuleVersion, report: RerenderReport) -> None:
    module = version.module
    label = f"{module.course.institution.slug}/{module.course.slug}/{module.key} v{version.number}"
    try:
        body = read_markdown(version.source).body
        rendered = render_markdown(
            body, link_resolver(_file_keys(module.course)), module.course.language
        )
    except (SourceError, MarkupError) as error:
        report.failed.append(f"{label}: {error}")
        return
    version.html = rendered.html
    version.toc_html = rendered.toc_html
    version.links = [list(link) for link in rendered.links]
    version.renderer_version = RENDERER_VERSION
    report.rendered += 1


def _rerender_overview(course: Course, report: RerenderReport) -> None:
    try:
        rendered = render_markdown(
            course.overview_source or "", link_resolver(_file_keys(course)), course.language
        )
    except MarkupError as error:
        report.failed.append(f"{course.institution.slug}/{course.slug}: {error}")
        return
    course.overview_html = rendered.html
    course.overview_renderer_version = RENDERER_VERSION
    report.rendered += 1
