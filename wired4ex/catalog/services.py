"""Catalogue queries: what the catalogue, course and module pages show."""

from dataclasses import dataclass, replace
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from wired4ex.catalog import search
from wired4ex.catalog.models import (
    Competency,
    CompetencyDomain,
    Course,
    CourseCompetency,
    CourseMedia,
    Institution,
    Module,
)
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
COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png", "cover.webp")


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
    images, in a fixed number of queries; sorted by relevance (best match first when searching,
    else by institution and title), title, newest first, or CPD points (most first)."""
    query = (
        sa.select(Course)
        .join(Course.institution)
        .where(Course.status == "published")
        .options(
            _module_options(),
            selectinload(Course.competency_links),
            sa.orm.contains_eager(Course.institution),
            selectinload(Course.edition_of).joinedload(Course.institution),
            selectinload(Course.translations).joinedload(Course.institution),
        )
        .order_by(Institution.name, Course.title)
    )
    if filters.institution:
        query = query.where(Institution.slug == filters.institution)
    if filters.language:
        # The language of the content: a course's modules are in its language (front matter
        # `language`); an edition in the other language is a course of its own.
        query = query.where(Course.language == filters.language)
    if filters.competency:
        query = query.where(
            Course.id.in_(
                sa.select(CourseCompetency.course_id).where(
                    CourseCompetency.competency_code == filters.competency
                )
            )
        )
    courses = list(db.session.scalars(query).unique())
    if filters.text and filters.text.strip():
        names = competency_names()
        found = search.matching_course_ids(
            {course.id: search.course_document(course, names) for course in courses}, filters.text
        )
        rank = {course_id: position for position, course_id in enumerate(found)}
        courses = sorted((c for c in courses if c.id in rank), key=lambda c: rank[c.id])
    summaries = [summarise(course) for course in courses]
    covers = _covers([course.id for course in courses])
    summaries = [replace(summary, cover=covers.get(summary.course.id)) for summary in summaries]
    if sort == "title":
        summaries.sort(key=lambda s: (s.course.title.casefold(), s.course.id))
    elif sort == "newest":
        summaries.sort(key=lambda s: (s.course.created_at, s.course.id), reverse=True)
    elif sort == "points":
        summaries.sort(key=lambda s: (-s.cpd_points, s.course.title.casefold()))
    return summaries


def _covers(course_ids: list[int]) -> dict[int, str]:
    """Course id -> the name of its cover image (media/cover.jpg, .png or .webp), if it has one."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        sa.select(CourseMedia.course_id, CourseMedia.name)
        .where(CourseMedia.course_id.in_(course_ids), CourseMedia.name.in_(COVER_NAMES))
        .order_by(CourseMedia.name)
    )
    covers: dict[int, str] = {}
    for course_id, name in rows:
        covers.setdefault(course_id, name)
    return covers


def list_institutions() -> list[Institution]:
    """Institutions that have at least one published course, by name."""
    has_course = sa.select(Course.id).where(
        Course.institution_id == Institution.id, Course.status == "published"
    )
    return list(
        db.session.scalars(
            sa.select(Institution).where(has_course.exists()).order_by(Institution.name)
        )
    )


def list_competency_domains() -> list[CompetencyDomain]:
    """The competency framework, domains in order with their competencies."""
    query = (
        sa.select(CompetencyDomain)
        .options(selectinload(CompetencyDomain.competencies))
        .order_by(CompetencyDomain.position)
    )
    return list(db.session.scalars(query))


def competency_names() -> dict[str, str]:
    """Competency code -> name, for labels."""
    rows = db.session.execute(sa.select(Competency.code, Competency.name))
    return {code: policy_text(name) for code, name in rows}


def get_course(institution_slug: str, course_slug: str) -> Course | None:
    """A course by its two-part id, with institution and modules loaded."""
    query = (
        sa.select(Course)
        .join(Course.institution)
        .where(Institution.slug == institution_slug, Course.slug == course_slug)
        .options(_module_options(), selectinload(Course.competency_links))
    )
    return db.session.scalar(query)


def get_courses_by_key(keys: list[str]) -> dict[str, Course]:
    """Courses by "<institution>/<course>" key (for prerequisites), missing ones left out."""
    pairs = [tuple(key.split("/", 1)) for key in keys if key.count("/") == 1]
    if not pairs:
        return {}
    query = (
        sa.select(Course)
        .join(Course.institution)
        .where(sa.tuple_(Institution.slug, Course.slug).in_(pairs))
        .options(sa.orm.contains_eager(Course.institution))
    )
    return {course.key: course for course in db.session.scalars(query)}


def get_media(course: Course, name: str) -> CourseMedia | None:
    """One image of a course's media folder."""
    return db.session.scalar(
        sa.select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name)
    )
