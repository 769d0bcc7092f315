"""CPD: the policy, ledger arithmetic, external activity claims with evidence, verification,
audit samples and adjustments."""

from flask import Blueprint

bp = Blueprint("cpd", __name__, template_folder="templates", url_prefix="/cpd")

from wired4ex.cpd import (  # noqa: E402,F401  (routes attach to bp)
    audit_views,
    claim_views,
    member_views,
    review_views,
    statement_views,
    views,
)
