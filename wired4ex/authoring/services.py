"""Authoring use cases: courses and drafts, preview and checks, review and publish, history,
images, import.
"""

import difflib
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.authoring import folders
from wired4ex.authoring.models import Draft
from wired4ex.catalog.content import SLUG, ModuleSource, link_resolver
from wired4ex.catalog.models import (
    Course,
    CourseCompetency,
    CourseMedia,
    Institution,
    Module,
    ModuleVersion,
)
from wired4ex.catalog.quiz import parse_quiz
from wired4ex.catalog.quiz_settings import QUIZ_SETTING_KEYS
from wired4ex.catalog.sources import SourceError, read_markdown, split_front_matter
from wired4ex.catalog.sync import publish_version
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.images import pixel_problem
from wired4ex.markup import MarkupError, Rendered, render_markdown

MAX_IMAGE_BYTES = 2 * 1024 * 1024


class AuthoringError(ValueError):
    """A use case refused; the message is safe to show."""


# -- access --------------------------------------------------------------------------------------


def can_see(user: User, course: Course) -> bool:
    """Admins see every course; faculty only their institution's."""
    return user.is_admin or (user.is_faculty and user.institution_id == course.institution_id)


def can_edit(user: User, course: Course) -> bool:
    """Editable in the browser: visible to the user and not from the content/ folder."""
    return can_see(user, course) and course.source == "editor"


def visible_courses(user: User) -> list[Course]:
    query = sa.select(Course).join(Course.institution).order_by(Institution.name, Course.title)
    if not user.is_admin:
        query = query.where(Course.institution_id == user.institution_id)
    return list(db.session.scalars(query))


# -- courses -------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "course"


def create_course(user: User, institution: Institution, slug: str, title: str, summary: str,
                  language: str, level: str | None, overview: str) -> Course:  # fmt: skip
    """A new browser-edited course, not published until its first module is approved; commits."""
    if not SLUG.match(slug):
        raise AuthoringError(_l("The course id uses lower-case letters, digits and dashes."))
    exists = db.session.scalar(
        sa.select(Course.id).where(Course.institution_id == institution.id, Course.slug == slug)
    )
    if exists:
        raise AuthoringError(_l("Your institution already has a course with this id."))
    course = Course(
        institution_id=institution.id, slug=slug, title=title.strip(), summary=summary.strip(),
        language=language, level=level or None, source="editor", status="draft",
        overview_source=overview, overview_html=render_markdown(overview).html,
    )  # fmt: skip
    db.session.add(course)
    audit.record("course.created", "course", f"{institution.slug}/{slug}", actor_id=user.id)
    db.session.commit()
    return course


def update_course(user: User, course: Course, title: str, summary: str, language: str,
                  level: str | None, overview: str) -> None:  # fmt: skip
    """Change a browser-edited course's details; commits."""
    if course.source != "editor":
        raise AuthoringError(_l("Courses from the content/ folder are changed in their files."))
    course.title, course.summary, course.language = title.strip(), summary.strip(), language
    course.level = level or None
    course.overview_source = overview
    course.overview_html = render_markdown(overview).html
    db.session.commit()


def move_module(course: Course, module: Module, step: int) -> None:
    """Move a module up (-1) or down (+1) in its course; commits."""
    modules = course.active_modules
    index = modules.index(module)
    other = index + step
    if not 0 <= other < len(modules):
        return
    modules[index], modules[other] = modules[other], modules[index]
    for position, item in enumerate(modules, start=1):
        item.position = position
    db.session.commit()


def archive_module(user: User, module: Module) -> None:
    """Take a module out of its course; completions and versions stay. Commits."""
    module.status = "archived"
    module.archived_at = utcnow()
    audit.record("module.archived", "module", module.id, actor_id=user.id)
    db.session.commit()


# -- drafts --------------------------------------------------------------------------------------


def draft_fields(draft: Draft) -> dict:
    return {
        "key": draft.key, "title": draft.title, "minutes": draft.minutes,
        "cpd_points": Decimal(draft.cpd_points), "cpd_category": draft.cpd_category,
        "competencies": list(draft.competencies or []), "pass_mark": draft.pass_mark,
        "objectives": list(draft.objectives or []),
        "quiz_settings": dict(draft.quiz_settings or {}),
    }  # fmt: skip


