"""Knowledge checks: validate and score answers, store attempts, issue and read answer sheets."""

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex.auth.models import User
from wired4ex.catalog.models import Module, ModuleVersion
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.common import LearningError, _insert_ignoring_conflict, _start_writing
from wired4ex.learning.completion import _award_values, _complete, paired_modules
from wired4ex.learning.models import (
    QuizAttempt,
)

# -- knowledge checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    question: dict
    chosen: list[str]
    correct: bool


def score_answers(
    quiz: list[dict], answers: dict[str, list[str]]
) -> tuple[int, list[QuestionResult]]:
    """Score answers against a quiz: a question counts when exactly its right options are chosen."""
    results = []
    for question in quiz:
        right = {option["id"] for option in question["options"] if option["correct"]}
        chosen = list(answers.get(question["id"], []))
        results.append(QuestionResult(question, chosen, set(chosen) == right))
    score = (100 * sum(r.correct for r in results)) // len(results) if results else 0
    return score, results


def validate_answers(quiz: list[dict], answers: dict[str, list[str]]) -> None:
    """Refuse answers that name questions or options the quiz does not have, or skip questions."""
    questions = {question["id"]: question for question in quiz}
    if set(answers) - set(questions):
        raise LearningError(_l("The answers do not match this knowledge check. Reload the page."))
    for qid, question in questions.items():
        chosen = answers.get(qid) or []
        options = {option["id"] for option in question["options"]}
        if not chosen:
            raise LearningError(_l("Answer every question before you submit."))
        if set(chosen) - options or (not question["multiple"] and len(chosen) != 1):
            raise LearningError(
                _l("The answers do not match this knowledge check. Reload the page.")
            )


def new_attempt_nonce() -> str:
    return secrets.token_urlsafe(24)


def find_attempt_by_nonce(nonce: str) -> QuizAttempt | None:
    return db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.nonce == nonce))


@dataclass(frozen=True)
class AttemptOutcome:
    attempt_id: int
    score: int
    passed: bool
    newly_completed: bool
    replayed: bool = False


def submit_attempt(
    user: User,
    module: Module,
    version: ModuleVersion,
    answers: dict[str, list[str]],
    nonce: str,
    at: datetime | None = None,
) -> AttemptOutcome:
    """Store and score one attempt; a pass completes the module. Commits.

    The nonce comes from the form the member was shown: submitting the same form twice stores one
    attempt and changes nothing the second time.
    """
    if version.module_id != module.id or not version.quiz:
        raise LearningError(_l("This module has no such knowledge check."))
    validate_answers(version.quiz, answers)
    score, _ = score_answers(version.quiz, answers)
    passed = score >= version.pass_mark
    at = at or utcnow()
    user_id, module_id, version_id = user.id, module.id, version.id
    award = _award_values(module, version) if passed else None
    pairs = paired_modules(module) if passed else []
    _start_writing()
    attempt_id = _insert_ignoring_conflict(
        QuizAttempt,
        dict(
            user_id=user_id,
            module_id=module_id,
            module_version_id=version_id,
            nonce=nonce,
            answers=answers,
            score=score,
            passed=passed,
            submitted_at=at,
        ),
        ["nonce"],
    )
    if attempt_id is None:
        db.session.rollback()
        previous = find_attempt_by_nonce(nonce)
        if previous is None or previous.user_id != user_id:
            raise LearningError(_l("This answer sheet is not valid. Reload the page."))
        return AttemptOutcome(previous.id, previous.score, previous.passed, False, replayed=True)
    completed = False
    if passed:
        completed = _complete(user_id, module_id, version_id, "quiz", attempt_id, at, award, pairs)
    db.session.commit()
    return AttemptOutcome(attempt_id, score, passed, completed)


def get_attempt(user_id: int, attempt_id: int, module_id: int) -> QuizAttempt | None:
    """The member's own attempt at this module, or None (never someone else's)."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id or attempt.module_id != module_id:
        return None
    return attempt


# -- answer-sheet tokens ------------------------------------------------------------------------

ATTEMPT_SALT = "wired4ex-quiz-attempt"


@dataclass(frozen=True)
class AnswerSheet:
    """What a knowledge-check form was issued for: who, which module version, its one-time nonce."""

    user_id: int
    module_id: int
    version_id: int
    nonce: str


def _sheet_serializer():
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=ATTEMPT_SALT)


def issue_answer_sheet(user_id: int, module_id: int, version_id: int) -> str:
    """A signed token for a new knowledge-check form."""
    return _sheet_serializer().dumps([user_id, module_id, version_id, new_attempt_nonce()])


def read_answer_sheet(token: str) -> AnswerSheet | None:
    """The answer sheet a token stands for, or None when it is forged or malformed."""
    from itsdangerous import BadSignature

    try:
        data = _sheet_serializer().loads(token or "")
    except BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 4
        or not all(isinstance(value, int) for value in data[:3])
        or not isinstance(data[3], str)
    ):
        return None
    return AnswerSheet(*data)
