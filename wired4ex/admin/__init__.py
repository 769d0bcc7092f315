"""Secretariat administration: members, institutions, faculty, reports, exports, audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

from wired4ex.admin import attempt_views, headlines, report_views, views  # noqa: E402,F401  (routes attach to bp)