def draft_source(draft: Draft) -> str:
    return folders.module_markdown(draft_fields(draft), draft.body or "")


def open_draft(user: User, course: Course, module: Module | None = None) -> Draft:
    """The user's open draft of a module (or a new module), made from the current version."""
    if module is not None:
        existing = db.session.scalar(
            sa.select(Draft).where(
                Draft.module_id == module.id, Draft.status.in_(("draft", "returned", "in_review"))
            )
        )
        if existing is not None:
            return existing
    draft = Draft(course_id=course.id, author_id=user.id)
    if module is not None and module.current_version is not None:
        version = module.current_version
        draft.module_id = module.id
        draft.base_version_id = version.id
        fill_from_source(draft, version.source)
        draft.key = module.key
    else:
        taken = {m.key for m in course.modules}
        number = len(taken) + 1
        while f"module-{number}" in taken:
            number += 1
        draft.key = f"module-{number}"
        draft.title = ""
        draft.body = "## Introduction\n\nWrite the module here.\n"
    db.session.add(draft)
    db.session.commit()
    return draft


def fill_from_source(draft: Draft, source: str) -> None:
    """Set a draft's fields from a module file (front matter and body)."""
    try:
        parsed = read_markdown(source)
    except SourceError:
        draft.body = source
        return
    data = parsed.meta.data
    draft.title = str(data.get("title") or "")
    draft.minutes = int(data.get("minutes") or 0)
    draft.cpd_points = Decimal(str(data.get("cpd_points") or 0))
    draft.cpd_category = str(data.get("cpd_category") or "structured")
    draft.competencies = [str(c) for c in data.get("competencies") or []]
    draft.pass_mark = int(data.get("pass_mark") or 70)
    draft.objectives = [str(o) for o in data.get("objectives") or []]
    draft.quiz_settings = {key: data[key] for key in QUIZ_SETTING_KEYS if key in data} or None
    _front, body, _line = split_front_matter(source)
    draft.body = body


def locked_message(draft: Draft) -> str:
    """Why a draft cannot be changed, in words for its author."""
    if draft.status == "in_review":
        return str(_l("This draft is waiting for review and cannot be changed now."))
    if draft.status == "published":
        return str(_l("This draft has been published; start a new draft to change the module."))
    return str(_l("This draft was discarded and cannot be changed."))


def save_draft(draft: Draft, fields: dict, body: str, at: datetime | None = None) -> None:
    """Keep what was typed; commits. A draft under review is not changed."""
    if not draft.editable:
        raise AuthoringError(locked_message(draft))
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.body = body
    draft.updated_at = at or utcnow()
    if draft.status == "returned":
        draft.status = "draft"
    db.session.commit()


@dataclass
class Preview:
    html: str
    toc_html: str
    quiz: list[dict]
    problems: list[tuple[int, str]]  # (line in the module file, message)
    body_offset: int  # file line of the body's first line, to show body line numbers
    warnings: list[tuple[int, str]] = field(default_factory=list)  # shown, never blocking


