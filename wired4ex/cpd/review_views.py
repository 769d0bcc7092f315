"""The secretariat's verification queue and the decision on one claim."""

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import OWN_CASE_MESSAGE, OwnCaseError, admin_required
from wired4ex.cpd import bp, evidence, evidence_preview, services
from wired4ex.cpd.claims import CLAIM_CHANGED, not_submitted_message
from wired4ex.cpd.errors import ClaimConflict
from wired4ex.cpd.forms import DecisionForm, InfoRequestForm, QueueFilterForm
from wired4ex.cpd.models import Claim
from wired4ex.cpd.views import policy_or_503
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

QUEUE_PAGE = 50


@bp.get("/review")
@admin_required
def review_queue():
    """Submitted claims, oldest first, with how long each has waited; filters by CPD category
    and waiting time (a value that is not one of the choices is ignored, and said)."""
    policy = policy_or_503()
    form = QueueFilterForm(request.args)
    form.category.choices = [("", _("Any category")), *((code, policy.category_name(code))
                                                         for code in policy.categories)]  # fmt: skip
    form.validate()
    ignored = [field.label.text for field in (form.category, form.age) if field.errors]
    category = None if form.category.errors else form.category.data or None
    days = None if form.age.errors or not form.age.data else int(form.age.data)
    now = utcnow()
    # ?on=member: the claims waiting on their members' answers (not the secretariat's work).
    on_member = request.args.get("on") == "member"
    status = "info_requested" if on_member else "submitted"
    query = services.pending_claims_query(
        category, now - timedelta(days=days) if days else None, status
    )
    page = db.paginate(query, per_page=QUEUE_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k in ("category", "age", "on") and v}
    other = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Claim)
        .where(Claim.status == ("submitted" if on_member else "info_requested"))
    )
    return render_template(
        "cpd/review_queue.html", page=page, policy=policy, form=form, now=now, args=args,
        ignored=ignored, filtered=bool(category or days), waiting_days=waiting_days,
        on_member=on_member, other=other,
    )  # fmt: skip


def waiting_days(claim: Claim, now) -> int:
    """Whole days since the claim was submitted (or created, for older rows)."""
    since = claim.submitted_at or claim.created_at
    if since.tzinfo is None:
        since = since.replace(tzinfo=now.tzinfo)
    return max((now - since).days, 0)


def _evidence_path_or_404(claim_id: int):
    found = db.session.get(Claim, claim_id)
    if found is None or not found.evidence_stored_as:
        abort(404)
    path = evidence.path_of(found.evidence_stored_as)
    if not path.is_file():
        abort(404)
    return found, path


def _sandboxed(response, policy: str = evidence_preview.SANDBOX_POLICY):
    """Evidence shown to the reviewer: inline, but fenced in, never cached, never sniffed."""
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/review/<int:claim_id>/evidence")
@admin_required
def review_evidence(claim_id: int):
    """The evidence file as it is, inline for the reviewer (a PDF opens in the browser's viewer),
    sandboxed; its type comes from its content, never from the member's file name."""
    found, path = _evidence_path_or_404(claim_id)
    name, content_type = evidence.download_as(
        found.evidence_stored_as, f"claim-{found.id}-evidence"
    )
    response = send_file(path, mimetype=content_type, as_attachment=False, download_name=name,
                         max_age=0)  # fmt: skip
    if content_type == "application/octet-stream":  # not one of ours: never shown inline
        response.headers["Content-Disposition"] = f"attachment; filename={name}"
    if content_type == "application/pdf":
        return _sandboxed(response, evidence_preview.PDF_POLICY)
    return _sandboxed(response)


@bp.get("/review/<int:claim_id>/evidence/page-<int:number>.png")
@admin_required
def review_evidence_page(claim_id: int, number: int):
    """Page `number` of PDF evidence drawn as a PNG image, for the preview on the review page."""
    found, path = _evidence_path_or_404(claim_id)
    if evidence.detect_type(path.read_bytes()[:16]) != ("application/pdf", ".pdf"):
        abort(404)
    try:
        image = evidence_preview.render_page(path, number)
    except evidence_preview.PreviewError:
        abort(404)
    response = Response(image, mimetype="image/png")
    response.headers["Content-Disposition"] = f"inline; filename=claim-{found.id}-page-{number}.png"
    return _sandboxed(response)


