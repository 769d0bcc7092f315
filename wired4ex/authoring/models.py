"""Drafts of modules written in the browser, and their review."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db

DRAFT_STATUSES = ("draft", "in_review", "returned", "published", "discarded")


class Draft(db.Model):
    """A module being written or revised: front matter as fields, the body as Markdown.

    Learners never see a draft; approving it publishes a new module version.
    """

    __tablename__ = "authoring_drafts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'in_review', 'returned', 'published', 'discarded')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_versions.id"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int] = mapped_column(default=30)
    cpd_points: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("1"))
    cpd_category: Mapped[str] = mapped_column(String(40), default="structured")
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    pass_mark: Mapped[int] = mapped_column(default=70)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    # review, draw, attempts, retry_after, min_read_minutes as written in front matter (when set)
    quiz_settings: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_versions.id"))

    course = relationship("Course")
    module = relationship("Module")
    author = relationship("User", foreign_keys=[author_id])

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "returned")
