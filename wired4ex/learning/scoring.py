"""Knowledge-check sheets and scores: draw and shuffle an attempt's questions, check and score its
answers, and build what the member may see afterwards under the module's review policy.

Plain functions over stored quiz data (catalog/quiz.py has the format); no database access.
"""

import random
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from wired4ex.catalog.quiz import (
    MAX_ANSWER_CHARS,
    is_right,
    question_type,
    right_answer_texts,
    to_number,
)
from wired4ex.learning.common import LearningError

_random = random.SystemRandom()


def make_layout(quiz: list[dict], draw: int | None, rng: random.Random = _random) -> list[dict]:
    """Draw `draw` questions (all when None), shuffle them and their options; pinned options keep
    their written place. The result is stored with the attempt."""
    count = len(quiz) if not draw or draw > len(quiz) else draw
    questions = rng.sample(quiz, count)
    layout = []
    for question in questions:
        options = question.get("options", [])
        loose = [o["id"] for o in options if not o.get("pinned")]
        rng.shuffle(loose)
        order = [o["id"] if o.get("pinned") else loose.pop() for o in options]
        layout.append({"id": question["id"], "options": order})
    return layout


def attempt_questions(quiz: list[dict], layout: list[dict] | None) -> list[dict]:
    """The questions of an attempt as shown: drawn ones in the attempt's order, options reordered.

    Attempts made before layouts existed (layout None) had every question in written order.
    """
    if layout is None:
        return list(quiz)
    by_id = {question["id"]: question for question in quiz}
    shown = []
    for item in layout:
        question = by_id.get(item.get("id"))
        if question is None:
            continue
        options = {option["id"]: option for option in question.get("options", [])}
        ordered = [options[oid] for oid in item.get("options", []) if oid in options]
        shown.append({**question, "options": ordered})
    return shown


def validate_answers(questions: list[dict], answers: dict[str, list[str]]) -> None:
    """Refuse answers for questions not in this attempt, unknown options, skipped questions and
    typed answers that are not what their question asks for (a number, true or false)."""
    by_id = {question["id"]: question for question in questions}
    if set(answers) - set(by_id):
        raise LearningError(
            _l("An answer names a question that is not part of this attempt. Reload the page.")
        )
    for number, question in enumerate(questions, start=1):
        given = [str(value) for value in answers.get(question["id"]) or [] if str(value).strip()]
        kind = question_type(question)
        if not given:
            raise LearningError(_l("Answer every question before you submit."))
        if kind == "choice":
            options = {option["id"] for option in question["options"]}
            if set(given) - options or (not question["multiple"] and len(given) != 1):
                raise LearningError(
                    _l("The answers do not match this knowledge check. Reload the page.")
                )
        elif len(given) != 1 or len(given[0]) > MAX_ANSWER_CHARS:
            raise LearningError(_l("Give one answer to question %(number)d.", number=number))
        elif kind == "truefalse" and given[0] not in ("true", "false"):
            raise LearningError(_l("Answer question %(number)d with true or false.", number=number))
        elif kind == "number" and to_number(given[0]) is None:
            raise LearningError(_l("Enter a number for question %(number)d.", number=number))


@dataclass(frozen=True)
class QuestionResult:
    question: dict
    chosen: list[str]
    correct: bool


def score_answers(
    quiz: list[dict], answers: dict[str, list[str]]
) -> tuple[int, list[QuestionResult]]:
    """Score answers against the questions of an attempt: percent right, rounded down."""
    results = []
    for question in quiz:
        chosen = [str(value) for value in answers.get(question["id"], [])]
        results.append(QuestionResult(question, chosen, is_right(question, chosen)))
    score = (100 * sum(r.correct for r in results)) // len(results) if results else 0
    return score, results


def reveals_answers(review: str, passed: bool) -> bool:
    """Whether an attempt's review shows right answers and explanations (module's `review`)."""
    if review == "always":
        return True
    if review == "never":
        return False
    return passed  # after-pass, the default


def review_items(results: list[QuestionResult], reveal: bool) -> list[dict]:
    """What the member may see of each question of an attempt.

    Without reveal: the question, its type and whether it was answered right; nothing else (not
    the member's own choices, which with two options would give the right one away). With reveal:
    the options marked chosen and right, the typed answer, the right answer and the explanation.
    """
    items = []
    for result in results:
        question = result.question
        item = {
            "id": question["id"],
            "type": question_type(question),
            "text": question["text"],
            "correct": result.correct,
        }
        if reveal:
            kind = item["type"]
            item["options"] = [
                {
                    "id": option["id"],
                    "text": option["text"],
                    "chosen": option["id"] in result.chosen,
                    "right": option["correct"],
                }
                for option in question.get("options", [])
            ]
            item["your_answer"] = None if kind == "choice" else (result.chosen or [""])[0]
            item["right_answers"] = [] if kind == "choice" else right_answer_texts(question)
            item["explanation"] = question.get("explanation") or ""
        items.append(item)
    return items
