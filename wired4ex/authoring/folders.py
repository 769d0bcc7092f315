"""A course as a content/ folder: written out for checks and export, read back from an import.

The browser editor and the files in content/ share one format and one checker: a course being
edited is written to a temporary folder and checked with exactly what `flask content check` runs.
"""

import io
import posixpath
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
import yaml
from flask import current_app
from flask_babel import lazy_gettext as _l

from wired4ex.catalog.content import ContentTree, load_content
from wired4ex.catalog.models import Course, Institution
from wired4ex.extensions import db

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_ZIP_FILES = 500
MAX_MEMBER_BYTES = 5 * 1024 * 1024
MAX_RATIO = 100


class ImportRefused(ValueError):
    """The upload is not a course folder we can read; the message says why."""


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def institution_yaml(institution: Institution) -> str:
    data = {
        "name": institution.name,
        "short_name": institution.short_name,
        "country": institution.country,
    }
    if institution.website:
        data["website"] = institution.website
    if institution.description:
        data["description"] = institution.description
    return _yaml(data)


def course_markdown(course: Course) -> str:
    data = {"title": course.title, "summary": course.summary, "language": course.language}
    if course.level:
        data["level"] = course.level
    if course.authors:
        data["authors"] = list(course.authors)
    if course.competency_links:
        data["competencies"] = course.competency_codes
    if course.prerequisites:
        data["prerequisites"] = list(course.prerequisites)
    data["status"] = "published"
    if course.version:
        data["version"] = course.version
    return f"---\n{_yaml(data)}---\n{course.overview_source or ''}"


def module_markdown(fields: dict, body: str) -> str:
    """A module file from front-matter fields and the Markdown body."""
    data = {
        "title": fields["title"],
        "id": fields["key"],
        "minutes": int(fields["minutes"]),
        "cpd_points": float(fields["cpd_points"])
        if fields["cpd_points"] % 1
        else int(fields["cpd_points"]),
        "cpd_category": fields["cpd_category"],
        "competencies": list(fields["competencies"]),
        "pass_mark": int(fields["pass_mark"]),
        "objectives": list(fields["objectives"]),
    }
    # review, draw, attempts, retry_after, min_read_minutes: only those the author set
    data.update(fields.get("quiz_settings") or {})
    return f"---\n{_yaml(data)}---\n{body}"


def module_files(
    course: Course, replacement: tuple[str, str] | None = None
) -> list[tuple[str, str]]:
    """(file name, text) of the course's active modules in order; a draft replaces or joins them."""
    files = []
    keys_done = set()
    modules = [m for m in course.active_modules if m.current_version is not None]
    for position, module in enumerate(modules, start=1):
        text = module.current_version.source
        if replacement is not None and replacement[0] == module.key:
            text = replacement[1]
            keys_done.add(module.key)
        files.append((f"{position:02d}-{module.key}.md", text))
    if replacement is not None and replacement[0] not in keys_done:
        files.append((f"{len(files) + 1:02d}-{replacement[0]}.md", replacement[1]))
    return files


def write_course(course: Course, root: Path, replacement: tuple[str, str] | None = None) -> Path:
    """Write the course (with an optional draft as (key, text)) as a content folder under root."""
    institution_dir = root / "institutions" / course.institution.slug
    course_dir = institution_dir / course.slug
    (course_dir / "media").mkdir(parents=True, exist_ok=True)
    (institution_dir / "institution.yml").write_text(
        institution_yaml(course.institution), encoding="utf-8"
    )
    (course_dir / "course.md").write_text(course_markdown(course), encoding="utf-8")
    for name, text in module_files(course, replacement):
        (course_dir / name).write_text(text, encoding="utf-8")
    for media in course.media:
        target = course_dir / "media" / media.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(media.data)
    return course_dir


def known_course_keys() -> set[str]:
    rows = db.session.execute(sa.select(Institution.slug, Course.slug).join(Course.institution))
    return {f"{institution}/{course}" for institution, course in rows}


def check_folder(path: Path) -> ContentTree:
    """Load and check a folder with the configured policy, as `flask content check` does."""
    return load_content(
        path,
        policy_root=Path(current_app.config["CONTENT_DIR"]),
        known_course_keys=known_course_keys(),
    )


@contextmanager
def course_tree(
    course: Course, replacement: tuple[str, str] | None = None
) -> Iterator[tuple[ContentTree, Path]]:
    """The course written to a temporary folder and checked; the folder lives for the block."""
    with tempfile.TemporaryDirectory(prefix="w4x-course-") as folder:
        course_dir = write_course(course, Path(folder), replacement)
        yield check_folder(course_dir), course_dir


def export_zip(course: Course) -> bytes:
    """The course as a zip in the content/ format (institutions/<institution>/<course>/...)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="w4x-export-") as folder:
        root = Path(folder)
        write_course(course, root)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def safe_extract(data: bytes, target: Path) -> None:
    """Extract an uploaded zip, refusing anything unsafe: paths outside it, links, bombs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportRefused(_l("The file is not a zip archive.")) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_FILES:
            raise ImportRefused(f"The archive has more than {MAX_ZIP_FILES} files.")
        total = 0
        for member in members:
            name = member.filename
            normal = posixpath.normpath(name)
            if (
                name.startswith(("/", "\\"))
                or "\\" in name
                or normal.startswith("..")
                or ":" in name
            ):
                raise ImportRefused(f"The archive has a path outside its folder: {name}")
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise ImportRefused(f"The archive contains a link: {name}")
            total += member.file_size
            if member.file_size > MAX_MEMBER_BYTES or total > MAX_ZIP_BYTES:
                raise ImportRefused(
                    _l("The archive unpacks to more than we accept (20 MB, 5 MB a file).")
                )
            if member.compress_size and member.file_size / member.compress_size > MAX_RATIO:
                raise ImportRefused(f"The archive is suspiciously compressed: {name}")
        for member in members:
            if member.is_dir():
                continue
            destination = target / posixpath.normpath(member.filename)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source:
                chunk = source.read(MAX_MEMBER_BYTES + 1)
                if len(chunk) > MAX_MEMBER_BYTES:
                    raise ImportRefused(_l("A file in the archive is larger than 5 MB."))
                destination.write_bytes(chunk)


def course_folder_in(root: Path) -> Path:
    """The one course folder of an extracted upload (institutions/<i>/<c>/course.md)."""
    found = [p.parent for p in root.glob("institutions/*/*/course.md")]
    if len(found) != 1:
        raise ImportRefused(
            _l(
                "The archive must hold exactly one course: institutions/<institution>/<course>/course.md."
            )
        )
    return found[0]
