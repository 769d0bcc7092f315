"""Knowledge-check attempts: open one (drawn and shuffled, within the attempt limit), submit it
once, grant one more, and read what the member may see of it.

Limits hold under parallel requests on SQLite and PostgreSQL: attempts are numbered per member and
module under a unique constraint, a new number is taken only when every earlier attempt is
submitted and the limit allows it, so racing requests that would open the same attempt collide and
all but one reuse the winner's. Submitting is one UPDATE that matches only an open attempt, so an
attempt is scored once whatever arrives twice.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex import audit
from wired4ex.auth.models import User
from wired4ex.catalog.models import Module, ModuleVersion
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning.common import LearningError, _insert_ignoring_conflict, _start_writing
from wired4ex.learning.completion import _award_values, _complete, paired_modules
from wired4ex.learning.models import AttemptGrant, QuizAttempt
from wired4ex.learning.scoring import (
    QuestionResult,
    attempt_questions,
    make_layout,
    reveals_answers,
    review_items,
    score_answers,
    validate_answers,
)

__all__ = ["QuestionResult", "score_answers", "validate_answers"]  # kept importable from here


class AttemptsUsedUp(LearningError):
    """No attempt is open to the member now; `allowance` says until when, or for good."""

    def __init__(self, message, allowance: "Allowance"):
        super().__init__(message)
        self.allowance = allowance


def new_attempt_nonce() -> str:
    return secrets.token_urlsafe(24)


def find_attempt_by_nonce(nonce: str) -> QuizAttempt | None:
    return db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.nonce == nonce))


# -- how many attempts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """A member's attempts at a module: used (submitted), the limit (None: no limit), whether a new
    one may start now, and when the next opens (None with no wait: ask the faculty)."""

    used: int
    limit: int | None
    allowed: bool
    opens_at: datetime | None = None
    latest_number: int = 0
    open_attempt_id: int | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


def attempt_allowance(
    user_id: int, module_id: int, version: ModuleVersion, at: datetime | None = None
) -> Allowance:
    """Whether the member may start an attempt at the module now, under its current version.

    The limit is the version's `attempts` plus attempts granted; after it, with `retry_after`,
    one more attempt opens that long after the last one.
    """
    at = at or utcnow()
    latest_number, rows, used, last_at = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.max(QuizAttempt.number), 0),
            sa.func.count(QuizAttempt.id),
            sa.func.count(QuizAttempt.submitted_at),
            sa.func.max(QuizAttempt.submitted_at),
        ).where(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id)
    ).one()  # one statement: a consistent view of the member's attempts
    open_id = None
    if rows > used:  # an attempt is open: it is the one to use, whatever the limit says
        open_id = db.session.scalar(
            sa.select(QuizAttempt.id).where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.module_id == module_id,
                QuizAttempt.submitted_at.is_(None),
            )
        )
        open_id = open_id or -1  # submitted since: the caller looks again
    if not version.attempts_allowed:
        return Allowance(used, None, True, None, latest_number, open_id)
    granted = db.session.scalar(
        sa.select(sa.func.count(AttemptGrant.id)).where(
            AttemptGrant.user_id == user_id, AttemptGrant.module_id == module_id
        )
    )
    return allowance_from(version, latest_number, used, last_at, open_id, granted, at)


def allowance_from(
    version: ModuleVersion,
    latest_number: int,
    used: int,
    last_at: datetime | None,
    open_id: int | None,
    granted: int,
    at: datetime | None = None,
) -> Allowance:
    """The allowance from the counts of the member's attempts and grants at a module."""
    at = at or utcnow()
    if not version.attempts_allowed:
        return Allowance(used, None, True, None, latest_number, open_id)
    limit = version.attempts_allowed + granted
    if used < limit:
        return Allowance(used, limit, True, None, latest_number, open_id)
    if version.retry_after_minutes and last_at is not None:
        opens_at = last_at + timedelta(minutes=version.retry_after_minutes)
        return Allowance(used, limit, at >= opens_at, opens_at, latest_number, open_id)
    return Allowance(used, limit, False, None, latest_number, open_id)


