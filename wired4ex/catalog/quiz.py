"""The knowledge-check syntax inside a ```quiz block: parse it, or say what is wrong and where.

A question starts with `? `; what follows decides its type:

- `- [x] ` / `- [ ] ` options: single choice, or choose-all when more than one is right. An option
  ending in `{pin}` keeps its written place when options are shuffled ("All of the above").
- `= true` or `= false`: true/false.
- `= 12.5 ± 0.5` (or `+-`, `+/-`; the tolerance is optional): a number, right within the tolerance.
- `~ answer` lines, one per accepted answer: short text, matched ignoring case and accents.

`> ` lines are the explanation. Scoring lives here too (`is_right`), so the site, the API and the
reports score every question type the same way.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field

OPTION_PREFIXES = {"- [x] ": True, "- [X] ": True, "- [ ] ": False}
PIN_MARKER = "{pin}"
QUESTION_TYPES = ("choice", "truefalse", "number", "text")
TRUE_WORDS = {"true": True, "false": False}
NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
NUMBER_ANSWER = re.compile(
    rf"^(?P<value>{NUMBER})(?:\s*(?:±|\+/-|\+-)\s*(?P<tolerance>{NUMBER}))?$"
)
MAX_OPTIONS = 12
MAX_ACCEPTED = 20
MAX_ANSWER_CHARS = 200


@dataclass
class QuizProblem:
    line: int
    message: str


@dataclass
class Question:
    line: int
    text: str
    options: list[tuple[str, bool, bool]] = field(default_factory=list)  # text, right, pinned
    explanation: str = ""
    keys: list[tuple[int, str]] = field(default_factory=list)  # (line, text after "= ")
    accepted: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.keys:
            return "truefalse" if self.keys[0][1].lower() in TRUE_WORDS else "number"
        return "text" if self.accepted else "choice"

    def to_json(self, number: int) -> dict:
        """The stored form: ids are stable within a version (q1, q1a, q1b, ...)."""
        qid = f"q{number}"
        data = {
            "id": qid,
            "type": self.kind,
            "text": self.text,
            "multiple": sum(correct for _, correct, _ in self.options) > 1,
            "explanation": self.explanation,
            "options": [
                {"id": f"{qid}{chr(ord('a') + i)}", "text": text, "correct": correct}
                | ({"pinned": True} if pinned else {})
                for i, (text, correct, pinned) in enumerate(self.options)
            ],
        }
        if self.kind == "truefalse":
            data["answer"] = TRUE_WORDS[self.keys[0][1].lower()]
        elif self.kind == "number":
            value, tolerance = parse_number_key(self.keys[0][1]) or (0.0, 0.0)
            data["answer"] = {"value": value, "tolerance": tolerance}
        elif self.kind == "text":
            data["accepted"] = list(self.accepted)
        return data


def to_number(text: str) -> float | None:
    """A number typed by a person (12.5, 12,5, -3, 1e3), or None."""
    text = (text or "").strip().replace(" ", "")
    if not re.fullmatch(NUMBER, text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def parse_number_key(text: str) -> tuple[float, float] | None:
    """(value, tolerance) from `12.5 ± 0.5`, or None when malformed."""
    match = NUMBER_ANSWER.match(text.strip())
    if match is None:
        return None
    value = to_number(match["value"])
    tolerance = to_number(match["tolerance"]) if match["tolerance"] else 0.0
    if value is None or tolerance is None or tolerance < 0:
        return None
    return value, tolerance


def normalise_text(text: str) -> str:
    """Case, accents, surrounding spaces and repeated spaces do not matter in short answers."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split()).strip(" .")


def question_type(question: dict) -> str:
    """The stored question's type; quizzes stored before types existed are choice questions."""
    return question.get("type", "choice")


def is_right(question: dict, answer: list[str]) -> bool:
    """Whether an answer (option ids, or one typed value) is right for a stored question."""
    kind = question_type(question)
    if kind == "choice":
        right = {option["id"] for option in question["options"] if option["correct"]}
        return set(answer) == right
    if len(answer) != 1:
        return False
    given = answer[0]
    if kind == "truefalse":
        return given == ("true" if question["answer"] else "false")
    if kind == "number":
        value = to_number(given)
        if value is None:
            return False
        key = question["answer"]
        slack = 1e-9 * max(1.0, abs(key["value"]))  # 0.1 + 0.2 is 0.3 to a person
        return abs(value - key["value"]) <= key["tolerance"] + slack
    accepted = {normalise_text(text) for text in question.get("accepted", [])}
    return normalise_text(given) in accepted


