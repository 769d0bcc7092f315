"""Faculty authoring in the browser: drafts, preview, review, publish, history, import/export."""

from flask import Blueprint

bp = Blueprint("authoring", __name__, template_folder="templates", url_prefix="/authoring")

from wired4ex.authoring import (  # noqa: E402,F401  (routes attach to bp)
    draft_views,
    review_views,
    views,
)
