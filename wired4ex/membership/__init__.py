"""Membership: categories granted by the secretariat, not declared. Applications and their
decisions, system-given numbers (HSM-YYYY-NNNNN), renewals and lapses, and the status every
page that counts (CPD targets, certification eligibility, statements, verification) reads."""

from flask import Blueprint

from wired4ex.membership import models  # noqa: F401  (tables in the metadata)

bp = Blueprint("membership", __name__, template_folder="templates", url_prefix="/membership")
