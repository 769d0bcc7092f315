"""Load the content/ folder into memory and check it: every problem, with its file and line.

`load_content(path)` never raises for bad content: it returns the tree it could read and the list
of problems. `flask content check` prints the problems; `flask content sync` imports a tree only
when the list is empty.
"""

import hashlib
import os
import re
from decimal import Decimal
from pathlib import Path

from wired4ex.catalog.content_editions import EditionChecks
from wired4ex.catalog.content_fields import SLUG, FieldChecks
from wired4ex.catalog.content_modules import ModuleChecks
from wired4ex.catalog.content_policies import PolicyChecks
from wired4ex.catalog.content_tree import (
    ContentTree,
    CourseSource,
    InstitutionSource,
    ModuleSource,
    Problem,
)
from wired4ex.catalog.links import check_links, link_resolver
from wired4ex.catalog.media import image_type, load_media
from wired4ex.catalog.sources import (
    SourceError,
    YamlMapping,
    decode_utf8,
    load_yaml_mapping,
    read_markdown,
)

MODULE_FILE = re.compile(r"^(\d{2,3})-([a-z0-9][a-z0-9-]*)\.md$")
COURSE_KEYS = {"title", "summary", "language", "level", "authors", "competencies",
               "prerequisites", "status", "version", "edition_of"}  # fmt: skip
INSTITUTION_KEYS = {"name", "short_name", "country", "website", "description"}
LANGUAGES = {"en", "sw"}
MAX_SOURCE_BYTES = 1024 * 1024


