"""Reading content files: UTF-8 text, YAML with line numbers, front matter, quiz fences."""

import re
from dataclasses import dataclass, field

import yaml
from flask_babel import gettext

# A fence opens with any info string ("rust,ignore", 'yaml title="x"'); its first word names
# the language, and "quiz" makes it the knowledge check.
FENCE = re.compile(r"^(```+|~~~+)\s*([^`\s,{]*)[^`]*$")


class SourceError(ValueError):
    """A file that cannot be read at all; line says where."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def decode_utf8(data: bytes) -> str:
    """The text of a file, or SourceError on the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(line, "the file is not UTF-8 text (save it as UTF-8)") from error
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class YamlMapping:
    """A parsed YAML mapping and the line of each of its top-level keys."""

    data: dict
    lines: dict[str, int] = field(default_factory=dict)
    first_line: int = 1
    node: yaml.Node | None = None

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.first_line)

    def line_at(self, *path: str | int) -> int:
        """The line of a nested key or list item, e.g. line_at("competencies", 1) for the
        second competency; the line of the deepest part of the path that exists."""
        node, line = self.node, self.first_line
        for step in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == str(step):
                        line = self.first_line + key_node.start_mark.line
                        child = value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step >= 0:
                child = node.value[step] if step < len(node.value) else None
                if child is not None:
                    line = self.first_line + child.start_mark.line
            if child is None:
                break
            node = child
        return line


def load_yaml_mapping(text: str, first_line: int = 1) -> YamlMapping:
    """Parse YAML that must be a mapping; first_line is the file line of the text's first line."""
    loader = None
    try:
        # One parse gives both the nodes (for line numbers) and the data, as safe_load does.
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        opened = error.context or ""
        if error.context_mark and (
            "flow" in opened or "quoted" in opened or mark.index >= len(text.rstrip())
        ):
            # An unclosed quote or bracket is noticed lines later, or past the last line:
            # the line where it was opened is the one to fix.
            mark = error.context_mark
        line = first_line + (mark.line if mark else 0)
        raise SourceError(line, f"bad YAML: {error.problem or error.context}") from error
    except yaml.YAMLError as error:
        raise SourceError(first_line, f"bad YAML: {error}") from error
    except RecursionError:  # PyYAML composes nested brackets recursively: "x: [[[[..."
        raise SourceError(first_line, gettext("bad YAML: nested too deeply")) from None
    finally:
        if loader is not None:
            loader.dispose()
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise SourceError(first_line, "expected keys and values (a YAML mapping)")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return YamlMapping({str(k): v for k, v in data.items()}, lines, first_line, node)


@dataclass
class MarkdownFile:
    """A Markdown file split into front matter, body and (if present) its quiz lines."""

    meta: YamlMapping
    body: str
    body_line: int
    quiz_lines: list[str] | None = None
    quiz_line: int = 0
    extra_quiz_lines: list[int] = field(default_factory=list)
    unclosed_quiz_line: int | None = None  # a ```quiz fence never closed


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter, body, line where the body starts); SourceError without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(1, "the file must start with front matter between two '---' lines")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise SourceError(1, "the front matter is not closed with a '---' line")


def read_markdown(text: str) -> MarkdownFile:
    """Parse front matter and take the ```quiz block out of the body."""
    front, body, body_line = split_front_matter(text)
    meta = load_yaml_mapping(front, first_line=2)
    result = MarkdownFile(meta=meta, body=body, body_line=body_line)
    kept: list[str] = []
    fence: tuple[str, bool, int] | None = None  # (marker, is_quiz, opening line)
    quiz: list[str] = []
    for offset, line in enumerate(body.split("\n")):
        number = body_line + offset
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if fence is None:
            match = FENCE.match(stripped) if indent <= 3 else None
            if match:
                marker, info = match.groups()
                fence = (marker, info.lower() == "quiz", number)
                kept.append("" if fence[1] else line)
            else:
                kept.append(line)
            continue
        marker, is_quiz, opened = fence
        closes = bool(stripped) and set(stripped) == {marker[0]} and len(stripped) >= len(marker)
        if closes:
            fence = None
            if not is_quiz:
                kept.append(line)
                continue
            kept.append("")
            if result.quiz_lines is None:
                result.quiz_lines, result.quiz_line = quiz, opened + 1
            else:
                result.extra_quiz_lines.append(opened)
            quiz = []
        elif is_quiz:
            quiz.append(line)
            kept.append("")  # keeps the body's line numbers aligned with the file
        else:
            kept.append(line)
    if fence is not None and fence[1]:
        result.unclosed_quiz_line = fence[2]
        if result.quiz_lines is None:
            result.quiz_lines, result.quiz_line = quiz, fence[2] + 1
    result.body = "\n".join(kept)
    return result
