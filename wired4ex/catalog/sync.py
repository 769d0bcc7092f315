"""Import a checked content tree into the database, in one transaction.

New modules are added; a module whose source changed gets a new version (source, hash, rendered
HTML, parsed quiz); unchanged ones are skipped by hash, so a second sync writes nothing. Modules
and courses whose files disappear are archived, never deleted: learners' history stays.
"""

import hashlib
import os
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wired4ex import audit
from wired4ex.catalog.content import (
    ContentTree,
    CourseSource,
    ModuleSource,
    Problem,
    link_resolver,
)
from wired4ex.catalog.models import (
    Competency,
    CompetencyDomain,
    Course,
    CourseCompetency,
    CourseMedia,
    Institution,
    Module,
    ModuleVersion,
    PolicyDocument,
)
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.markup import RENDERER_VERSION, render_markdown


class ContentInvalid(ValueError):
    """The tree has problems; nothing was imported. `problems` says where, when known."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def _edition_problem(source: CourseSource, message: str) -> ContentInvalid:
    """A problem of a course's edition_of line, found only against the database."""
    path = os.path.relpath(source.course_file) if source.course_file else source.key
    problem = Problem(path, source.edition_line, f"edition_of: {message}")
    return ContentInvalid(str(problem), [problem])


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.archived)


def known_module_links() -> dict[str, tuple[str, list]]:
    """{module file: (source hash, links found)} of every module synced from a file by this
    renderer version: what load_content needs to skip parsing unchanged files. Empty when
    there is no database yet."""
    query = (
        sa.select(Module.source_path, ModuleVersion.source_hash, ModuleVersion.links)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(
            Module.source_path.is_not(None),
            ModuleVersion.renderer_version == RENDERER_VERSION,
        )
    )
    try:
        rows = db.session.execute(query).all()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {}
    return {
        path: (digest, [tuple(link) for link in links])
        for path, digest, links in rows
        if isinstance(links, list)
    }


