"""Public verification of CPD statements and certificates by code: no account needed."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from wired4ex.certification import services
from wired4ex.cpd import statements
from wired4ex.extensions import limiter
from wired4ex.timeutil import local_today

verify_bp = Blueprint("verify", __name__)


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@verify_bp.get("/verify")
@limiter.limit(_limit)
def verify_form():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("verify.verify", code=code[:40]))
    return render_template("cpd/verify_form.html")


@verify_bp.get("/verify/<code>")
@limiter.limit(_limit)
def verify(code: str):
    statement = statements.find_by_code(code)
    if statement is not None:
        return render_template(
            "cpd/verify.html", statement=statement, snap=statement.snapshot,
            code=statements.format_code(statement.code),
        )  # fmt: skip
    certificate = services.find_certificate(code)
    if certificate is not None:
        return render_template(
            "certification/verify.html", certificate=certificate,
            state=certificate.state_on(local_today()), code=statements.format_code(certificate.code),
        )  # fmt: skip
    # Documents of packages further right (certificates of attendance) register a lookup.
    for lookup in current_app.extensions.get("wired4ex.verifiers", ()):
        page = lookup(code)
        if page is not None:
            return page
    return render_template("cpd/verify_not_found.html", code=code[:40]), 404
