"""Enrolment, reading modules, knowledge checks, completion, progress and the CPD ledger."""

from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")

from wired4ex.learning import views  # noqa: E402,F401  (routes attach to bp)
