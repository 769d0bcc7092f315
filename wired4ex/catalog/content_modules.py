"""Reading and checking one module file: front matter, quiz and quiz settings."""

import hashlib
from pathlib import Path

from wired4ex.catalog.content_fields import SLUG
from wired4ex.catalog.content_tree import CourseSource, ModuleSource
from wired4ex.catalog.quiz import parse_quiz
from wired4ex.catalog.quiz_settings import QUIZ_SETTING_KEYS, read_quiz_settings
from wired4ex.catalog.sources import SourceError, read_markdown

RESERVED_MODULE_IDS = {"media", "enrol", "unenrol", "complete", "quiz"}
MODULE_KEYS = {"title", "id", "minutes", "cpd_points", "cpd_category", "competencies",
               "pass_mark", "objectives"} | QUIZ_SETTING_KEYS  # fmt: skip


class ModuleChecks:
    """Mixed into the content loader: needs self.read_text, self.report, self.warn, self.root,
    self.categories and the field checks."""

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
        if parsed.unclosed_quiz_line is not None:  # other fences: the renderer reports them
            self.report(path, parsed.unclosed_quiz_line, "the quiz block is not closed with ```")
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
