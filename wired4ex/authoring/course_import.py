"""A zipped course folder imported as drafts, all or nothing."""

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.authoring import folders
from wired4ex.authoring.models import Draft
from wired4ex.authoring.services import AuthoringError, fill_from_source
from wired4ex.catalog.content import link_resolver
from wired4ex.catalog.models import Course, CourseMedia, Institution
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.markup import render_markdown


@dataclass
class ImportResult:
    course: Course | None
    problems: list[str]
    drafts: int = 0


def import_course(user: User, data: bytes, at: datetime | None = None) -> ImportResult:
    """Import a zipped course folder as drafts, all or nothing, with the checker's problems."""
    with tempfile.TemporaryDirectory(prefix="w4x-import-") as folder:
        root = Path(folder)
        folders.safe_extract(data, root)
        course_dir = folders.course_folder_in(root)
        tree = folders.check_folder(course_dir)
        if tree.problems:
            return ImportResult(None, [_relative(str(problem)) for problem in tree.problems])
        (source,) = tree.courses
        institution = db.session.scalar(
            sa.select(Institution).where(Institution.slug == source.institution)
        )
        if institution is None or (not user.is_admin and institution.id != user.institution_id):
            raise AuthoringError(_l("The archive is for another institution's course."))
        course = db.session.scalar(
            sa.select(Course).where(
                Course.institution_id == institution.id, Course.slug == source.slug
            )
        )
        if course is not None and course.source != "editor":
            raise AuthoringError(
                _l("This course comes from the content/ folder; change it in its files.")
            )
        if course is None:
            course = Course(institution_id=institution.id, slug=source.slug, source="editor", status="draft",
                            title=source.title, summary=source.summary)  # fmt: skip
            db.session.add(course)
        course.title, course.summary, course.language, course.level = (
            source.title,
            source.summary,
            source.language,
            source.level,
        )
        course.authors, course.prerequisites, course.version = (
            source.authors,
            source.prerequisites,
            source.version,
        )
        course.overview_source = source.overview
        course.overview_html = render_markdown(
            source.overview, link_resolver(source.file_keys)
        ).html
        db.session.flush()
        existing_media = {m.name: m for m in course.media}
        for name, (payload, content_type) in source.media.items():
            digest = hashlib.sha256(payload).hexdigest()
            media = existing_media.get(name)
            if media is None:
                db.session.add(
                    CourseMedia(
                        course_id=course.id,
                        name=name,
                        content_type=content_type,
                        data=payload,
                        sha256=digest,
                    )
                )
            else:
                media.data, media.content_type, media.sha256 = payload, content_type, digest
        modules = {m.key: m for m in course.modules}
        count = 0
        for module_source in source.modules:
            module = modules.get(module_source.key)
            draft = Draft(course_id=course.id, module_id=module.id if module else None, author_id=user.id,
                          key=module_source.key, created_at=at or utcnow())  # fmt: skip
            fill_from_source(draft, module_source.source)
            db.session.add(draft)
            count += 1
        audit.record("course.imported", "course", f"{institution.slug}/{source.slug}", actor_id=user.id,
                     after={"drafts": count})  # fmt: skip
        db.session.commit()
        return ImportResult(course, [], count)


def _relative(problem: str) -> str:
    """A problem line with the temporary folder taken off its path."""
    marker = "institutions/"
    return problem[problem.index(marker) :] if marker in problem else problem
