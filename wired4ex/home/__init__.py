"""The member's home page, composed from the figures other packages own.

This package sits to the right of learning, cpd and certification (auth -> catalog -> learning ->
{cpd, certification} -> home): it calls their services and never computes their figures itself.
"""

from flask import Blueprint

bp = Blueprint("home", __name__, template_folder="templates")

from wired4ex.home import views  # noqa: E402,F401  (routes attach to bp)