def evidence_view(found: Claim) -> dict:
    """What the review page shows of the evidence: its kind, and for a PDF how many pages are
    drawn in the page (and how many it has)."""
    if not found.evidence_stored_as:
        return {"kind": None}
    path = evidence.path_of(found.evidence_stored_as)
    if not path.is_file():
        return {"kind": "missing"}
    kind = evidence.detect_type(path.read_bytes()[:16])
    if kind is None:
        return {"kind": "unknown"}
    if kind[0].startswith("image/"):
        return {"kind": "image", "size": evidence_preview.image_size(path)}
    try:
        total, sizes = evidence_preview.preview_pages(path)
    except evidence_preview.PreviewError:
        return {"kind": "unreadable"}
    return {"kind": "pdf", "pages": len(sizes), "total": total, "sizes": sizes}


@bp.route("/review/<int:claim_id>", methods=["GET", "POST"])
@admin_required
def review(claim_id: int):
    found = db.session.get(Claim, claim_id)
    if found is None:
        abort(404)
    form = DecisionForm()
    if request.method == "GET":
        form.points_approved.data = found.points_claimed
        form.version.data = str(found.version)
        return _review_page(found, form)
    if found.user_id == current_user.id:
        flash(str(OWN_CASE_MESSAGE), "error")
        return _review_page(found, form, 403)
    if found.status != "submitted":
        flash(str(not_submitted_message(found.status)), "error")
        return _review_page(found, form, 409)
    if not form.validate_on_submit():
        return _review_page(found, form, 400)
    seen = form.version.data or ""
    if not seen.isdigit() or int(seen) != found.version:
        return _changed(found, form, CLAIM_CHANGED)
    decision = services.Decision(
        approve=form.decision.data == "approve",
        points=form.points_approved.data,
        reason=form.reason.data or "",
    )
    try:
        services.decide_claim(found, current_user, decision, seen_version=int(seen))
    except OwnCaseError as error:
        flash(str(error), "error")
        return _review_page(found, form, 403)
    except ClaimConflict as error:
        return _changed(db.session.get(Claim, claim_id), form, error)
    except services.CpdError as error:
        flash(str(error), "error")
        return _review_page(db.session.get(Claim, claim_id), form, 400)
    flash(_("Decision recorded and the member notified."), "success")
    return redirect(url_for("cpd.review_queue"))


@bp.post("/review/<int:claim_id>/ask")
@admin_required
def ask_member(claim_id: int):
    """Ask the member for more information: the claim waits on them until they answer."""
    found = db.session.get(Claim, claim_id)
    if found is None:
        abort(404)
    ask = InfoRequestForm()
    form = DecisionForm(formdata=None, version=str(found.version))
    form.points_approved.data = found.points_claimed
    if found.user_id == current_user.id:
        flash(str(OWN_CASE_MESSAGE), "error")
        return _review_page(found, form, 403, ask)
    if found.status != "submitted":
        flash(str(not_submitted_message(found.status)), "error")
        return _review_page(found, form, 409, ask)
    if not ask.validate_on_submit():
        return _review_page(found, form, 400, ask)
    seen = ask.version.data or ""
    if not seen.isdigit() or int(seen) != found.version:
        return _changed(found, form, CLAIM_CHANGED, ask)
    try:
        services.request_info(found, current_user, ask.question.data, seen_version=int(seen))
    except OwnCaseError as error:
        flash(str(error), "error")
        return _review_page(found, form, 403, ask)
    except ClaimConflict as error:
        return _changed(db.session.get(Claim, claim_id), form, error, ask)
    except services.CpdError as error:
        ask.question.errors = [*ask.question.errors, str(error)]
        return _review_page(db.session.get(Claim, claim_id), form, 400, ask)
    flash(_("Your question has been sent to the member. The claim comes back to the queue "
            "when they answer."), "success")  # fmt: skip
    return redirect(url_for("cpd.review_queue"))


def _changed(found: Claim, form: DecisionForm, message, ask: InfoRequestForm | None = None):
    """409: the claim as it is now, with the forms carrying its new version (what was typed
    stays in them) to decide or ask again."""
    flash(str(message), "error")
    form.version.data = str(found.version)
    if ask is not None:
        ask.version.data = str(found.version)
    return _review_page(found, form, 409, ask)


def _review_page(
    found: Claim, form: DecisionForm, status: int = 200, ask: InfoRequestForm | None = None
):
    if ask is None:
        ask = InfoRequestForm(formdata=None, version=str(found.version))
    return render_template(
        "cpd/review.html",
        claim=found,
        form=form,
        ask=ask,
        policy=policy_or_503(),
        own_case=found.user_id == current_user.id,
        evidence=evidence_view(found),
        waited=waiting_days(found, utcnow()),
    ), status
