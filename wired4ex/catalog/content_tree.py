"""What the content loader reads: institutions, courses and modules, and the problems found."""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from wired4ex.catalog.quiz_settings import QuizSettings


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
    # Rendered, but perhaps not as the author meant (a list indented too little): shown by
    # check and sync, never a reason to refuse.
    warnings: list[Problem] = field(default_factory=list)
    # The scope of a sync: which institutions (and whether all of them) this tree covers.
    complete_institutions: set[str] = field(default_factory=set)
