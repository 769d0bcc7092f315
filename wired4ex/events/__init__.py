"""Events: conferences and workshops, their sessions, rotating attendance codes, check-in on a
phone (points into the CPD ledger at once), attendance lists and certificates of attendance."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")

from wired4ex.events import checkin_views, views  # noqa: E402,F401  (routes attach to bp)
