"""The secretariat's verification queue and the decision on one claim."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import OWN_CASE_MESSAGE, OwnCaseError, admin_required
from wired4ex.cpd import bp, services
from wired4ex.cpd.claims import ALREADY_DECIDED, CLAIM_CHANGED
from wired4ex.cpd.errors import ClaimConflict
from wired4ex.cpd.forms import DecisionForm
from wired4ex.cpd.models import Claim
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db


@bp.get("/review")
@admin_required
def review_queue():
    return render_template(
        "cpd/review_queue.html", claims=services.pending_claims(), policy=policy_or_503()
    )


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
        flash(str(ALREADY_DECIDED), "error")
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


def _changed(found: Claim, form: DecisionForm, message):
    """409: the claim as it is now, with the form carrying its new version to decide again."""
    flash(str(message), "error")
    form.version.data = str(found.version)
    return _review_page(found, form, 409)


def _review_page(found: Claim, form: DecisionForm, status: int = 200):
    return render_template(
        "cpd/review.html",
        claim=found,
        form=form,
        policy=policy_or_503(),
        own_case=found.user_id == current_user.id,
    ), status