class _Loader(EditionChecks, FieldChecks, ModuleChecks, PolicyChecks):
    def __init__(
        self,
        root: Path,
        policy_root: Path,
        known_course_keys: set[str],
        known_links: dict[str, tuple[str, list]] | None = None,
    ):
        self.root = root
        self.known_links = known_links or {}
        self.policy_root = policy_root
        self.tree = ContentTree(root=root)
        self.known_course_keys = known_course_keys
        self._prerequisite_lines: dict[str, tuple[Path, int]] = {}
        self.competencies: set[str] = set()
        self.categories: dict[str, Decimal | None] = {}

    # -- reporting -------------------------------------------------------------------------
    def report(self, path: Path, line: int, message: str) -> None:
        self.tree.problems.append(Problem(self.display(path), line, message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.tree.warnings.append(Problem(self.display(path), line, message))

    def display(self, path: Path) -> str:
        return os.path.relpath(path)

    def read_text(self, path: Path) -> str | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self.report(path, 1, f"cannot read the file: {error.strerror}")
            return None
        if len(data) > MAX_SOURCE_BYTES:
            self.report(path, 1, f"the file is larger than {MAX_SOURCE_BYTES // 1024} KB")
            return None
        try:
            return decode_utf8(data)
        except SourceError as error:
            self.report(path, error.line, error.message)
            return None

    def read_yaml(self, path: Path) -> YamlMapping | None:
        text = self.read_text(path)
        if text is None:
            return None
        try:
            return load_yaml_mapping(text)
        except SourceError as error:
            self.report(path, error.line, error.message)
            return None

    # -- courses ---------------------------------------------------------------------------
    def check_prerequisites(self) -> None:
        """Every prerequisite names a course of this folder or one already imported."""
        known = self.known_course_keys | {course.key for course in self.tree.courses}
        for course in self.tree.courses:
            path, line = self._prerequisite_lines.get(course.key, (None, 1))
            for key in course.prerequisites:
                if key == course.key:
                    self.report(path, line, "a course cannot be its own prerequisite")
                elif key.count("/") == 1 and key not in known:
                    self.report(path, line, f"unknown prerequisite course {key!r}")

    # -- institutions and courses -----------------------------------------------------------
    def load_institution(self, folder: Path, only_course: str | None = None) -> None:
        slug = folder.name
        if not SLUG.match(slug):
            self.report(folder, 1, "folder names use lower-case letters, digits and dashes")
            return
        meta_path = folder / "institution.yml"
        if not meta_path.is_file():
            self.report(meta_path, 1, "institution.yml is missing")
            return
        meta = self.read_yaml(meta_path)
        if meta is not None:
            self._check_keys(meta_path, meta, INSTITUTION_KEYS, {"name", "short_name", "country"})
            self._check_strings(meta_path, meta, INSTITUTION_KEYS)
            website = meta.data.get("website")
            if website and not str(website).startswith(("https://", "http://")):
                self.report(meta_path, meta.line_of("website"), "website must be an http(s) URL")
            self.tree.institutions.append(
                InstitutionSource(
                    slug=slug,
                    name=str(meta.data.get("name") or slug),
                    short_name=str(meta.data.get("short_name") or slug),
                    country=str(meta.data.get("country") or ""),
                    website=meta.data.get("website"),
                    description=meta.data.get("description"),
                )
            )
        if only_course is None:
            self.tree.complete_institutions.add(slug)
        for child in sorted(folder.iterdir()):
            if child.name.startswith(".") or not child.is_dir():
                continue
            if only_course is None or child.name == only_course:
                self.load_course(slug, child)

    def load_course(self, institution: str, folder: Path) -> None:
        path = folder / "course.md"
        if not SLUG.match(folder.name):
            self.report(folder, 1, "folder names use lower-case letters, digits and dashes")
            return
        if not path.is_file():
            self.report(path, 1, "course.md is missing")
            return
        text = self.read_text(path)
        if text is None:
            return
        try:
            parsed = read_markdown(text)
        except SourceError as error:
            self.report(path, error.line, error.message)
            return
        meta = parsed.meta
        self._check_keys(path, meta, COURSE_KEYS, {"title", "summary"})
        self._check_strings(path, meta, {"title", "summary", "level"})
        data = meta.data
        language = str(data.get("language", "en"))
        if language not in LANGUAGES:
            self.report(path, meta.line_of("language"), "language must be en or sw")
        status = str(data.get("status", "published"))
        if status not in {"draft", "published"}:
            self.report(path, meta.line_of("status"), "status must be draft or published")
        prerequisites = self._string_list(path, meta, "prerequisites")
        self._prerequisite_lines[f"{institution}/{folder.name}"] = (
            path,
            meta.line_of("prerequisites"),
        )
        for key in prerequisites:
            if key.count("/") != 1:
                self.report(path, meta.line_of("prerequisites"),
                            f"prerequisite {key!r} must be a course id <institution>/<course>")  # fmt: skip
        edition_of = data.get("edition_of")
        if edition_of is not None and (
            not isinstance(edition_of, str) or edition_of.count("/") != 1
        ):
            self.report(path, meta.line_of("edition_of"),
                        "edition_of must be one course id <institution>/<course>")  # fmt: skip
            edition_of = None
        course = CourseSource(
            edition_of=edition_of,
            edition_line=meta.line_of("edition_of"),
            course_file=path,
            institution=institution,
            slug=folder.name,
            path=self.display(folder),
            title=str(data.get("title") or folder.name),
            summary=str(data.get("summary") or ""),
            language=language,
            level=str(data["level"]) if data.get("level") is not None else None,
            authors=self._string_list(path, meta, "authors"),
            competencies=self._competency_list(path, meta),
            prerequisites=prerequisites,
            status=status,
            version=str(data["version"]) if data.get("version") is not None else None,
            overview=parsed.body,
            source_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
        load_media(self.report, course.media, folder / "media")
        module_files = []
        for child in sorted(folder.iterdir()):
            if child.name.startswith(".") or child.name in {"course.md", "media"}:
                continue
            match = MODULE_FILE.match(child.name)
            if child.is_file() and match:
                module_files.append((int(match.group(1)), match.group(2), child))
            elif child.suffix == ".md":
                self.report(child, 1, "module files are named NN-name.md (e.g. 01-introduction.md)")
        file_names = {child.name: name for _, name, child in module_files}
        for position, name, child in module_files:
            module = self.load_module(course, child, position, name)
            if module is not None:
                course.modules.append(module)
        self._check_duplicate_ids(course)
        if not module_files:
            self.report(path, 1, "the course has no modules (add files named 01-name.md)")
        module_keys = {m.path.rsplit("/", 1)[-1]: m.key for m in course.modules}
        module_keys.update({n: file_names[n] for n in file_names if n not in module_keys})
        course.file_keys = module_keys
        check_links(
            self.report, path, parsed.body, parsed.body_line, course, module_keys, warn=self.warn
        )
        for module in course.modules:
            known = self.known_links.get(module.path)
            check_links(
                self.report,
                self.root / module.path,
                module.body,
                module.body_line,
                course,
                module_keys,
                known[1] if known and known[0] == module.source_hash else None,
                warn=self.warn,
            )
        self.tree.courses.append(course)


def _resolve_scope(path: Path) -> tuple[Path, str | None, str | None]:
    """(content root, institution, course) for a path to the root, an institution or a course."""
    if (path / "course.md").is_file():
        return path.parent.parent.parent, path.parent.name, path.name
    if (path / "institution.yml").is_file():
        return path.parent.parent, path.name, None
    return path, None, None


def load_content(
    path: Path,
    policy_root: Path | None = None,
    known_course_keys: set[str] | None = None,
    known_links: dict[str, tuple[str, list]] | None = None,
) -> ContentTree:
    """Read and check a content root, institution folder or course folder.

    known_links maps a module file (relative to the content root) to (source hash, the links
    the renderer found in it when it was synced): a file with that hash is checked from them,
    without parsing its Markdown again (a warm sync reads only front matter)."""
    root, institution, course = _resolve_scope(Path(path))
    if policy_root is None or (root / "policy").is_dir():
        policy_root = root
    loader = _Loader(root, policy_root, known_course_keys or set(), known_links)
    if not Path(path).is_dir():
        loader.report(Path(path), 1, "no such folder")
        return loader.tree
    loader.load_policies()
    institutions = root / "institutions"
    if institution is not None:
        loader.load_institution(institutions / institution, only_course=course)
    elif institutions.is_dir():
        for child in sorted(institutions.iterdir()):
            if child.is_dir() and not child.name.startswith("."):
                loader.load_institution(child)
    else:
        loader.report(institutions, 1, "the content folder has no institutions/ folder")
    loader.check_prerequisites()
    loader.check_editions()
    loader.check_certifications()
    loader.tree.problems.sort()
    loader.tree.warnings.sort()
    return loader.tree


__all__ = [
    "ContentTree",
    "CourseSource",
    "InstitutionSource",
    "ModuleSource",
    "Problem",
    "image_type",
    "link_resolver",
    "load_content",
]
