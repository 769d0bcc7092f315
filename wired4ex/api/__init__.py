"""JSON API v1 with its OpenAPI document and personal access tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from wired4ex.api import attempt_views, claim_views, notification_views, views  # noqa: E402,F401  (routes attach to bp)
