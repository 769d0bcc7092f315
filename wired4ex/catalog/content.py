"""Load the content/ folder into memory and check it: every problem, with its file and line.

`load_content(path)` never raises for bad content: it returns the tree it could read and the list
of problems. `flask content check` prints the problems; `flask content sync` imports a tree only
when the list is empty.
"""

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wired4ex.catalog import policy
from wired4ex.catalog.quiz import parse_quiz
from wired4ex.catalog.quiz_settings import QUIZ_SETTING_KEYS, QuizSettings, read_quiz_settings
from wired4ex.catalog.sources import (
    SourceError,
    YamlMapping,
    decode_utf8,
    load_yaml_mapping,
    read_markdown,
)
from wired4ex.markup import check_limits, find_links

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MODULE_FILE = re.compile(r"^(\d{2,3})-([a-z0-9][a-z0-9-]*)\.md$")
RESERVED_MODULE_IDS = {"media", "enrol", "unenrol", "complete", "quiz"}
COURSE_KEYS = {"title", "summary", "language", "level", "authors", "competencies",
               "prerequisites", "status", "version", "edition_of"}  # fmt: skip
MODULE_KEYS = {"title", "id", "minutes", "cpd_points", "cpd_category", "competencies",
               "pass_mark", "objectives"} | QUIZ_SETTING_KEYS  # fmt: skip
INSTITUTION_KEYS = {"name", "short_name", "country", "website", "description"}
LANGUAGES = {"en", "sw"}
MAX_MEDIA_BYTES = 2 * 1024 * 1024
MAX_SOURCE_BYTES = 1024 * 1024
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(data: bytes) -> str | None:
    """The image content type by magic bytes (PNG, JPEG, GIF, WebP), or None."""
    for signature, content_type in IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ModuleSource:
    path: str  # relative to the content root
    key: str
    position: int
    title: str
    minutes: int
    cpd_points: Decimal
    cpd_category: str
    competencies: list[str]
    pass_mark: int
    objectives: list[str]
    body: str
    quiz: list[dict]
    source: str
    source_hash: str
    body_line: int = 1  # the file line where the body starts
    key_line: int = 1  # the line of the `id` key, when the file has one
    settings: QuizSettings = field(default_factory=QuizSettings)  # review, draw, attempts, ...


@dataclass
class CourseSource:
    institution: str
    slug: str
    path: str
    title: str
    summary: str
    language: str
    level: str | None
    authors: list[str]
    competencies: list[str]
    prerequisites: list[str]
    status: str
    version: str | None
    overview: str
    source_hash: str
    edition_of: str | None = None  # the course id of the other language edition
    edition_line: int = 1
    course_file: Path | None = None
    modules: list[ModuleSource] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    file_keys: dict[str, str] = field(default_factory=dict)  # "02-budget.md" -> module id

    @property
    def key(self) -> str:
        return f"{self.institution}/{self.slug}"


@dataclass
class InstitutionSource:
    slug: str
    name: str
    short_name: str
    country: str
    website: str | None
    description: str | None


