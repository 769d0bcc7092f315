"""Authoring use cases: courses, drafts, review and publish. The preview and checks are in
checks.py, history in history.py, images in images.py and the course import in course_import.py.
"""

import re
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.access import refuse_own_case
from wired4ex.auth.models import User
from wired4ex.authoring import folders
from wired4ex.authoring.checks import check_draft, draft_source
from wired4ex.authoring.models import Draft
from wired4ex.catalog.content import ModuleSource, link_resolver
from wired4ex.catalog.content_fields import SLUG
from wired4ex.catalog.models import (
    Course,
    CourseCompetency,
    Institution,
    Module,
    ModuleVersion,
)
from wired4ex.catalog.quiz_settings import QUIZ_SETTING_KEYS
from wired4ex.catalog.sources import SourceError, read_markdown, split_front_matter
from wired4ex.catalog.sync import publish_version
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.markup import render_markdown


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
