"""A draft as a module file, rendered and checked exactly as published content is: the preview
the editor and the reviewer see, and the problems that stop a draft being submitted.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from wired4ex.authoring import folders
from wired4ex.authoring.models import Draft
from wired4ex.catalog.content import link_resolver
from wired4ex.catalog.models import Course
from wired4ex.catalog.quiz import parse_quiz
from wired4ex.catalog.sources import read_markdown
from wired4ex.markup import MarkupError, Rendered, render_markdown


def draft_fields(draft: Draft) -> dict:
    """The draft's front-matter fields, as the module file writes them."""
    return {
        "key": draft.key, "title": draft.title, "minutes": draft.minutes,
        "cpd_points": Decimal(draft.cpd_points), "cpd_category": draft.cpd_category,
        "competencies": list(draft.competencies or []), "pass_mark": draft.pass_mark,
        "objectives": list(draft.objectives or []),
        "quiz_settings": dict(draft.quiz_settings or {}),
    }  # fmt: skip


def draft_source(draft: Draft) -> str:
    """The draft as a module file: front matter and body."""
    return folders.module_markdown(draft_fields(draft), draft.body or "")


@dataclass
class Preview:
    html: str
    toc_html: str
    quiz: list[dict]
    problems: list[tuple[int, str]]  # (line in the module file, message)
    body_offset: int  # file line of the body's first line, to show body line numbers
    warnings: list[tuple[int, str]] = field(default_factory=list)  # shown, never blocking


def draft_findings(
    course: Course, draft: Draft
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(problems, warnings) for this draft's file, from one run of the checker exactly as
    `flask content check` finds them: a list indented too little, a skipped heading level."""
    source = draft_source(draft)
    with folders.course_tree(course, (draft.key, source)) as (tree, course_dir):

        def mine(found) -> bool:
            return Path(found.path).name.endswith(f"-{draft.key}.md")

        problems = [(p.line, p.message) for p in tree.problems if mine(p)]
        problems += [
            (0, f"{Path(p.path).name}: {p.message}")
            for p in tree.problems
            if not mine(p) and Path(p.path).name.endswith(".md")
            if "duplicate module id" in p.message
        ]
        warnings = [(w.line, w.message) for w in tree.warnings if mine(w)]
    return problems, warnings


def check_draft(course: Course, draft: Draft) -> list[tuple[int, str]]:
    """The checker's problems for this draft's file (what stops it being submitted)."""
    return draft_findings(course, draft)[0]


def preview(course: Course, draft: Draft, media_base: str = "media/") -> Preview:
    """The draft rendered by the same pipeline as published pages, with the checker's problems.

    media_base is where the course's images are served from the page showing the preview (the
    published page uses relative "media/" addresses; the editor lives elsewhere).
    """
    source = draft_source(draft)
    parsed = read_markdown(source)
    quiz = []
    if parsed.quiz_lines is not None:
        quiz, _quiz_problems = parse_quiz(parsed.quiz_lines, parsed.quiz_line)
    keys = {f"{i:02d}-{m.key}.md": m.key for i, m in enumerate(course.active_modules, start=1)}
    modules = link_resolver(keys)

    def resolve(url: str, kind: str) -> str | None:
        if url.startswith("media/"):
            return media_base + url.removeprefix("media/")
        return modules(url, kind)

    try:
        rendered = render_markdown(parsed.body, resolve)
    except MarkupError:  # over the limits: draft_findings reports it with its line
        rendered = Rendered(html="", toc_html="")
    problems, warnings = draft_findings(course, draft)
    return Preview(rendered.html, rendered.toc_html, quiz, problems, parsed.body_line, warnings)
