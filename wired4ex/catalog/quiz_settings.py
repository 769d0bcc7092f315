"""A module's knowledge-check settings in its front matter: review, draw, attempts, retry_after,
and min_read_minutes for modules without a check. Checked here, with the file line of each key."""

import re
from collections.abc import Callable
from dataclasses import dataclass

REVIEW_POLICIES = ("after-pass", "never", "always")
QUIZ_SETTING_KEYS = {"review", "draw", "attempts", "retry_after", "min_read_minutes"}
DURATION = re.compile(r"^(\d{1,4})\s*([mhd])$")
UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
MAX_ATTEMPTS = 100
MAX_RETRY_MINUTES = 365 * 24 * 60
MAX_READ_MINUTES = 600
DEFAULT_READ_CAP_SECONDS = 5 * 60


@dataclass
class QuizSettings:
    review: str = "after-pass"
    draw: int | None = None  # questions drawn per attempt; None: all of them
    attempts: int | None = None  # attempts allowed; None: no limit
    retry_after_minutes: int | None = None  # after the limit, one more attempt after this wait
    min_read_seconds: int = 0  # modules without a check: time from first opening to "done"


def duration_minutes(text) -> int | None:
    """Minutes in `30m`, `12h` or `2d`, or None when it is not such a duration."""
    match = DURATION.match(str(text).strip().lower()) if isinstance(text, str) else None
    return int(match[1]) * UNIT_MINUTES[match[2]] if match else None


def default_read_seconds(minutes: int) -> int:
    """A quarter of the module's learning time, at most 5 minutes."""
    return min(DEFAULT_READ_CAP_SECONDS, minutes * 60 // 4)


def _whole(value, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def read_quiz_settings(
    data: dict,
    line_of: Callable[[str], int],
    minutes: int,
    question_count: int,
    report: Callable[[int, str], None],
    warn: Callable[[int, str], None],
) -> QuizSettings:
    """The settings in a module's front matter; every problem goes to report (or warn)."""
    settings = QuizSettings(min_read_seconds=0 if question_count else default_read_seconds(minutes))
    review = data.get("review", "after-pass")
    if review not in REVIEW_POLICIES:
        report(line_of("review"), f"unknown review {review!r} (use one of: "
               f"{', '.join(REVIEW_POLICIES)})")  # fmt: skip
    else:
        settings.review = review
    for key in ("draw", "attempts", "retry_after") if not question_count else ():
        if key in data:
            report(line_of(key), f"{key} needs a ```quiz block in the module")
    if "min_read_minutes" in data:
        read = data["min_read_minutes"]
        if question_count:
            report(line_of("min_read_minutes"),
                   "min_read_minutes is for modules without a knowledge check")  # fmt: skip
        elif (
            isinstance(read, bool)
            or not isinstance(read, int | float)
            or not (0 <= read <= MAX_READ_MINUTES)
        ):
            report(line_of("min_read_minutes"),
                   f"min_read_minutes must be a number of minutes, 0 to {MAX_READ_MINUTES}")  # fmt: skip
        else:
            settings.min_read_seconds = round(read * 60)
    if not question_count:
        return settings
    if "draw" in data:
        draw = _whole(data["draw"], 1, 1000)
        if draw is None:
            report(line_of("draw"), "draw must be a whole number of questions, at least 1")
        elif draw > question_count:
            report(line_of("draw"), f"draw: {draw} is more than the {question_count} "
                   "questions in the quiz")  # fmt: skip
        else:
            settings.draw = draw
            if question_count < 2 * draw:
                warn(line_of("draw"), f"a pool of {question_count} questions for draw: {draw} "
                     "gives attempts much alike; write at least twice as many questions")  # fmt: skip
    if "attempts" in data:
        attempts = _whole(data["attempts"], 1, MAX_ATTEMPTS)
        if attempts is None:
            report(line_of("attempts"), f"attempts must be a whole number, 1 to {MAX_ATTEMPTS}")
        settings.attempts = attempts
    if "retry_after" in data:
        wait = duration_minutes(data["retry_after"])
        if wait is None or not 1 <= wait <= MAX_RETRY_MINUTES:
            report(line_of("retry_after"),
                   "retry_after must be a wait such as 30m, 12h or 2d (at most 365d)")  # fmt: skip
        elif "attempts" not in data:
            report(line_of("retry_after"), "retry_after needs attempts (the limit it follows)")
        else:
            settings.retry_after_minutes = wait
    return settings
