"""Events: conferences and workshops, their sessions, rotating attendance codes, check-in on a
phone (points into the CPD ledger at once), attendance lists and certificates of attendance."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")

from wired4ex.events import after_views, checkin_views, views  # noqa: E402,F401  (routes)


@bp.record_once
def _register_verifier(state) -> None:
    """/verify (certification) asks the packages that issue documents to look a code up."""
    state.app.extensions.setdefault("wired4ex.verifiers", []).append(after_views.verify_page)
