"""CPD use cases, gathered from their modules so callers can keep `from wired4ex.cpd import
services`: standing (ledger arithmetic), claims, adjustments, audit samples."""

from wired4ex.cpd.adjustments import MAX_ADJUSTMENT, adjust
from wired4ex.cpd.audits import draw_audit_sample, record_audit_outcome, sample_claims
from wired4ex.cpd.claim_info import NOT_WAITING, REPLY_CHANGED, answer_info_request, request_info
from wired4ex.cpd.claims import (
    ClaimInput,
    Decision,
    check_claim,
    decide_claim,
    frozen_message,
    get_own_claim,
    member_claims,
    pending_claims,
    pending_claims_query,
    save_claim,
    withdraw_claim,
)
from wired4ex.cpd.errors import (
    ClaimAlreadyDecided,
    ClaimChanged,
    ClaimConflict,
    ClaimFrozen,
    CpdError,
)
from wired4ex.cpd.standing import (
    ZERO,
    CategoryTotal,
    CpdSummary,
    cycles_with_activity,
    ledger_entries,
    member_summary,
    summarise,
)

__all__ = [
    "ClaimAlreadyDecided", "ClaimChanged", "ClaimConflict", "ClaimFrozen",
    "MAX_ADJUSTMENT", "ZERO", "CategoryTotal", "ClaimInput", "CpdError", "CpdSummary", "Decision",
    "NOT_WAITING", "REPLY_CHANGED", "adjust", "answer_info_request", "request_info", "check_claim", "cycles_with_activity", "decide_claim", "draw_audit_sample",
    "frozen_message",
    "get_own_claim", "ledger_entries", "member_claims", "member_summary", "pending_claims",
    "pending_claims_query",
    "record_audit_outcome", "sample_claims", "save_claim", "summarise", "withdraw_claim",
]  # fmt: skip
