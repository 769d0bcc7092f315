"""What a phone sends when it is back online: knowledge checks answered and modules marked done
while offline. The same rules as online apply (the signed answer sheet, the attempt it names and
its limits, scoring, the pass mark, the reading time, CPD points once), with the time the member
answered, as the phone recorded it, checked for sanity:

- not in the future (a phone's clock may run a few minutes fast: MAX_CLOCK_SKEW);
- not before the answer sheet was issued, the module version existed or the member enrolled;
- not older than MAX_AGE (answers kept longer are refused, not back-dated).

Each submission carries an id the phone made (a UUID): a replay with the same id changes nothing
and gets the first answer's result; another submission for an attempt already submitted is
refused. A forged answer sheet, or one issued to someone else, is refused.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from wired4ex.auth.models import User
from wired4ex.catalog.models import Module
from wired4ex.catalog.services import get_course
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.learning.common import _start_writing
from wired4ex.learning.completion import (
    _award_values,
    _complete,
    minutes_text,
    paired_modules,
)
from wired4ex.learning.models import QuizAttempt

MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(days=60)
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9-]{16,64}$")
PATH = re.compile(r"^/courses/([^/]+)/([^/]+)/([^/]+)/(quiz|complete)$")
NOT_ANSWERS = {"token", "csrf_token", "submit"}


class Refused(ValueError):
    """The submission is not counted; `status` is the HTTP status, the message says why."""

    def __init__(self, message, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass
class Outcome:
    status: str  # "recorded" or "replayed"
    message: str
    details: dict = field(default_factory=dict)


def _time(value) -> datetime | None:
    """A time the phone sent: milliseconds since 1970 (JavaScript's Date.now())."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _answered_at(value, now: datetime, *not_before: datetime | None) -> datetime:
    at = _time(value)
    if at is None:
        raise Refused(_l("The time of answering is missing."), 400)
    if at > now + MAX_CLOCK_SKEW:
        raise Refused(_l("The time of answering is in the future; check the phone's clock."), 400)
    if at < now - MAX_AGE:
        raise Refused(_l("These answers were kept on the phone for too long to be counted."))
    for earliest in not_before:
        if earliest is not None and at < earliest - MAX_CLOCK_SKEW:
            raise Refused(_l("The time of answering is before the page was saved."), 400)
    return min(at, now)


def _module_from_path(path) -> tuple:
    match = PATH.match(path if isinstance(path, str) else "")
    if match is None:
        raise Refused(_l("This submission does not name a module."), 400)
    institution, course_slug, key, action = match.groups()
    course = get_course(institution, course_slug)
    if course is None or course.status != "published":
        raise Refused(_l("This course is no longer available."), 404)
    module = next((m for m in course.active_modules if m.key == key), None)
    if module is None or module.current_version is None:
        raise Refused(_l("This module is no longer available."), 404)
    return course, module, action


def _enrolled(user: User, course) -> object:
    enrolment = learning.get_enrolment(user.id, course.id)
    if enrolment is None or enrolment.status != "active":
        raise Refused(_l("You are not enrolled in this course."), 403)
    return enrolment


def _answers(fields) -> dict[str, list[str]]:
    """The answers of the form the member filled: question id -> values."""
    answers: dict[str, list[str]] = {}
    for item in fields if isinstance(fields, list) else []:
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        ):
            raise Refused(_l("The answers are not readable."), 400)
        name, value = item
        if name not in NOT_ANSWERS:
            answers.setdefault(name, []).append(value)
    return answers


def _token(fields) -> str:
    for item in fields if isinstance(fields, list) else []:
        if isinstance(item, list) and len(item) == 2 and item[0] == "token":
            return str(item[1])
    return ""


def apply(user: User, payload: dict, now: datetime | None = None) -> Outcome:
    """Count one submission from the phone; commits. Raises Refused."""
    now = now or utcnow()
    if not isinstance(payload, dict):
        raise Refused(_l("The submission is not readable."), 400)
    submission_id = payload.get("id")
    if not isinstance(submission_id, str) or not SUBMISSION_ID.match(submission_id):
        raise Refused(_l("The submission has no valid id."), 400)
    course, module, action = _module_from_path(payload.get("path"))
    if action == "quiz":
        return _quiz(user, course, module, payload, submission_id, now)
    return _done(user, course, module, payload, now)