@dataclass
class ContentTree:
    """What was read from a content folder, and what is wrong with it."""

    root: Path
    policies: dict[str, tuple[dict, str]] = field(default_factory=dict)  # name -> (data, hash)
    institutions: list[InstitutionSource] = field(default_factory=list)
    courses: list[CourseSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # printed, but not errors
    # The scope of a sync: which institutions (and whether all of them) this tree covers.
    complete_institutions: set[str] = field(default_factory=set)


class _Loader:
    def __init__(self, root: Path, policy_root: Path, known_course_keys: set[str]):
        self.root = root
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

    # -- policies --------------------------------------------------------------------------
    def load_policies(self) -> None:
        folder = self.policy_root / "policy"
        metas: dict[str, YamlMapping] = {}
        for name in policy.POLICY_FILES:
            path = folder / f"{name}.yml"
            if not path.is_file():
                self.report(path, 1, "policy file is missing")
                continue
            meta = self.read_yaml(path)
            if meta is not None:
                metas[name] = meta
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                self.tree.policies[name] = (meta.data, digest)
        if "competencies" in metas:
            path = folder / "competencies.yml"
            self.competencies = policy.validate_competencies(
                metas["competencies"], lambda line, msg: self.report(path, line, msg)
            )
        if "cpd" in metas:
            path = folder / "cpd.yml"
            self.categories = policy.validate_cpd(
                metas["cpd"], lambda line, msg: self.report(path, line, msg)
            )
        self._certification_meta = metas.get("certifications")

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

    def check_editions(self) -> None:
        """`edition_of` links two courses in different languages, from one side, without chains;
        modules with the same id in both are a pair and must give the same CPD points."""
        courses = {course.key: course for course in self.tree.courses}
        known = self.known_course_keys | set(courses)
        linked_from: dict[str, str] = {}
        for course in self.tree.courses:
            target_key = course.edition_of
            if target_key is None:
                continue
            path, line = course.course_file, course.edition_line
            if target_key == course.key:
                self.report(path, line, "a course cannot be an edition of itself")
                continue
            if target_key not in known:
                self.report(path, line, f"edition_of: unknown course {target_key!r}")
                continue
            if target_key in linked_from:
                self.report(path, line,
                            f"{target_key!r} already has another edition ({linked_from[target_key]}); "
                            "a course has one edition in each language")  # fmt: skip
                continue
            linked_from[target_key] = course.key
            target = courses.get(target_key)
            if target is None:
                continue  # already imported: the sync checks the rest
            if target.edition_of is not None:
                self.report(path, line,
                            f"edition_of: {target_key!r} is itself an edition of {target.edition_of!r}; "
                            "write edition_of in one of the two editions only, pointing at the other")  # fmt: skip
                continue
            if target.language == course.language:
                self.report(path, line,
                            f"edition_of: {target_key!r} is in the same language ({course.language}); "
                            "editions are in different languages")  # fmt: skip
                continue
            self._check_pairs(course, target, path, line)

    def _check_pairs(self, course: CourseSource, target: CourseSource, path, line) -> None:
        theirs = {module.key: module for module in target.modules}
        paired = 0
        for module in course.modules:
            other = theirs.get(module.key)
            if other is None:
                continue
            paired += 1
            if (module.cpd_points, module.cpd_category) != (other.cpd_points, other.cpd_category):
                self.report(self.root / module.path, module.key_line,
                            f"module {module.key!r} is paired with {other.path} (same id) and must "
                            f"give the same CPD points and category ({other.cpd_points}, "
                            f"{other.cpd_category})")  # fmt: skip
        if course.modules and target.modules and not paired:
            self.report(path, line,
                        f"no module of this edition has the id of a module of {target.key!r}: "
                        "give the same module the same id in both editions")  # fmt: skip

    def check_certifications(self) -> None:
        if self._certification_meta is None:
            return
        path = self.policy_root / "policy" / "certifications.yml"
        course_keys = self.known_course_keys | {course.key for course in self.tree.courses}
        domains = policy.domain_codes(self.tree.policies.get("competencies", ({}, ""))[0])
        policy.validate_certifications(
            self._certification_meta,
            lambda line, msg: self.report(path, line, msg),
            course_keys,
            domains,
        )

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
        self.load_media(course, folder / "media")
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
        self._check_links(path, parsed.body, parsed.body_line, course, module_keys, folder)
        for module in course.modules:
            self._check_links(
                self.root / module.path,
                module.body,
                module.body_line,
                course,
                module_keys,
                folder,
                module,
            )
        self.tree.courses.append(course)

    def load_media(self, course: CourseSource, folder: Path) -> None:
        if not folder.is_dir():
            return
        for child in sorted(folder.rglob("*")):
            if not child.is_file() or child.name.startswith("."):
                continue
            name = child.relative_to(folder).as_posix()
            data = child.read_bytes()
            content_type = image_type(data)
            if content_type is None:
                self.report(child, 1, "media files must be PNG, JPEG, GIF or WebP images")
            elif len(data) > MAX_MEDIA_BYTES:
                self.report(child, 1, f"image larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MB")
            else:
                course.media[name] = (data, content_type)

    def load_module(self, course: CourseSource, path: Path, position: int, name: str):
        text = self.read_text(path)
        if text is None:
            return None
        try:
            parsed = read_markdown(text)
        except SourceError as error:
            self.report(path, error.line, error.message)
            return None
        meta = parsed.meta
        data = meta.data
        self._check_keys(path, meta, MODULE_KEYS, {"title"})
        self._check_strings(path, meta, {"title"})
        key = str(data.get("id", name))
        if not SLUG.match(key) or key in RESERVED_MODULE_IDS:
            self.report(path, meta.line_of("id"),
                        f"id {key!r} must use lower-case letters, digits and dashes"
                        + (" and not be a reserved word" if key in RESERVED_MODULE_IDS else ""))  # fmt: skip
        minutes = data.get("minutes", 0)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 6000:
            self.report(path, meta.line_of("minutes"), "minutes must be a whole number")
            minutes = 0
        category = str(data.get("cpd_category", "structured"))
        if self.categories and category not in self.categories:
            self.report(path, meta.line_of("cpd_category"),
                        f"unknown CPD category {category!r} (known: {', '.join(self.categories)})")  # fmt: skip
        points = self._points(path, meta, self.categories.get(category))
        pass_mark = data.get("pass_mark", 70)
        if (
            not isinstance(pass_mark, int)
            or isinstance(pass_mark, bool)
            or not 1 <= pass_mark <= 100
        ):
            self.report(path, meta.line_of("pass_mark"), "pass_mark must be a percentage, 1 to 100")
            pass_mark = 70
        quiz: list[dict] = []
        if parsed.unclosed_fence_line is not None:
            self.report(path, parsed.unclosed_fence_line, "code block is not closed with ```")
        for line in parsed.extra_quiz_lines:
            self.report(path, line, "a module has at most one quiz block")
        if parsed.quiz_lines is not None:
            quiz, quiz_problems = parse_quiz(parsed.quiz_lines, parsed.quiz_line)
            for problem in quiz_problems:
                self.report(path, problem.line, problem.message)
        settings = read_quiz_settings(
            data, meta.line_of, minutes, len(quiz),
            lambda line, message: self.report(path, line, message),
            lambda line, message: self.warn(path, line, message),
        )  # fmt: skip
        relative = path.relative_to(self.root).as_posix()
        return ModuleSource(
            path=relative,
            key=key,
            position=position,
            title=str(data.get("title") or name),
            minutes=minutes,
            cpd_points=points,
            cpd_category=category,
            competencies=self._competency_list(path, meta),
            pass_mark=pass_mark,
            objectives=self._string_list(path, meta, "objectives"),
            body=parsed.body,
            quiz=quiz,
            source=text,
            source_hash=hashlib.sha256(text.encode()).hexdigest(),
            body_line=parsed.body_line,
            key_line=meta.lines.get("id", 1),
            settings=settings,
        )

    # -- field checks ----------------------------------------------------------------------
    def _check_keys(self, path: Path, meta: YamlMapping, allowed: set, required: set) -> None:
        for key in meta.data:
            if key not in allowed:
                self.report(path, meta.line_of(key),
                            f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")  # fmt: skip
        for key in sorted(required):
            value = meta.data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.report(path, meta.line_of(key), f"missing required key {key!r}")

    def _check_strings(self, path: Path, meta: YamlMapping, keys: set[str]) -> None:
        for key in keys:
            value = meta.data.get(key)
            if value is not None and not isinstance(value, str):
                self.report(path, meta.line_of(key), f"{key} must be text")

    def _string_list(self, path: Path, meta: YamlMapping, key: str) -> list[str]:
        value = meta.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.report(path, meta.line_of(key), f"{key} must be a list of text items")
            return []
        return [str(v) for v in value]

    def _competency_list(self, path: Path, meta: YamlMapping) -> list[str]:
        codes = self._string_list(path, meta, "competencies")
        for index, code in enumerate(codes):
            if self.competencies and code not in self.competencies:
                self.report(
                    path, meta.line_at("competencies", index), f"unknown competency {code!r}"
                )
        return [code for code in codes if not self.competencies or code in self.competencies]

    def _points(self, path: Path, meta: YamlMapping, maximum: Decimal | None) -> Decimal:
        value = meta.data.get("cpd_points", 0)
        line = meta.line_of("cpd_points")
        if not policy.is_number(value):
            self.report(path, line, f"cpd_points must be a number, not {value!r}")
            return Decimal("0")
        points = Decimal(str(value))
        if points < 0 or points * 2 != int(points * 2):
            self.report(path, line, "cpd_points must be zero or more, in whole or half points")
            return Decimal("0")
        if maximum is not None and points > maximum:
            self.report(path, line, f"cpd_points above the category's maximum of {maximum}")
        return points

    def _check_duplicate_ids(self, course: CourseSource) -> None:
        seen: dict[str, str] = {}
        for module in course.modules:
            if module.key in seen:
                self.report(self.root / module.path, module.key_line,
                            f"duplicate module id {module.key!r} (also in {seen[module.key]})")  # fmt: skip
            seen[module.key] = module.path

    def _check_links(self, path, body, first_line, course, module_keys, folder, module=None):
        """Report links and images that point nowhere or use a forbidden scheme (and, first,
        Markdown too long or too deeply nested to render: see wired4ex.markup)."""
        limits = check_limits(body)
        for line, message in limits:
            self.report(path, first_line + line - 1, message)
        if limits:
            return
        lines = body.split("\n")

        def line_of(url: str) -> int:
            # Prefer the line where the URL stands as a link target: "](url", "<url>", "]: url".
            for pattern in (f"]({url}", f"<{url}>", f"]: {url}", url):
                for index, text in enumerate(lines):
                    if pattern in text:
                        return first_line + index
            return first_line

        for kind, url in find_links(body):
            parts = urlsplit(url)
            if parts.scheme:
                if kind == "image":
                    self.report(
                        path, line_of(url),
                        f"images must be files in the course's media/ folder (pictures from other sites are blocked): {url}",
                    )  # fmt: skip
                elif parts.scheme.lower() not in {"http", "https", "mailto"}:
                    self.report(
                        path, line_of(url), f"links may only use http, https or mailto: {url}"
                    )
                continue
            if parts.netloc or url.startswith("//"):
                self.report(
                    path, line_of(url), f"write external links in full (https://...): {url}"
                )
                continue
            target = unquote(parts.path)
            if not target:
                continue  # an anchor on the same page
            normal = posixpath.normpath(target)
            if kind == "image" or normal.startswith("media/"):
                name = normal.removeprefix("media/")
                if not normal.startswith("media/") or name not in course.media:
                    self.report(path, line_of(url), f"missing image or file: {target}")
            elif normal not in module_keys:
                self.report(path, line_of(url),
                            f"broken link: {target} (link to a module file of this course)")  # fmt: skip


def _resolve_scope(path: Path) -> tuple[Path, str | None, str | None]:
    """(content root, institution, course) for a path to the root, an institution or a course."""
    if (path / "course.md").is_file():
        return path.parent.parent.parent, path.parent.name, path.name
    if (path / "institution.yml").is_file():
        return path.parent.parent, path.name, None
    return path, None, None


def load_content(
    path: Path, policy_root: Path | None = None, known_course_keys: set[str] | None = None
) -> ContentTree:
    """Read and check a content root, institution folder or course folder."""
    root, institution, course = _resolve_scope(Path(path))
    if policy_root is None or (root / "policy").is_dir():
        policy_root = root
    loader = _Loader(root, policy_root, known_course_keys or set())
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
    return loader.tree


def link_resolver(file_keys: dict[str, str]):
    """Rewrite links to module files ("02-budget.md#costs") as module addresses ("budget#costs").

    Module pages live at /courses/<institution>/<course>/<module id> and images at .../media/,
    so module and media links stay relative and work from the course and module pages alike.
    """

    def resolve(url: str, kind: str) -> str | None:
        parts = urlsplit(url)
        if kind != "link" or parts.scheme or parts.netloc:
            return None
        key = file_keys.get(posixpath.normpath(unquote(parts.path))) if parts.path else None
        if key is None:
            return None
        return key + (f"#{parts.fragment}" if parts.fragment else "")

    return resolve
