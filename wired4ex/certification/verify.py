"""Public verification of CPD statements and certificates by code: no account needed."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from wired4ex.certification import services
from wired4ex.certification.forms import VerifyDocumentForm
from wired4ex.cpd import signatures, statements
from wired4ex.cpd.verifiable import format_code
from wired4ex.errors import render_error
from wired4ex.extensions import limiter
from wired4ex.membership.services import membership_status
from wired4ex.records import person_name
from wired4ex.signing import SigningKeyMissing
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
    return render_template("cpd/verify_form.html", upload=VerifyDocumentForm())


MAX_UPLOAD = 5 * 1024 * 1024


@verify_bp.post("/verify/document")
@limiter.limit(_limit)
def verify_document():
    """Check the signed snapshot a CPD statement PDF carries, without an account."""
    form = VerifyDocumentForm()
    upload = form.document.data if form.validate_on_submit() else None
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not data:
        form.document.errors = [_("Choose the PDF file of a CPD statement.")]
    elif len(data) > MAX_UPLOAD or not data.startswith(b"%PDF"):
        form.document.errors = [_("That file is not a PDF of at most 5 MB.")]
    if form.document.errors:
        return render_template("cpd/verify_form.html", upload=form), 400
    tokens = signatures.embedded_tokens(data)
    try:
        found = signatures.check_token(tokens[0]) if tokens else signatures.Check("missing")
    except SigningKeyMissing:
        return render_error(503)
    statement = None
    if found.state == "signed":
        statement = statements.find_by_code(found.payload["code"])
    return render_template("certification/verify_document.html", found=found,
                           statement=statement, filename=upload.filename or "")  # fmt: skip


@verify_bp.get("/verify/<code>")
@limiter.limit(_limit)
def verify(code: str):
    statement = statements.find_by_code(code)
    if statement is not None:
        return render_template(
            "cpd/verify.html", statement=statement, snap=statement.snapshot,
            code=format_code(statement.code),
            signature=signatures.check(statement).state,
            holder_status=membership_status(statement.user_id),
        )  # fmt: skip
    certificate = services.find_certificate(code)
    if certificate is not None:
        return render_template(
            "certification/verify.html", certificate=certificate,
            state=certificate.state_on(local_today()), code=format_code(certificate.code),
            holder_status=membership_status(certificate.user_id),
        )  # fmt: skip
    # Documents of packages further right (certificates of attendance) register a lookup.
    for lookup in current_app.extensions.get("wired4ex.verifiers", ()):
        page = lookup(code)
        if page is not None:
            return page
    return render_template("cpd/verify_not_found.html", code=code[:40]), 404