def _quiz(user, course, module: Module, payload, submission_id: str, now) -> Outcome:
    sheet = learning.read_answer_sheet(_token(payload.get("fields")))
    if sheet is None or sheet.user_id != user.id or sheet.module_id != module.id:
        raise Refused(_l("This answer sheet is not valid."), 400)
    attempt = learning.find_attempt_by_nonce(sheet.nonce)
    if attempt is None or attempt.user_id != user.id or attempt.module_id != module.id:
        raise Refused(_l("This answer sheet is not valid."), 400)
    enrolment = _enrolled(user, course)
    if attempt.submitted:
        if attempt.submission_id == submission_id:
            return Outcome("replayed", str(_l("These answers were already counted.")),
                           {"score": attempt.score, "passed": attempt.passed})  # fmt: skip
        raise Refused(_l("This knowledge check was already answered; these answers are not "
                         "counted."))  # fmt: skip
    if attempt.module_version_id != sheet.version_id:
        raise Refused(_l("The knowledge check changed after this page was saved; answer it "
                         "again online."))  # fmt: skip
    at = _answered_at(payload.get("at"), now, attempt.started_at, enrolment.enrolled_at)
    answers = _answers(payload.get("fields"))
    version = attempt.module_version
    try:
        outcome = learning.submit_attempt(user, module, version, answers, sheet.nonce, at=at,
                                          offline={"submission_id": submission_id,
                                                   "received_at": now})  # fmt: skip
    except learning.LearningError as error:
        db.session.rollback()
        raise Refused(str(error), 400) from error
    if outcome.replayed:  # submitted by a parallel request in between
        return _quiz_replay(outcome, submission_id)
    if outcome.passed:
        message = _l("You passed with %(score)d%%.", score=outcome.score)
    else:
        message = _l("You scored %(score)d%%; the pass mark is %(mark)d%%.",
                     score=outcome.score, mark=version.pass_mark)  # fmt: skip
    return Outcome("recorded", str(message), {"score": outcome.score, "passed": outcome.passed,
                                              "completed": outcome.newly_completed})  # fmt: skip


def _quiz_replay(outcome, submission_id: str) -> Outcome:
    attempt = db.session.get(QuizAttempt, outcome.attempt_id)
    if attempt.submission_id != submission_id:
        raise Refused(_l("This knowledge check was already answered; these answers are not "
                         "counted."))  # fmt: skip
    return Outcome("replayed", str(_l("These answers were already counted.")),
                   {"score": attempt.score, "passed": attempt.passed})  # fmt: skip


def _done(user, course, module: Module, payload, now) -> Outcome:
    enrolment = _enrolled(user, course)
    version = module.current_version
    if version.quiz:
        raise Refused(_l("This module is completed by passing its knowledge check."), 400)
    if learning.get_completion(user.id, module.id) is not None:
        return Outcome("replayed", str(_l("This module was already complete.")))
    done_at = _answered_at(payload.get("at"), now, version.created_at, enrolment.enrolled_at)
    opened = payload.get("opened")
    opened_at = None
    if opened is not None:
        opened_at = _answered_at(opened, now, version.created_at, enrolment.enrolled_at)
        if opened_at > done_at:
            raise Refused(_l("The module was marked done before it was opened."), 400)
    server_first = learning.first_opened_at(user.id, module.id)
    starts = [t for t in (server_first, opened_at) if t is not None]
    if not starts:
        raise Refused(_l("Open the module before marking it done."))
    left = version.min_read_seconds - (done_at - min(starts)).total_seconds()
    if left > 0:
        raise Refused(_l("Read the module a little longer: you can mark it done in %(minutes)s.",
                         minutes=minutes_text(int(left) + 1)))  # fmt: skip
    if server_first is None:
        learning.record_visit(user.id, enrolment.id, module.id, at=opened_at)
    user_id, module_id, version_id = user.id, module.id, version.id
    award, pairs = _award_values(module, version), paired_modules(module)
    _start_writing()
    completed = _complete(user_id, module_id, version_id, "marked_done", None, done_at, award,
                          pairs)  # fmt: skip
    db.session.commit()
    if not completed:
        return Outcome("replayed", str(_l("This module was already complete.")))
    return Outcome("recorded", str(_l("Module complete: CPD points added to your record.")),
                   {"completed": True})  # fmt: skip
