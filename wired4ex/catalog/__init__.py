"""Institutions, courses, modules, the competency framework, and the content loader."""

from flask import Blueprint

bp = Blueprint("catalog", __name__, template_folder="templates")

from wired4ex.catalog import pages, views  # noqa: E402,F401  (routes attach to bp)
