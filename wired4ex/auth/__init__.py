"""Accounts, roles, login and logout, password reset, profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from wired4ex.auth import views  # noqa: E402,F401  (routes attach to bp)