def draft_findings(
    course: Course, draft: Draft
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(problems, warnings) for this draft's file, from one run of the checker exactly as
    `flask content check` finds them: a list indented too little, a skipped heading level."""
    source = draft_source(draft)
    with folders.course_tree(course, (draft.key, source)) as (tree, course_dir):

        def mine(found) -> bool:
            return Path(found.path).name.endswith(f"-{draft.key}.md")

        problems = [(p.line, p.message) for p in tree.problems if mine(p)]
        problems += [
            (0, f"{Path(p.path).name}: {p.message}")
            for p in tree.problems
            if not mine(p) and Path(p.path).name.endswith(".md")
            if "duplicate module id" in p.message
        ]
        warnings = [(w.line, w.message) for w in tree.warnings if mine(w)]
    return problems, warnings


def check_draft(course: Course, draft: Draft) -> list[tuple[int, str]]:
    """The checker's problems for this draft's file (what stops it being submitted)."""
    return draft_findings(course, draft)[0]


def preview(course: Course, draft: Draft, media_base: str = "media/") -> Preview:
    """The draft rendered by the same pipeline as published pages, with the checker's problems.

    media_base is where the course's images are served from the page showing the preview (the
    published page uses relative "media/" addresses; the editor lives elsewhere).
    """
    source = draft_source(draft)
    parsed = read_markdown(source)
    quiz = []
    if parsed.quiz_lines is not None:
        quiz, _quiz_problems = parse_quiz(parsed.quiz_lines, parsed.quiz_line)
    keys = {f"{i:02d}-{m.key}.md": m.key for i, m in enumerate(course.active_modules, start=1)}
    modules = link_resolver(keys)

    def resolve(url: str, kind: str) -> str | None:
        if url.startswith("media/"):
            return media_base + url.removeprefix("media/")
        return modules(url, kind)

    try:
        rendered = render_markdown(parsed.body, resolve)
    except MarkupError:  # over the limits: draft_findings reports it with its line
        rendered = Rendered(html="", toc_html="")
    problems, warnings = draft_findings(course, draft)
    return Preview(rendered.html, rendered.toc_html, quiz, problems, parsed.body_line, warnings)


def submit_draft(user: User, course: Course, draft: Draft, at: datetime | None = None) -> None:
    """Send a draft to review; refused while the checker finds problems. Commits."""
    if not draft.editable:
        raise AuthoringError(_l("This draft is already waiting for review."))
    if not draft.title.strip():
        raise AuthoringError(_l("Give the module a title before you submit it."))
    problems = check_draft(course, draft)
    if problems:
        raise AuthoringError(
            _l("Fix the %(count)d problem(s) shown before you submit.", count=len(problems))
        )
    draft.status = "in_review"
    draft.submitted_at = at or utcnow()
    audit.record(
        "draft.submitted", "draft", draft.id, actor_id=user.id, after={"module": draft.key}
    )
    from wired4ex.notifications.digest import tell_admins

    tell_admins(f"draft:{draft.id}:{draft.submitted_at.isoformat()}", str(_l("a draft to review")),
                "authoring.reviews", exclude_id=user.id)  # fmt: skip
    db.session.commit()


def discard_draft(draft: Draft) -> None:
    if draft.status not in ("draft", "returned"):
        raise AuthoringError(_l("Only a draft that is not under review can be discarded."))
    draft.status = "discarded"
    db.session.commit()


def drafts_in_review() -> list[Draft]:
    return list(
        db.session.scalars(
            sa.select(Draft).where(Draft.status == "in_review").order_by(Draft.submitted_at)
        )
    )


def return_draft(admin: User, draft: Draft, comment: str, at: datetime | None = None) -> None:
    """Send a draft back to its author with comments; commits. Not by its author."""
    refuse_own_case(admin.id, draft.author_id)
    comment = (comment or "").strip()
    if not comment:
        raise AuthoringError(_l("Write what the author should change."))
    if draft.status != "in_review":
        raise AuthoringError(_l("This draft is not waiting for review."))
    draft.status, draft.review_comment = "returned", comment
    draft.reviewed_at, draft.reviewed_by_id = at or utcnow(), admin.id
    audit.record("draft.returned", "draft", draft.id, actor_id=admin.id, after={"comment": comment})
    _tell_author(draft, "draft_returned")
    db.session.commit()


def _tell_author(draft: Draft, kind: str) -> None:
    """The author's notification and mail, in the current transaction."""
    from wired4ex.notifications.outbox import notify, path_for

    author = db.session.get(User, draft.author_id)
    notify(author, kind, f"{draft.id}:{draft.reviewed_at.isoformat() if draft.reviewed_at else ''}",
           {"draft_id": draft.id, "title": draft.title},
           path_for("authoring.edit_draft", draft_id=draft.id))  # fmt: skip


