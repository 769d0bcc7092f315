"""Courses saved for offline reading: what a saved course holds and its size, and the printable
pack of each published course (made at publish and sync time, stored in course_packs)."""

import hmac
import logging
from collections import namedtuple
from functools import lru_cache
from hashlib import sha256
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g, has_app_context, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from wired4ex import contentversion
from wired4ex.catalog.models import Course, CourseMedia, Module
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.offline.models import CoursePack
from wired4ex.offline.pack import build_pdf, fingerprint

log = logging.getLogger("wired4ex.offline")
STATIC = Path(__file__).resolve().parent.parent / "static"
# Saved with every course: the look of the pages, the mark, the pages the phone shows offline.
SHELL_STATIC = ("site.css", "logo.svg", "favicon.svg")
PackInfo = namedtuple("PackInfo", "pdf_bytes offline_bytes generated_at")


def size_text(size: int) -> str:
    """A size as a member reads it: "850 KB", "2.4 MB" (decimal units, as phones show them)."""
    return _size_text(str(get_locale()), size)


@lru_cache(maxsize=1024)
def _size_text(locale: str, size: int) -> str:
    """Once per language and size (Babel's number formatting is slow); `locale` is the page's."""
    if size < 1_000_000:
        return str(_l("%(size)s KB", size=format_decimal(max(1, round(size / 1000)))))
    return str(_l("%(size)s MB", size=format_decimal(round(size / 1_000_000, 1), "#,##0.0")))


def member_tag(user_id: int) -> str:
    """An opaque name of the member for the phone's storage: the service worker keeps each
    member's saved courses apart, and drops them when another member signs in on the phone."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"offline-member:{user_id}".encode(), sha256).hexdigest()[:24]


# -- what a saved course holds -----------------------------------------------------------------


def _modules(course: Course) -> list[Module]:
    return [m for m in course.active_modules if m.current_version is not None]


def _media_sizes(course_id: int) -> list[tuple[str, int]]:
    """(name, bytes) of the course's images, without loading them."""
    return list(
        db.session.execute(
            sa.select(CourseMedia.name, sa.func.length(CourseMedia.data))
            .where(CourseMedia.course_id == course_id)
            .order_by(CourseMedia.name)
        ).all()
    )


def offline_bytes(course: Course) -> int:
    """What saving the course puts on the phone: its overview and its modules' HTML (text,
    contents and knowledge check), its images and the stylesheet."""
    total = len(course.overview_html.encode())
    for module in _modules(course):
        version = module.current_version
        total += len(version.html.encode()) + len((version.toc_html or "").encode())
        total += sum(len(str(q).encode()) for q in version.quiz or [])
    total += sum(size or 0 for _name, size in _media_sizes(course.id))
    total += sum((STATIC / name).stat().st_size for name in SHELL_STATIC)
    return total


def offline_manifest(course: Course, user_id: int) -> dict:
    """What the service worker fetches and keeps to save the course, with each module's version
    (a changed version is fetched again on the next visit online)."""
    from wired4ex.learning.views import course_url, module_url

    modules = _modules(course)
    pages = {module_url(course, m): m.current_version_id for m in modules}
    media = [
        url_for("catalog.media", institution=course.institution.slug, course=course.slug, name=name)
        for name, _size in _media_sizes(course.id)
    ]
    pack = pack_info(course.id)
    size = pack.offline_bytes if pack else offline_bytes(course)
    shared = [url_for("static", filename=name) for name in SHELL_STATIC]
    shared += [url_for("offline.saved"), url_for("offline.kept")]
    return {
        "key": course.key,
        "title": course.title,
        "url": course_url(course),
        "member": member_tag(user_id),
        "size": size,
        "size_text": size_text(size),
        "versions": {url: str(version) for url, version in pages.items()},
        "urls": [course_url(course), *pages, *media],
        "shared": shared,
    }


# -- the printable pack ------------------------------------------------------------------------


def pack_info(course_id: int):
    """(pdf_bytes, offline_bytes, generated_at) of the course's pack, or None; one statement."""
    return db.session.execute(
        sa.select(CoursePack.pdf_bytes, CoursePack.offline_bytes, CoursePack.generated_at).where(
            CoursePack.course_id == course_id
        )
    ).first()


def refresh_pack(course: Course) -> bool:
    """Make the course's pack again when what it is made of changed; commits. True when made.

    A pack that cannot be made is logged and left as it was: publishing never fails for it.
    """
    if course.status != "published":
        return False
    mark = fingerprint(course)
    pack = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course.id))
    if pack is not None and pack.fingerprint == mark:
        return False
    try:
        pdf = build_pdf(course)
        size = offline_bytes(course)
    except Exception:  # noqa: BLE001  (a pack is a convenience; log, keep the old one)
        log.exception("the printable pack of %s could not be made", course.key)
        db.session.rollback()
        return False
    if pack is None:
        pack = CoursePack(course_id=course.id)
        db.session.add(pack)
    pack.fingerprint, pack.pdf, pack.pdf_bytes = mark, pdf, len(pdf)
    pack.offline_bytes, pack.generated_at = size, utcnow()
    # Course pages show the pack's sizes, kept per content version: a new version with the pack.
    contentversion.bump(db.session.connection())
    if has_app_context():
        g.pop("content_version", None)
    db.session.commit()
    return True


def refresh_packs(course_ids=None) -> int:
    """Make the packs of every published course (or of these) whose content changed; commits."""
    query = sa.select(Course).where(Course.status == "published").order_by(Course.id)
    if course_ids is not None:
        query = query.where(Course.id.in_(list(course_ids)))
    made = 0
    for course in db.session.scalars(query).all():
        made += refresh_pack(course)
    return made


def get_pack_pdf(course_id: int) -> bytes | None:
    return db.session.scalar(sa.select(CoursePack.pdf).where(CoursePack.course_id == course_id))