def _used_up(allowance: Allowance) -> AttemptsUsedUp:
    if allowance.opens_at is not None:
        message = _l("You have used your attempts at this knowledge check for now.")
    else:
        message = _l(
            "You have used all your attempts at this knowledge check. Contact the course's "
            "faculty if you need another one."
        )
    return AttemptsUsedUp(message, allowance)


# -- opening and submitting ----------------------------------------------------------------------


def _open_attempt_row(user_id: int, module_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        sa.select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.module_id == module_id,
            QuizAttempt.submitted_at.is_(None),
        )
    )


def open_attempt(
    user: User, module: Module, version: ModuleVersion | None = None, at: datetime | None = None
) -> QuizAttempt:
    """The member's open attempt at the module, or a new one (questions drawn and shuffled); commits.

    Raises AttemptsUsedUp when the limit is reached and no attempt is open.
    """
    version = version or module.current_version
    if version is None or version.module_id != module.id or not version.quiz:
        raise LearningError(_l("This module has no such knowledge check."))
    user_id, module_id, version_id = user.id, module.id, version.id
    # A new number is taken only when every earlier attempt is submitted (seen in one statement),
    # so attempt k + 1 exists only if k attempts were used and k was below the limit.
    for _round in range(5):  # a parallel request may take the number first: then reuse its attempt
        current = _open_attempt_row(user_id, module_id)
        if current is not None:
            if current.module_version_id != version_id:  # the quiz changed since it was opened
                _start_writing()
                db.session.execute(
                    sa.update(QuizAttempt)
                    .where(QuizAttempt.id == current.id, QuizAttempt.submitted_at.is_(None))
                    .values(module_version_id=version_id, layout=make_layout(
                        version.quiz, version.draw))
                )  # fmt: skip
                db.session.commit()
                db.session.refresh(current)
            return current
        allowance = attempt_allowance(user_id, module_id, version, at)
        if allowance.open_attempt_id is not None:
            continue  # opened by a parallel request since we looked: use that one
        if not allowance.allowed:
            raise _used_up(allowance)
        layout = make_layout(version.quiz, version.draw)
        _start_writing()
        attempt_id = _insert_ignoring_conflict(
            QuizAttempt,
            dict(
                user_id=user_id,
                module_id=module_id,
                module_version_id=version_id,
                number=allowance.latest_number + 1,
                nonce=new_attempt_nonce(),
                layout=layout,
                started_at=at or utcnow(),
            ),
            ["user_id", "module_id", "number"],
        )
        db.session.commit()
        if attempt_id is not None:
            return db.session.get(QuizAttempt, attempt_id)
    raise LearningError(_l("Too many attempts at once. Reload the page."))


@dataclass(frozen=True)
class AttemptOutcome:
    attempt_id: int
    score: int
    passed: bool
    newly_completed: bool
    replayed: bool = False


def _replayed(attempt: QuizAttempt) -> AttemptOutcome:
    return AttemptOutcome(attempt.id, attempt.score, attempt.passed, False, replayed=True)


