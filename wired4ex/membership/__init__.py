"""Membership: categories granted by the secretariat, not declared. Applications and their
decisions, system-given numbers (HSM-YYYY-NNNNN), renewals and lapses, and the status every
page that counts (CPD targets, certification eligibility, statements, verification) reads."""

from flask import Blueprint

from wired4ex.membership import models  # noqa: F401  (tables in the metadata)

bp = Blueprint("membership", __name__, template_folder="templates", url_prefix="/membership")
admin_bp = Blueprint(
    "membership_admin", __name__, template_folder="templates", url_prefix="/admin/memberships"
)


@bp.app_context_processor
def _membership_texts() -> dict:
    from wired4ex.membership import texts

    return {
        "issued_membership": texts.issued_membership,
        "no_target_reason": texts.no_target_reason,
        "membership_today": texts.status_today,
    }


from wired4ex.membership import admin_views, views  # noqa: E402,F401  (routes attach to the bps)
