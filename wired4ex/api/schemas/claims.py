"""OpenAPI schemas of the caller's CPD claims (api/claim_views.py)."""

from wired4ex.api.schemas.components import (
    DAY,
    INTEGER,
    LINK,
    MOMENT,
    POINTS,
    STRING,
    _page,
    nullable,
    obj,
    ref,
)
from wired4ex.cpd.models import CLAIM_STATUSES

CLAIM_STATUS = {
    "type": "string",
    "enum": list(CLAIM_STATUSES),
    "description": "`info_requested`: the secretariat asked a question (see `open_question`); "
    "the claim waits for the member's answer, given on the claim's page.",
}

CLAIM_SCHEMAS = {
    "ClaimQuestion": obj(
        {
            "round": {**INTEGER, "description": "1, 2, ... per claim."},
            "question": STRING,
            "asked_at": MOMENT,
        },
        "The secretariat's question the member has not answered yet.",
    ),
    "Claim": obj(
        {
            "id": INTEGER,
            "title": STRING,
            "provider": STRING,
            "category": {**STRING, "description": "A CPD category code of the policy."},
            "start_date": DAY,
            "end_date": DAY,
            "hours": {"type": "number"},
            "points_claimed": POINTS,
            "points_approved": nullable(POINTS),
            "status": CLAIM_STATUS,
            "decision_reason": nullable(STRING),
            "submitted_at": nullable(MOMENT),
            "decided_at": nullable(MOMENT),
            "open_question": nullable(ref("ClaimQuestion")),
            "version": {**INTEGER, "description": "Raised by every change of the claim."},
            "links": obj({"self": LINK, "html": LINK}),
        }
    ),
}
CLAIM_SCHEMAS["ClaimList"] = _page(ref("Claim"))
