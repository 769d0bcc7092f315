"""A course's printable pack: the whole course as one PDF, made when the course is published or
synced and stored, with the size of what "Save for offline" puts on the phone."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from wired4ex.dbtypes import UTCDateTime, utcnow
from wired4ex.extensions import db


class CoursePack(db.Model):
    """One per course. `fingerprint` names the module versions, media and course text the pack
    was made from; a publish that changes any of them makes it again."""

    __tablename__ = "course_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), unique=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))  # for downloads
    pdf_bytes: Mapped[int]
    offline_bytes: Mapped[int]  # module pages, their images and the stylesheet, saved offline
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
