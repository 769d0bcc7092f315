"""The member's side: the membership card, applying, answering the secretariat, withdrawing."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import confirmed_required
from wired4ex.cpd import evidence
from wired4ex.extensions import db
from wired4ex.membership import bp
from wired4ex.membership.applications import (
    ApplicationError,
    answer_request,
    applications_of,
    membership_of,
    open_application,
    submit_application,
    withdraw_application,
)
from wired4ex.membership.forms import AnswerForm, WithdrawForm, application_form
from wired4ex.membership.models import MembershipApplication
from wired4ex.membership.policy import MembershipPolicyMissing, load_membership_policy
from wired4ex.membership.services import membership_status


def _policy_or_503():
    try:
        return load_membership_policy()
    except MembershipPolicyMissing:
        abort(503)


@bp.get("/")
@login_required
def mine():
    """The membership card: number, category, valid until, renewals; or the application."""
    _policy_or_503()
    membership = membership_of(current_user.id)
    applications = applications_of(current_user.id)
    waiting = next((a for a in applications if a.is_open), None)
    return render_template(
        "membership/mine.html",
        membership=membership,
        status=membership_status(current_user),
        applications=applications,
        waiting=waiting,
        answer_form=AnswerForm(),
        withdraw_form=WithdrawForm(),
    )


@bp.route("/apply", methods=["GET", "POST"])
@confirmed_required
def apply():
    policy = _policy_or_503()
    if open_application(current_user.id) is not None:
        flash(_("You already have an application in the queue."), "info")
        return redirect(url_for("membership.mine"))
    code = request.values.get("category", "")
    chosen = policy.categories.get(code)
    if chosen is None or not chosen.may_apply:
        return render_template(
            "membership/choose.html",
            categories=policy.open_categories(),
            granted=[c for c in policy.categories.values() if not c.may_apply],
            held=membership_of(current_user.id),
        )
    form = application_form(chosen)
    if form.validate_on_submit():
        answers = {field.code: getattr(form, field.code).data for field in chosen.fields
                   if field.type != "file"}  # fmt: skip
        upload = chosen.file_field and getattr(form, chosen.file_field.code).data
        try:
            submit_application(current_user, chosen.code, answers, upload or None)
        except ApplicationError as error:
            flash(str(error), "error")
            return _apply_page(form, chosen, 400)
        flash(_("Your application has been sent. The secretariat will tell you its decision."),
              "success")  # fmt: skip
        return redirect(url_for("membership.mine"))
    return _apply_page(form, chosen, 400 if request.method == "POST" else 200)


def _apply_page(form, chosen, status: int):
    hints = {field.code: field.help for field in chosen.fields if field.help}
    return render_template("membership/apply.html", form=form, category=chosen, hints=hints), status


def _own_application(application_id: int) -> MembershipApplication:
    found = db.get_or_404(MembershipApplication, application_id)
    if found.user_id != current_user.id:
        abort(404)
    return found


@bp.post("/applications/<int:application_id>/answer")
@confirmed_required
def answer(application_id: int):
    found = _own_application(application_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("membership.mine"))
    try:
        answer_request(found, current_user, form.answer.data, form.proof.data or None)
    except ApplicationError as error:
        flash(str(error), "error")
    else:
        flash(_("Your answer has been sent; the application is back with the secretariat."),
              "success")  # fmt: skip
    return redirect(url_for("membership.mine"))


@bp.post("/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    found = _own_application(application_id)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        withdraw_application(found, current_user)
    except ApplicationError as error:
        flash(str(error), "error")
    else:
        flash(_("The application has been withdrawn."), "info")
    return redirect(url_for("membership.mine"))


@bp.get("/applications/<int:application_id>/proof")
@login_required
def proof(application_id: int):
    """The proof file, for the applicant and the secretariat only, downloaded under our name."""
    found = db.get_or_404(MembershipApplication, application_id)
    if found.user_id != current_user.id and not current_user.is_admin:
        abort(404)
    if not found.proof_path or not evidence.path_of(found.proof_path).is_file():
        abort(404)
    name, content_type = evidence.download_as(found.proof_path, f"membership-{found.id}-proof")
    response = send_file(evidence.path_of(found.proof_path), mimetype=content_type,
                         as_attachment=True, download_name=name, max_age=0)  # fmt: skip
    response.headers["Cache-Control"] = "private, no-store"
    return response
