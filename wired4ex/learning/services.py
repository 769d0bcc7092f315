"""Learning use cases: enrol, read, answer knowledge checks, complete, and see progress.

Completion is immediate and exact: the completion, its one CPD ledger entry and the course
completion are written in the same transaction, and a unique constraint with an insert that
ignores conflicts makes parallel requests give one completion and one entry.

Language editions: a module and the module with the same id in the course's other edition are a
pair. Completing one writes completions for both (the pair's with via "edition") and one ledger
entry, only when neither was complete before. The completions are inserted in module-id order, so
parallel requests for the two modules of a pair queue on the same row and only one of them wins.
"""

# The use cases live in one module per responsibility; this module keeps their names importable
# from `wired4ex.learning.services`, as the views, the API and the tests use them.
from wired4ex.learning.attempts import (  # noqa: F401
    ATTEMPT_SALT,
    Allowance,
    AnswerSheet,
    AttemptOutcome,
    AttemptReview,
    AttemptsUsedUp,
    QuestionResult,
    _sheet_serializer,
    attempt_allowance,
    find_attempt_by_nonce,
    get_attempt,
    grant_attempt,
    issue_answer_sheet,
    may_grant_attempts,
    new_attempt_nonce,
    open_attempt,
    read_answer_sheet,
    review_attempt,
    score_answers,
    shown_questions,
    submit_attempt,
    validate_answers,
)
from wired4ex.learning.common import (  # noqa: F401
    LearningError,
    _insert_ignoring_conflict,
    _start_writing,
)
from wired4ex.learning.completion import (  # noqa: F401
    PairedModule,
    _award_values,
    _complete,
    _complete_course_if_done,
    mark_done,
    minutes_text,
    paired_module,
    paired_modules,
    reading_time_left,
)
from wired4ex.learning.enrolment import (  # noqa: F401
    can_read_modules,
    completed_course_ids,
    enrol,
    enrolled_in_other_edition,
    first_opened_at,
    get_completion,
    get_enrolment,
    has_started,
    missing_prerequisites,
    record_visit,
    switch_edition,
    unenrol,
)
from wired4ex.learning.progress import (  # noqa: F401
    CourseProgress,
    Dashboard,
    ModuleState,
    _member_records,
    _progress,
    course_progress,
    dashboard,
    progress_from_records,
)
