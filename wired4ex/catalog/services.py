"""Catalogue queries: what the catalogue, course and module pages show."""

from dataclasses import dataclass, replace
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wired4ex.catalog import search
from wired4ex.catalog.models import (
    CompetencyDomain,
    Course,
    CourseMedia,
    Institution,
    Module,
)
from wired4ex.catalog.structure import structure
from wired4ex.extensions import db
from wired4ex.i18n import policy_text


@dataclass(frozen=True)
class CatalogFilters:
    """What the catalogue may be narrowed by; unknown values simply match nothing."""

    institution: str | None = None
    competency: str | None = None
    language: str | None = None
    text: str | None = None  # the search box: words found in title, summary, modules...


SORTS = ("relevance", "title", "newest", "points")


@dataclass(frozen=True)
class CourseSummary:
    """A course with the figures the catalogue shows."""

    course: Course
    module_count: int
    minutes: int
    cpd_points: Decimal
    cover: str | None = None  # the name of the course's cover image in its media folder


def _module_options():
    return selectinload(Course.modules).joinedload(Module.current_version)


def summarise(course: Course) -> CourseSummary:
    """Totals over the course's active modules (already loaded)."""
    versions = [m.current_version for m in course.active_modules if m.current_version]
    return CourseSummary(
        course=course,
        module_count=len(versions),
        minutes=sum(v.minutes for v in versions),
        cpd_points=sum((v.cpd_points for v in versions), Decimal("0")),
    )


def list_published_courses(filters: CatalogFilters, sort: str = "relevance") -> list[CourseSummary]:
    """Published courses matching the filters and the search words, with their totals and cover
    images, from the course structure of this content version (a search adds one statement);
    sorted by relevance (best match first when searching, else by institution and title), title,
    newest first, or CPD points (most first)."""
    known = structure()
    courses = known.published
    if filters.institution:
        courses = [c for c in courses if c.institution.slug == filters.institution]
    if filters.language:
        # The language of the content: a course's modules are in its language (front matter
        # `language`); an edition in the other language is a course of its own.
        courses = [c for c in courses if c.language == filters.language]
    if filters.competency:
        courses = [
            c
            for c in courses
            if any(link.competency_code == filters.competency for link in c.competency_links)
        ]
    if filters.text and filters.text.strip():
        names = competency_names()
        found = search.matching_course_ids(
            {course.id: search.course_document(course, names) for course in courses}, filters.text
        )
        rank = {course_id: position for position, course_id in enumerate(found)}
        courses = sorted((c for c in courses if c.id in rank), key=lambda c: rank[c.id])
    summaries = [
        replace(summarise(course), cover=known.covers.get(course.id)) for course in courses
    ]
    if sort == "title":
        summaries.sort(key=lambda s: (s.course.title.casefold(), s.course.id))
    elif sort == "newest":
        summaries.sort(key=lambda s: (s.course.created_at, s.course.id), reverse=True)
    elif sort == "points":
        summaries.sort(key=lambda s: (-s.cpd_points, s.course.title.casefold()))
    return summaries


def list_institutions() -> list[Institution]:
    """Institutions that have at least one published course, by name."""
    return list(structure().institutions)


def list_competency_domains() -> list[CompetencyDomain]:
    """The competency framework, domains in order with their competencies."""
    return list(structure().domains)


def competency_names() -> dict[str, str]:
    """Competency code -> name, for labels."""
    return {code: policy_text(c.name) for code, c in structure().competencies.items()}


def get_course(institution_slug: str, course_slug: str) -> Course | None:
    """A course by its two-part id, with institution and modules loaded (for changing it)."""
    query = (
        sa.select(Course)
        .join(Course.institution)
        .where(Institution.slug == institution_slug, Course.slug == course_slug)
        .options(_module_options(), selectinload(Course.competency_links))
    )
    return db.session.scalar(query)


def find_course(institution_slug: str, course_slug: str) -> Course | None:
    """A course by its two-part id from the course structure of this content version: shared,
    read-only (never changed nor attached to a session; `get_course` is for that)."""
    return structure().by_key.get((institution_slug, course_slug))


def get_courses_by_key(keys: list[str]) -> dict[str, Course]:
    """Courses by "<institution>/<course>" key (for prerequisites), missing ones left out; from
    the course structure (read-only)."""
    known = structure().by_key
    pairs = [tuple(key.split("/", 1)) for key in keys if key.count("/") == 1]
    return {course.key: course for pair in pairs if (course := known.get(pair)) is not None}


def get_media(course: Course, name: str) -> CourseMedia | None:
    """One image of a course's media folder."""
    return db.session.scalar(
        sa.select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name)
    )
