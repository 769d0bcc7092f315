"""Public verification of CPD statements and certificates by code: no account needed."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from wired4ex.certification import services
from wired4ex.cpd import signatures, statements
from wired4ex.extensions import limiter
from wired4ex.records import person_name
from wired4ex.timeutil import local_today

verify_bp = Blueprint("verify", __name__)
verify_bp.add_app_template_filter(person_name, "person_name")


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
            signature=signatures.check(statement).state,
        )  # fmt: skip
    certificate = services.find_certificate(code)
    if certificate is not None:
        return render_template(
            "certification/verify.html", certificate=certificate,
            state=certificate.state_on(local_today()), code=statements.format_code(certificate.code),
        )  # fmt: skip
    return render_template("cpd/verify_not_found.html", code=code[:40]), 404