def submit_attempt(
    user: User,
    module: Module,
    version: ModuleVersion,
    answers: dict[str, list[str]],
    nonce: str,
    at: datetime | None = None,
    offline: dict | None = None,
) -> AttemptOutcome:
    """Score the attempt the nonce names, once; a pass completes the module. Commits.

    The nonce comes from the form the member was shown: submitting the same form twice scores once
    and changes nothing the second time. A nonce no attempt has yet (callers without a form, such
    as the demo) submits the member's open attempt, opening one within the limit if needed.
    `offline` (submission_id, received_at) records answers given offline (wired4ex/offline), `at`
    then being when the member answered.
    """
    if version.module_id != module.id or not version.quiz:
        raise LearningError(_l("This module has no such knowledge check."))
    attempt = find_attempt_by_nonce(nonce)
    if attempt is None:
        attempt = open_attempt(user, module, version, at)
    if attempt.user_id != user.id or attempt.module_id != module.id:
        raise LearningError(_l("This answer sheet is not valid. Reload the page."))
    if attempt.submitted:
        return _replayed(attempt)
    attempt_version = attempt.module_version
    questions = attempt_questions(attempt_version.quiz, attempt.layout)
    answers = {qid: list(values) for qid, values in answers.items()}
    validate_answers(questions, answers)
    score, _results = score_answers(questions, answers)
    passed = score >= attempt_version.pass_mark
    at = at or utcnow()
    user_id, module_id, version_id, attempt_id = user.id, module.id, attempt_version.id, attempt.id
    award = _award_values(module, attempt_version) if passed else None
    pairs = paired_modules(module) if passed else []
    _start_writing()
    updated = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.submitted_at.is_(None))
        .values(answers=answers, score=score, passed=passed, submitted_at=at, **(offline or {}))
    ).rowcount
    if updated != 1:  # submitted by a parallel request: its result stands
        db.session.rollback()
        return _replayed(db.session.get(QuizAttempt, attempt_id))
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


def shown_questions(attempt: QuizAttempt) -> list[dict]:
    """The questions of an attempt in the order the member sees them."""
    return attempt_questions(attempt.module_version.quiz, attempt.layout)


@dataclass(frozen=True)
class AttemptReview:
    """What the member may see of a submitted attempt, under the module's review policy."""

    attempt: QuizAttempt
    reveal: bool
    items: list[dict]

    @property
    def wrong(self) -> int:
        return sum(1 for item in self.items if not item["correct"])


def review_attempt(attempt: QuizAttempt) -> AttemptReview:
    """The review of a submitted attempt: right answers and explanations only where the policy of
    the version answered allows (`review`: after-pass, never, always)."""
    version = attempt.module_version
    _score, results = score_answers(shown_questions(attempt), attempt.answers or {})
    reveal = reveals_answers(version.review, bool(attempt.passed))
    return AttemptReview(attempt, reveal, review_items(results, reveal))


# -- one more attempt ---------------------------------------------------------------------------


def may_grant_attempts(actor: User, module: Module) -> bool:
    """Admins, and faculty of the module's course's institution, may grant attempts."""
    if actor.is_admin:
        return True
    return actor.is_faculty and actor.institution_id == module.course.institution_id


def grant_attempt(actor: User, member: User, module: Module, at: datetime | None = None) -> None:
    """Give the member one more attempt at the module; audited; commits."""
    if not may_grant_attempts(actor, module):
        raise LearningError(_l("You cannot grant attempts in this course."))
    at = at or utcnow()
    grant = AttemptGrant(user_id=member.id, module_id=module.id, granted_by_id=actor.id,
                         granted_at=at)  # fmt: skip
    db.session.add(grant)
    db.session.flush()
    audit.record("quiz.attempt_granted", "module", module.id, actor_id=actor.id,
                 member_id=member.id, after={"grant_id": grant.id, "module": module.key}, at=at)  # fmt: skip
    db.session.commit()


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
    """One per application (making one is a good part of signing a sheet on every module page)."""
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    key = current_app.config["SECRET_KEY"]
    kept = current_app.extensions.get("wired4ex.answer_sheets")
    if kept is None or kept[0] != key:
        kept = (key, URLSafeSerializer(key, salt=ATTEMPT_SALT))
        current_app.extensions["wired4ex.answer_sheets"] = kept
    return kept[1]


def issue_answer_sheet(attempt: QuizAttempt) -> str:
    """A signed token for the form of an open attempt (its nonce is the attempt's)."""
    return _sheet_serializer().dumps(
        [attempt.user_id, attempt.module_id, attempt.module_version_id, attempt.nonce]
    )


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