def approve_draft(
    admin: User, course: Course, draft: Draft, at: datetime | None = None
) -> ModuleVersion:
    """Publish the draft as the module's new version (a new module if it is one); commits.

    Nobody reviews or publishes a draft they wrote (OwnCaseError).
    """
    refuse_own_case(admin.id, draft.author_id)
    if draft.status != "in_review":
        raise AuthoringError(_l("This draft is not waiting for review."))
    source = draft_source(draft)
    with folders.course_tree(course, (draft.key, source)) as (tree, _course_dir):
        if tree.problems:
            raise AuthoringError(
                _l("The content checker finds problems in this course; return the draft.")
            )
        (course_source,) = tree.courses
        module_source: ModuleSource = next(m for m in course_source.modules if m.key == draft.key)
        resolve = link_resolver(course_source.file_keys)
    module = draft.module or db.session.scalar(
        sa.select(Module).where(Module.course_id == course.id, Module.key == draft.key)
    )
    if module is None:
        module = Module(course_id=course.id, key=draft.key, position=len(course.active_modules) + 1)
        db.session.add(module)
        db.session.flush()
    module.status, module.archived_at = "active", None
    version = publish_version(module, module_source, resolve, author_id=draft.author_id)
    draft.status, draft.module_id, draft.published_version_id = "published", module.id, version.id
    draft.reviewed_at, draft.reviewed_by_id = at or utcnow(), admin.id
    if course.status == "draft":
        course.status = "published"
    codes = {link.competency_code for link in course.competency_links} | set(
        module_source.competencies
    )
    existing = {link.competency_code for link in course.competency_links}
    for code in sorted(codes - existing):
        course.competency_links.append(CourseCompetency(competency_code=code))
    audit.record(
        "module.published", "module_version", version.id, actor_id=admin.id,
        after={"course": f"{course.institution.slug}/{course.slug}", "module": module.key,
               "version": version.number, "author_id": draft.author_id},
    )  # fmt: skip
    _tell_author(draft, "draft_published")
    db.session.commit()
    from wired4ex.offline.services import refresh_pack  # the printable pack, made at publish

    refresh_pack(course)
    return version


# -- history -------------------------------------------------------------------------------------


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A readable line diff: (kind, text) with kind one of "add", "del", "same", "hunk"."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            # "@@ -12,5 +12,6 @@": where the part starts in the new text (line 12).
            found = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", line)
            lines.append(("hunk", found.group(1) if found else ""))
        elif line.startswith("+"):
            lines.append(("add", line[1:]))
        elif line.startswith("-"):
            lines.append(("del", line[1:]))
        else:
            lines.append(("same", line[1:]))
    return lines


def restore_version(user: User, course: Course, version: ModuleVersion) -> Draft:
    """A new draft holding an old version's text (the current version is untouched); commits."""
    module = version.module
    open_drafts = db.session.scalar(
        sa.select(Draft).where(
            Draft.module_id == module.id, Draft.status.in_(("draft", "returned", "in_review"))
        )
    )
    if open_drafts is not None:
        raise AuthoringError(
            _l("This module already has an open draft; finish or discard it first.")
        )
    draft = Draft(course_id=course.id, module_id=module.id, base_version_id=module.current_version_id,
                  author_id=user.id, key=module.key)  # fmt: skip
    fill_from_source(draft, version.source)
    db.session.add(draft)
    db.session.commit()
    return draft


# -- images --------------------------------------------------------------------------------------


def add_image(course: Course, upload, alt_name: str | None = None) -> CourseMedia:
    """Check, re-encode (dropping metadata) and store a PNG or JPEG in the course's media; commits."""
    data = upload.stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise AuthoringError(_l("Images must be 2 MB or smaller."))
    if problem := pixel_problem(data):
        raise AuthoringError(problem)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in ("PNG", "JPEG"):
                raise AuthoringError(_l("Images must be PNG or JPEG files."))
            image.load()
            output = io.BytesIO()
            clean = image.convert("RGBA" if kind == "PNG" else "RGB")
            clean.save(output, format=kind, optimize=True)  # a fresh file: no EXIF, no text chunks
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise AuthoringError(_l("Images must be PNG or JPEG files.")) from error
    stem = (
        re.sub(r"[^a-z0-9]+", "-", Path(upload.filename or "image").stem.lower()).strip("-")[:60]
        or "image"
    )
    extension = ".png" if kind == "PNG" else ".jpg"
    taken = {media.name for media in course.media}
    name, number = f"{stem}{extension}", 2
    while name in taken:
        name, number = f"{stem}-{number}{extension}", number + 1
    payload = output.getvalue()
    media = CourseMedia(course_id=course.id, name=name, content_type=f"image/{'png' if kind == 'PNG' else 'jpeg'}",
                        data=payload, sha256=hashlib.sha256(payload).hexdigest())  # fmt: skip
    db.session.add(media)
    db.session.commit()
    return media


# -- import --------------------------------------------------------------------------------------


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