def right_answer_texts(question: dict) -> list[str]:
    """How the right answer reads, for review after passing (option texts, a number, words)."""
    kind = question_type(question)
    if kind == "choice":
        return [option["text"] for option in question["options"] if option["correct"]]
    if kind == "truefalse":
        return ["true" if question["answer"] else "false"]
    if kind == "number":
        key = question["answer"]
        value = f"{key['value']:g}"
        return [f"{value} ± {key['tolerance']:g}" if key["tolerance"] else value]
    return list(question.get("accepted", []))


def right_answer_values(question: dict) -> list[str]:
    """An answer that scores right, as a form would send it (for the demo and tests)."""
    kind = question_type(question)
    if kind == "choice":
        return [option["id"] for option in question["options"] if option["correct"]]
    if kind == "truefalse":
        return ["true" if question["answer"] else "false"]
    if kind == "number":
        return [f"{question['answer']['value']:g}"]
    return [question["accepted"][0]]


def _option(line: str, number: int, current: Question | None, problems: list) -> bool:
    prefix = next((p for p in OPTION_PREFIXES if line.startswith(p) or line == p.strip()), None)
    if prefix is None:
        return False
    if current is None:
        problems.append(QuizProblem(number, "option outside a question (start with '? ')"))
        return True
    text = line[len(prefix) :].strip()
    pinned = text.endswith(PIN_MARKER)
    if pinned:
        text = text.removesuffix(PIN_MARKER).rstrip()
    if not text:
        problems.append(QuizProblem(number, "an option needs text after the box"))
    current.options.append((text, OPTION_PREFIXES[prefix], pinned))
    return True


def parse_quiz(lines: list[str], first_line: int) -> tuple[list[dict], list[QuizProblem]]:
    """Parse the lines between the fences; first_line is the file line number of lines[0]."""
    questions: list[Question] = []
    problems: list[QuizProblem] = []
    current: Question | None = None
    for offset, raw in enumerate(lines):
        number = first_line + offset
        line = raw.strip()
        if not line:
            continue
        if line.startswith("?"):
            text = line[1:].strip()
            if not text:
                problems.append(QuizProblem(number, "a question needs text after '?'"))
            current = Question(number, text)
            questions.append(current)
            continue
        if _option(line, number, current, problems):
            continue
        if line.startswith(("=", "~")):
            if current is None:
                problems.append(QuizProblem(number, "answer outside a question (start with '? ')"))
            elif line.startswith("="):
                current.keys.append((number, line[1:].strip()))
            else:
                current.accepted.append(line[1:].strip())
            continue
        if line.startswith(">"):
            if current is None:
                problems.append(QuizProblem(number, "explanation outside a question"))
            elif current.explanation:
                current.explanation += " " + line[1:].strip()
            else:
                current.explanation = line[1:].strip()
            continue
        if line.startswith("- ["):
            problems.append(
                QuizProblem(
                    number, "an option must start with '- [x] ' (right) or '- [ ] ' (wrong)"
                )
            )
        else:
            problems.append(
                QuizProblem(number, "unexpected line: use '? ' for questions, '- [x] ' or "
                            "'- [ ] ' for options, '= ' or '~ ' for typed answers and '> ' for "
                            "the explanation")
            )  # fmt: skip
    if not questions and not problems:
        problems.append(QuizProblem(first_line, "the quiz block has no questions"))
    for question in questions:
        problems.extend(_question_problems(question))
    return [q.to_json(i + 1) for i, q in enumerate(questions)], problems


def _question_problems(question: Question) -> list[QuizProblem]:
    line = question.line
    kinds = sum(bool(part) for part in (question.options, question.keys, question.accepted))
    if kinds > 1:
        return [QuizProblem(line, "a question has either options, one '= ' answer or '~ ' "
                            "accepted answers, not a mix")]  # fmt: skip
    if question.keys:
        if len(question.keys) > 1:
            return [QuizProblem(question.keys[1][0], "a question has one '= ' answer")]
        key_line, key = question.keys[0]
        if key.lower() not in TRUE_WORDS and parse_number_key(key) is None:
            return [QuizProblem(key_line, f"malformed answer {key!r}: write '= true', '= false' "
                                "or a number with an optional tolerance, e.g. '= 12.5 ± 0.5'")]  # fmt: skip
        return []
    if question.accepted:
        if any(not text for text in question.accepted):
            return [QuizProblem(line, "an accepted answer needs text after '~'")]
        if len(question.accepted) > MAX_ACCEPTED:
            return [QuizProblem(line, f"more than {MAX_ACCEPTED} accepted answers")]
        return []
    if not question.options:
        return [QuizProblem(line, "question without options or an answer ('= ' or '~ ')")]
    if len(question.options) < 2:
        return [QuizProblem(line, "a question needs at least two options")]
    if not any(correct for _, correct, _ in question.options):
        return [QuizProblem(line, "question without a correct option ('- [x]')")]
    if len(question.options) > MAX_OPTIONS:
        return [QuizProblem(line, f"more than {MAX_OPTIONS} options")]
    return []
