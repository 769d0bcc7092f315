"""The knowledge-check syntax inside a ```quiz block: parse it, or say what is wrong and where."""

from dataclasses import dataclass, field

OPTION_PREFIXES = {"- [x] ": True, "- [X] ": True, "- [ ] ": False}


@dataclass
class QuizProblem:
    line: int
    message: str


@dataclass
class Question:
    line: int
    text: str
    options: list[tuple[str, bool]] = field(default_factory=list)
    explanation: str = ""

    def to_json(self, number: int) -> dict:
        """The stored form: ids are stable within a version (q1, q1a, q1b, ...)."""
        qid = f"q{number}"
        return {
            "id": qid,
            "text": self.text,
            "multiple": sum(correct for _, correct in self.options) > 1,
            "explanation": self.explanation,
            "options": [
                {"id": f"{qid}{chr(ord('a') + i)}", "text": text, "correct": correct}
                for i, (text, correct) in enumerate(self.options)
            ],
        }


MAX_OPTIONS = 12


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
        prefix = next((p for p in OPTION_PREFIXES if line.startswith(p) or line == p.strip()), None)
        if prefix is not None:
            if current is None:
                problems.append(QuizProblem(number, "option outside a question (start with '? ')"))
                continue
            text = line[len(prefix) :].strip()
            if not text:
                problems.append(QuizProblem(number, "an option needs text after the box"))
            current.options.append((text, OPTION_PREFIXES[prefix]))
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
                            "'- [ ] ' for options and '> ' for the explanation")
            )  # fmt: skip
    if not questions and not problems:
        problems.append(QuizProblem(first_line, "the quiz block has no questions"))
    for question in questions:
        if not question.options:
            problems.append(QuizProblem(question.line, "question without options"))
        elif len(question.options) < 2:
            problems.append(QuizProblem(question.line, "a question needs at least two options"))
        elif not any(correct for _, correct in question.options):
            problems.append(
                QuizProblem(question.line, "question without a correct option ('- [x]')")
            )
        elif len(question.options) > MAX_OPTIONS:
            problems.append(QuizProblem(question.line, f"more than {MAX_OPTIONS} options"))
    return [q.to_json(i + 1) for i, q in enumerate(questions)], problems
