"""Certification: programmes, the eligibility engine, applications, certificates, verification."""

from flask import Blueprint

bp = Blueprint("certification", __name__, template_folder="templates", url_prefix="/certification")

from wired4ex.certification import badge_views, views  # noqa: E402,F401  (routes attach to bp)
