"""The catalogue: institutions, courses, modules and their versions, policies, competencies."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db
from wired4ex.i18n import policy_text


class Institution(db.Model):
    """A partner institution (university, training body) that supplies courses."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(80))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # "content" when it comes from the content/ folder, "editor" when made in the browser.
    source: Mapped[str] = mapped_column(String(10), default="content")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courses: Mapped[list["Course"]] = relationship(
        back_populates="institution", order_by="Course.title"
    )

    def __repr__(self) -> str:
        return f"<Institution {self.slug}>"


class CompetencyDomain(db.Model):
    """A domain of the competency framework (e.g. LG, Leadership and governance)."""

    __tablename__ = "competency_domains"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    competencies: Mapped[list["Competency"]] = relationship(
        back_populates="domain", order_by="Competency.code"
    )

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return policy_text(self.name)


class Competency(db.Model):
    """A coded competency that modules, courses and claims address."""

    __tablename__ = "competencies"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    domain_code: Mapped[str] = mapped_column(ForeignKey("competency_domains.code"), index=True)

    domain: Mapped[CompetencyDomain] = relationship(back_populates="competencies")

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return policy_text(self.name)


class PolicyDocument(db.Model):
    """A policy file (cpd, competencies, certifications) as last synced, parsed to JSON."""

    __tablename__ = "policy_documents"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    source_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseCompetency(db.Model):
    """A competency a course addresses (its own and its modules'), for catalogue filters."""

    __tablename__ = "course_competencies"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    competency_code: Mapped[str] = mapped_column(
        ForeignKey("competencies.code"), primary_key=True, index=True
    )


class Course(db.Model):
    """A course of one institution; its id is "<institution>/<course>"."""

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("institution_id", "slug"),
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5), default="en")
    level: Mapped[str | None] = mapped_column(String(40))
    authors: Mapped[list] = mapped_column(JSON, default=list)
    prerequisites: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="published")
    version: Mapped[str | None] = mapped_column(String(40))
    overview_source: Mapped[str] = mapped_column(Text, default="")
    overview_html: Mapped[str] = mapped_column(Text, default="")
    # wired4ex.markup.RENDERER_VERSION when overview_html was rendered (None: before it was kept)
    overview_renderer_version: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="content")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The course this one is another language edition of (front matter `edition_of`). Unique: a
    # course has at most one other edition; the link is stored on one side only.
    edition_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), unique=True
    )

    institution: Mapped[Institution] = relationship(back_populates="courses")
    edition_of: Mapped["Course | None"] = relationship(
        remote_side=[id], foreign_keys=[edition_of_id], back_populates="translations"
    )
    translations: Mapped[list["Course"]] = relationship(
        foreign_keys=[edition_of_id], back_populates="edition_of"
    )
    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position"
    )
    competency_links: Mapped[list[CourseCompetency]] = relationship(cascade="all, delete-orphan")
    media: Mapped[list["CourseMedia"]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )

    @property
    def key(self) -> str:
        return f"{self.institution.slug}/{self.slug}"

    @property
    def other_edition(self) -> "Course | None":
        """The linked edition in the other language, whichever side holds the link."""
        if self.edition_of is not None:
            return self.edition_of
        return self.translations[0] if self.translations else None

    @property
    def published_other_edition(self) -> "Course | None":
        """The other edition when members can see it (for links on pages)."""
        other = self.other_edition
        return other if other is not None and other.status == "published" else None

    @property
    def competency_codes(self) -> list[str]:
        return sorted(link.competency_code for link in self.competency_links)

    @property
    def active_modules(self) -> list["Module"]:
        return [module for module in self.modules if module.status == "active"]

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Module(db.Model):
    """A module of a course. Its identity (key) is stable across renames and versions."""

    __tablename__ = "modules"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint("status IN ('active', 'archived')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="active")
    source_path: Mapped[str | None] = mapped_column(String(300))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="modules")
    current_version: Mapped["ModuleVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list["ModuleVersion"]] = relationship(
        back_populates="module",
        foreign_keys="ModuleVersion.module_id",
        order_by="ModuleVersion.number",
    )

    def __repr__(self) -> str:
        return f"<Module {self.key}>"


class ModuleVersion(db.Model):
    """One published state of a module: its source, metadata, rendered HTML and parsed quiz."""

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(default=0)
    cpd_points: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    cpd_category: Mapped[str] = mapped_column(String(40), default="structured")
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    pass_mark: Mapped[int] = mapped_column(default=70)
    # Knowledge-check settings (catalog/quiz_settings.py): what a member sees after an attempt,
    # questions drawn per attempt, attempts allowed and the wait after them; reading time.
    review: Mapped[str] = mapped_column(
        String(12), default="after-pass", server_default="after-pass"
    )
    draw: Mapped[int | None]
    attempts_allowed: Mapped[int | None]
    retry_after_minutes: Mapped[int | None]
    min_read_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    toc_html: Mapped[str] = mapped_column(Text, default="")
    # wired4ex.markup.RENDERER_VERSION that rendered html (None: before it was kept), and the
    # [kind, url] of every link and image the renderer found, so an unchanged file is checked
    # again without being parsed again.
    renderer_version: Mapped[str | None] = mapped_column(String(20))
    links: Mapped[list | None] = mapped_column(JSON)
    # [{"id": "q1", "type": "choice", "text": ..., "multiple": bool, "explanation": ...,
    #   "options": [{"id": "q1a", "text": ..., "correct": bool, "pinned": bool}]}]; other types
    #   ("truefalse", "number", "text") carry "answer" or "accepted" (see catalog/quiz.py).
    #   Quizzes stored before types existed have no "type": they are choice questions.
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    # Who wrote it in the browser editor (None for versions synced from content/).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    module: Mapped[Module] = relationship(back_populates="versions", foreign_keys=[module_id])
    author = relationship("User", foreign_keys=[author_id])

    @property
    def has_quiz(self) -> bool:
        return bool(self.quiz)


class CourseMedia(db.Model):
    """An image of a course's media folder, stored so any app server can serve it."""

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))

    course: Mapped[Course] = relationship(back_populates="media")