def assign(obj, **values) -> bool:
    """Set only the attributes whose value differs, so unchanged rows are never written."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


COMMAND_LINE = "the command line"
AUDITED_NAMES = 100  # names of changed items kept in the audit event, per kind


def sync_content(
    tree: ContentTree, actor_id: int | None = None, via: str = COMMAND_LINE
) -> SyncReport:
    """Import the tree; commits once, or raises ContentInvalid / rolls back and changes nothing.

    A sync that changes something is audited in the same transaction: who (an account, or `via`
    such as the command line) and what was added, updated and archived.
    """
    if tree.problems:
        raise ContentInvalid(f"{len(tree.problems)} problem(s) in the content; nothing imported")
    report = SyncReport()
    try:
        _sync_policies(tree, report)
        institutions = _sync_institutions(tree, report)
        for source in tree.courses:
            _sync_course(source, institutions[source.institution], report)
        _sync_editions(tree)
        _archive_missing_courses(tree, institutions, report)
        if report.changed:  # a sync that changes nothing writes nothing, not even an event
            _audit_sync(report, actor_id, via)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    from wired4ex.offline.services import refresh_packs  # the printable packs, made at publish

    refresh_packs()
    return report


def _audit_sync(report: SyncReport, actor_id: int | None, via: str) -> None:
    changes = {
        kind: getattr(report, kind)[:AUDITED_NAMES] for kind in ("added", "updated", "archived")
    }
    after = {"via": via, **changes, "unchanged": len(report.unchanged)}
    audit.record("content.synced", "content", "content", actor_id, after=after)


def _sync_policies(tree: ContentTree, report: SyncReport) -> None:
    for name, (data, digest) in tree.policies.items():
        document = db.session.get(PolicyDocument, name)
        label = f"policy/{name}.yml"
        if document is None:
            db.session.add(PolicyDocument(name=name, data=data, source_hash=digest))
            report.added.append(label)
        elif document.source_hash != digest:
            assign(document, data=data, source_hash=digest, loaded_at=utcnow())
            report.updated.append(label)
        else:
            report.unchanged.append(label)
            continue
        if name == "competencies":
            _sync_competencies(data)
    db.session.flush()


def _sync_competencies(data: dict) -> None:
    domains = {d.code: d for d in db.session.scalars(sa.select(CompetencyDomain))}
    competencies = {c.code: c for c in db.session.scalars(sa.select(Competency))}
    for position, entry in enumerate(data.get("domains", [])):
        code = str(entry["code"])
        domain = domains.get(code) or CompetencyDomain(code=code)
        assign(domain, name=str(entry["name"]), position=position)
        db.session.add(domain)
        for item in entry.get("competencies") or []:
            competency = competencies.get(str(item["code"])) or Competency(code=str(item["code"]))
            assign(competency, name=str(item["name"]), domain_code=code)
            db.session.add(competency)


def _sync_institutions(tree: ContentTree, report: SyncReport) -> dict[str, Institution]:
    existing = {i.slug: i for i in db.session.scalars(sa.select(Institution))}
    for source in tree.institutions:
        institution = existing.get(source.slug)
        values = dict(
            name=source.name,
            short_name=source.short_name,
            country=source.country,
            website=source.website,
            description=source.description,
        )
        label = f"institutions/{source.slug}"
        if institution is None:
            institution = Institution(slug=source.slug, source="content", **values)
            db.session.add(institution)
            existing[source.slug] = institution
            report.added.append(label)
        elif assign(institution, **values):
            report.updated.append(label)
        else:
            report.unchanged.append(label)
    db.session.flush()
    return existing


def _sync_course(source: CourseSource, institution: Institution, report: SyncReport) -> None:
    course = db.session.scalar(
        sa.select(Course)
        .where(Course.institution_id == institution.id, Course.slug == source.slug)
        .options(
            selectinload(Course.modules).selectinload(Module.current_version),
            selectinload(Course.competency_links),
            selectinload(Course.media),
        )
    )
    label = f"{source.key}"
    if course is None:
        course = Course(institution=institution, slug=source.slug, source="content")
        db.session.add(course)
        report.added.append(label)
        changed = True
    else:
        changed = course.source_hash != source.source_hash or course.status == "archived"
        if changed:
            report.updated.append(label)
        else:
            report.unchanged.append(label)
    resolve = link_resolver(source.file_keys)
    if changed:
        overview = render_markdown(source.overview, resolve, source.language)
        assign(
            course,
            title=source.title,
            summary=source.summary,
            language=source.language,
            level=source.level,
            authors=source.authors,
            prerequisites=source.prerequisites,
            status=source.status,
            version=source.version,
            overview_source=source.overview,
            overview_html=overview.html,
            overview_renderer_version=RENDERER_VERSION,
            source_hash=source.source_hash,
        )
    _sync_media(course, source)
    db.session.flush()
    modules = {module.key: module for module in course.modules}
    for module_source in source.modules:
        _sync_module(course, modules.get(module_source.key), module_source, resolve, report)
    seen = {m.key for m in source.modules}
    for module in modules.values():
        if module.key not in seen and module.status != "archived":
            assign(module, status="archived", archived_at=utcnow())
            report.archived.append(f"{source.key}/{module.key}")
    codes = set(source.competencies)
    for module_source in source.modules:
        codes.update(module_source.competencies)
    current = {link.competency_code for link in course.competency_links}
    if current != codes:
        course.competency_links = [CourseCompetency(competency_code=c) for c in sorted(codes)]


def _sync_media(course: Course, source: CourseSource) -> None:
    existing = {media.name: media for media in course.media}
    for name, (data, content_type) in source.media.items():
        digest = hashlib.sha256(data).hexdigest()
        media = existing.get(name)
        if media is None:
            course.media.append(
                CourseMedia(name=name, content_type=content_type, data=data, sha256=digest)
            )
        elif media.sha256 != digest:
            assign(media, content_type=content_type, data=data, sha256=digest)


def _sync_module(course, module, source: ModuleSource, resolve, report: SyncReport) -> None:
    label = f"{course.institution.slug}/{course.slug}/{source.key}"
    if module is None:
        module = Module(course=course, key=source.key)
        db.session.add(module)
        report.added.append(label)
    version = module.current_version
    content_changed = version is None or version.source_hash != source.source_hash
    moved = assign(module, position=source.position, source_path=source.path)
    revived = assign(module, status="active", archived_at=None)
    if content_changed:
        publish_version(module, source, resolve)
    if version is not None:
        if content_changed or moved or revived:
            report.updated.append(label)
        else:
            report.unchanged.append(label)


def publish_version(
    module: Module, source: ModuleSource, resolve, author_id: int | None = None
) -> ModuleVersion:
    """Render a checked module source once and make it the module's new current version.

    Used by the content sync and by publishing from the browser editor (no commit).
    """
    previous = module.current_version
    rendered = render_markdown(source.body, resolve, module.course.language)
    version = ModuleVersion(
        module=module,
        number=(previous.number + 1) if previous else 1,
        title=source.title,
        minutes=source.minutes,
        cpd_points=source.cpd_points,
        cpd_category=source.cpd_category,
        competencies=source.competencies,
        pass_mark=source.pass_mark,
        review=source.settings.review,
        draw=source.settings.draw,
        attempts_allowed=source.settings.attempts,
        retry_after_minutes=source.settings.retry_after_minutes,
        min_read_seconds=source.settings.min_read_seconds,
        objectives=source.objectives,
        source=source.source,
        source_hash=source.source_hash,
        html=rendered.html,
        toc_html=rendered.toc_html,
        renderer_version=RENDERER_VERSION,
        links=[list(link) for link in rendered.links],
        quiz=source.quiz,
        author_id=author_id,
    )
    db.session.add(version)
    db.session.flush()
    module.current_version = version
    return version


def _course_by_key(key: str) -> Course | None:
    institution, slug = key.split("/", 1)
    return db.session.scalar(
        sa.select(Course)
        .join(Course.institution)
        .where(Institution.slug == institution, Course.slug == slug)
    )


def _sync_editions(tree: ContentTree) -> None:
    """Store each course's `edition_of` link, once every course of the tree exists.

    The loader checked links within the tree; a link to a course imported earlier is checked here
    against the database (other language, not itself an edition, no other edition yet).
    """
    links = []
    for source in tree.courses:
        course = _course_by_key(source.key)
        target = _course_by_key(source.edition_of) if source.edition_of else None
        if source.edition_of and target is None:
            raise _edition_problem(source, f"unknown course {source.edition_of!r}")
        links.append((source, course, target))
    # Clear changed links first: the unique edition_of_id must hold after every statement.
    for _source, course, target in links:
        if course.edition_of_id is not None and course.edition_of_id != (target and target.id):
            course.edition_of_id = None
    db.session.flush()
    for source, course, target in links:
        if target is None or course.edition_of_id == target.id:
            continue
        if target.language == course.language:
            raise _edition_problem(
                source,
                f"{source.edition_of!r} is in the same language ({course.language}); "
                "editions are in different languages",
            )
        if target.edition_of_id is not None:
            raise _edition_problem(
                source, f"{source.edition_of!r} is itself an edition of another course"
            )
        taken = db.session.scalar(sa.select(Course.id).where(Course.edition_of_id == target.id))
        if taken is not None or db.session.scalar(
            sa.select(Course.id).where(Course.edition_of_id == course.id)
        ):
            raise _edition_problem(
                source,
                f"{source.edition_of!r} already has another edition, "
                "or this course is another course's edition_of target",
            )
        course.edition_of_id = target.id
        db.session.flush()


def _archive_missing_courses(tree, institutions, report: SyncReport) -> None:
    present = {(c.institution, c.slug) for c in tree.courses}
    for slug in tree.complete_institutions:
        institution = institutions[slug]
        query = sa.select(Course).where(
            Course.institution_id == institution.id,
            Course.source == "content",
            Course.status != "archived",
        )
        for course in db.session.scalars(query):
            if (slug, course.slug) not in present:
                course.status = "archived"
                report.archived.append(f"{slug}/{course.slug}")
