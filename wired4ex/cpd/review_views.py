"""The secretariat's verification queue and the decision on one claim."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import admin_required
from wired4ex.cpd import bp, services
from wired4ex.cpd.forms import DecisionForm
from wired4ex.cpd.models import Claim
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.mail import send_mail


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
    if found.status == "submitted" and form.validate_on_submit():
        decision = services.Decision(
            approve=form.decision.data == "approve",
            points=form.points_approved.data,
            reason=form.reason.data or "",
        )
        try:
            decided = services.decide_claim(found, current_user, decision)
        except services.CpdError as error:
            flash(str(error), "error")
            status = 409 if "already been decided" in str(error) else 400
            found = db.session.get(Claim, claim_id)
            return render_template(
                "cpd/review.html", claim=found, form=form, policy=policy_or_503()
            ), status
        _notify_decision(decided)
        flash(_("Decision recorded and the member notified."), "success")
        return redirect(url_for("cpd.review_queue"))
    if request.method == "POST" and found.status != "submitted":
        flash(_("This claim has already been decided."), "error")
        return render_template(
            "cpd/review.html", claim=found, form=form, policy=policy_or_503()
        ), 409
    status = 400 if form.errors else 200
    return render_template(
        "cpd/review.html", claim=found, form=form, policy=policy_or_503()
    ), status


def _notify_decision(claim: Claim) -> None:
    """The decision mailed to the member in their own language, whoever decided it."""
    member = claim.member
    link = url_for("cpd.claim", claim_id=claim.id, _external=True)
    with force_locale(member.language):
        subject = (
            _("Your CPD claim has been approved")
            if claim.status == "approved"
            else _("Your CPD claim has been rejected")
        )
        send_mail(
            member.email,
            subject,
            render_template("cpd/email/decision.txt", claim=claim, member=member, link=link),
        )
