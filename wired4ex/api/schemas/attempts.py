"""OpenAPI schemas of the caller's knowledge-check attempts (api/attempt_views.py)."""

from wired4ex.api.schemas.components import (
    BOOLEAN,
    INTEGER,
    LINK,
    MOMENT,
    STRING,
    _page,
    array,
    nullable,
    obj,
    ref,
)

QUESTION_TYPE = {"type": "string", "enum": ["choice", "truefalse", "number", "text"]}

SUMMARY = {
    "id": INTEGER,
    "number": {**INTEGER, "description": "1, 2, ... per member and module."},
    "module": obj({"id": STRING, "course": STRING, "title": STRING}),
    "score": {**INTEGER, "description": "Percent answered right, rounded down."},
    "passed": BOOLEAN,
    "pass_mark": INTEGER,
    "submitted_at": MOMENT,
    "links": obj({"self": LINK}),
}
REVIEW_ITEM = obj(
    {
        "id": STRING,
        "type": QUESTION_TYPE,
        "text": STRING,
        "correct": BOOLEAN,
        "options": array(obj({"id": STRING, "text": STRING, "chosen": BOOLEAN, "right": BOOLEAN})),
        "your_answer": nullable(STRING),
        "right_answers": array(STRING),
        "explanation": STRING,
    },
    "One question of the attempt, in the order it was shown. Only `id`, `type`, `text` and "
    "`correct` are present unless the attempt's `answers_shown` is true (the module's review "
    "policy: `after-pass` shows answers once the attempt passed, `always` always, `never` "
    "never).",
)
REVIEW_ITEM["required"] = ["id", "type", "text", "correct"]  # the rest only when shown

ATTEMPT_SCHEMAS = {
    "AttemptSummary": obj(SUMMARY),
    "AttemptReviewItem": REVIEW_ITEM,
    "AttemptDetail": obj(
        {
            **SUMMARY,
            "review": {"type": "string", "enum": ["after-pass", "never", "always"]},
            "answers_shown": BOOLEAN,
            "questions": array(ref("AttemptReviewItem")),
        }
    ),
}
ATTEMPT_SCHEMAS["AttemptList"] = _page(ref("AttemptSummary"))
