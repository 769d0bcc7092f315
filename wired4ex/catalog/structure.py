"""The course structure every member page needs, read once per content version.

Institutions, courses (every status, with their editions), modules in order with their current
version's title, minutes, points, settings and quiz, competency links, cover images, the
competency framework and the policy documents: loaded in a few statements when the content
version (wired4ex.contentversion) changes, then reused by every request of the process.

The objects are detached from any session and shared between requests: callers read them and
never change them or attach them to a session (write paths load their own rows). Heavy columns
(module source and rendered HTML, stored links, course overview source) are not loaded; a page
that shows a module's HTML reads it with `module_html`.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from wired4ex import contentversion
from wired4ex.catalog.models import (
    Competency,
    CompetencyDomain,
    Course,
    CourseMedia,
    Institution,
    Module,
    ModuleVersion,
    PolicyDocument,
)
from wired4ex.extensions import db

COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png", "cover.webp")


@dataclass
class Structure:
    courses: list[Course]  # every course, by institution name and title
    by_key: dict[tuple[str, str], Course] = field(default_factory=dict)
    by_id: dict[int, Course] = field(default_factory=dict)
    modules: dict[int, Module] = field(default_factory=dict)  # every module, by id
    institutions: list[Institution] = field(default_factory=list)  # with a published course
    domains: list[CompetencyDomain] = field(default_factory=list)
    competencies: dict[str, Competency] = field(default_factory=dict)
    covers: dict[int, str] = field(default_factory=dict)
    policies: dict[str, dict] = field(default_factory=dict)

    @property
    def published(self) -> list[Course]:
        return [course for course in self.courses if course.status == "published"]


def _version_options():
    return joinedload(Module.current_version).options(
        defer(ModuleVersion.source),
        defer(ModuleVersion.html),
        defer(ModuleVersion.links),
        defer(ModuleVersion.source_hash),
    )


def load() -> Structure:
    """Read the structure in the request's own transaction (so it matches the version read)."""
    session = Session(bind=db.session.connection())
    try:
        courses = list(
            session.scalars(
                sa.select(Course)
                .join(Course.institution)
                .options(
                    defer(Course.overview_source),
                    sa.orm.contains_eager(Course.institution),
                    selectinload(Course.modules).options(
                        _version_options(), joinedload(Module.course)
                    ),
                    selectinload(Course.competency_links),
                    selectinload(Course.edition_of),
                    selectinload(Course.translations),
                )
                .order_by(Institution.name, Course.title)
            ).unique()
        )
        structure = Structure(courses=courses)
        for course in courses:
            structure.by_key[(course.institution.slug, course.slug)] = course
            structure.by_id[course.id] = course
            for module in course.modules:
                structure.modules[module.id] = module
        seen = {}
        for course in courses:
            if course.status == "published":
                seen.setdefault(course.institution.id, course.institution)
        structure.institutions = sorted(seen.values(), key=lambda i: i.name)
        structure.domains = list(
            session.scalars(
                sa.select(CompetencyDomain)
                .options(selectinload(CompetencyDomain.competencies))
                .order_by(CompetencyDomain.position)
            )
        )
        structure.competencies = {
            c.code: c for domain in structure.domains for c in domain.competencies
        }
        for competency in session.scalars(sa.select(Competency)):
            structure.competencies.setdefault(competency.code, competency)
        rows = session.execute(
            sa.select(CourseMedia.course_id, CourseMedia.name)
            .where(CourseMedia.name.in_(COVER_NAMES))
            .order_by(CourseMedia.name)
        )
        for course_id, name in rows:
            structure.covers.setdefault(course_id, name)
        structure.policies = {
            name: data
            for name, data in session.execute(sa.select(PolicyDocument.name, PolicyDocument.data))
        }
        session.expunge_all()
        return structure
    finally:
        session.close()


def structure() -> Structure:
    """The structure as of this request's content version."""
    return contentversion.cached("structure", load)


def policy_data(name: str) -> dict | None:
    """A policy document's data as last synced (cpd, certifications, competencies), or None."""
    return structure().policies.get(name)
