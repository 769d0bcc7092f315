"""The secretariat's side, at /admin/memberships: the queue of applications and their
decisions, direct grants (life, honorary, or anyone), and each membership's page (renewals,
change of category)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import OwnCaseError, admin_required
from wired4ex.auth.models import User
from wired4ex.auth.services import find_user_by_email
from wired4ex.extensions import db
from wired4ex.i18n import show_date
from wired4ex.membership import admin_bp as bp
from wired4ex.membership.applications import (
    ApplicationError,
    Approval,
    approve_application,
    change_category,
    membership_of,
    reject_application,
    request_information,
)
from wired4ex.membership.forms import (
    ApproveForm,
    CategoryForm,
    GrantForm,
    RejectForm,
    RenewalForm,
    RequestInfoForm,
)
from wired4ex.membership.models import Membership, MembershipApplication
from wired4ex.membership.policy import policy_or_503
from wired4ex.membership.queue import claimants_of, queue_query
from wired4ex.membership.services import (
    MembershipError,
    grant_membership,
    membership_status,
    record_renewal,
    renewal_problems,
)
from wired4ex.timeutil import local_today

PAGE_SIZE = 50


@bp.get("/")
@admin_required
def queue():
    policy_or_503()
    page = db.paginate(queue_query(), per_page=PAGE_SIZE, error_out=False)
    recent = db.session.scalars(
        sa.select(Membership).order_by(Membership.created_at.desc(), Membership.id.desc()).limit(10)
    ).all()
    return render_template("membership/admin/queue.html", page=page, recent=recent)


# -- one application ------------------------------------------------------------------------------


def _application_page(found: MembershipApplication, forms: dict | None = None, status=200):
    policy = policy_or_503()
    forms = forms or {}
    approve = forms.get("approve") or ApproveForm(data={"category": found.category})
    if not found.claimed_number and "keep_claimed_number" in approve:
        del approve.keep_claimed_number  # nothing to keep: no checkbox
    others = [c for c in claimants_of(found.claimed_number) if getattr(c, "id", None) != found.id
              or not isinstance(c, MembershipApplication)]  # fmt: skip
    return render_template(
        "membership/admin/application.html",
        application=found,
        category=policy.categories.get(found.category),
        held=membership_of(found.user_id),
        approve_form=approve,
        info_form=forms.get("info") or RequestInfoForm(),
        reject_form=forms.get("reject") or RejectForm(),
        others=others,
        own_case=found.user_id == current_user.id,
    ), status


@bp.get("/applications/<int:application_id>")
@admin_required
def application(application_id: int):
    return _application_page(db.get_or_404(MembershipApplication, application_id))


@bp.post("/applications/<int:application_id>/approve")
@admin_required
def approve(application_id: int):
    found = db.get_or_404(MembershipApplication, application_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _application_page(found, {"approve": form}, 400)
    decision = Approval(category=form.category.data, reason=form.reason.data,
                        keep_claimed_number=form.keep_claimed_number.data,
                        started_on=form.started_on.data)  # fmt: skip
    admin_id = current_user.id
    try:
        membership = approve_application(application_id, admin_id, decision)
    except OwnCaseError:
        raise
    except MembershipError as error:
        found = db.get_or_404(MembershipApplication, application_id)
        form.reason.errors.append(str(error))
        return _application_page(found, {"approve": form}, 400)
    found = db.session.get(MembershipApplication, application_id)
    flash(_("Approved: %(name)s is a member, number %(number)s. The applicant has been told.",
            name=found.user.full_name, number=membership.number), "success")  # fmt: skip
    return redirect(url_for("membership_admin.queue"))


def _decide(application_id: int, key: str, form, field, decide, done: str):
    """Ask for more information or reject: check the form, decide, tell the applicant."""
    found = db.get_or_404(MembershipApplication, application_id)
    if not form.validate_on_submit():
        return _application_page(found, {key: form}, 400)
    try:
        decide(found, current_user, field.data)
    except ApplicationError as error:
        field.errors.append(str(error))
        return _application_page(found, {key: form}, 400)
    flash(done, "success")
    return redirect(url_for("membership_admin.queue"))


@bp.post("/applications/<int:application_id>/request-information")
@admin_required
def request_info(application_id: int):
    form = RequestInfoForm()
    return _decide(application_id, "info", form, form.message, request_information,
                   _("The applicant has been asked for more information."))  # fmt: skip


@bp.post("/applications/<int:application_id>/reject")
@admin_required
def reject(application_id: int):
    form = RejectForm()
    return _decide(application_id, "reject", form, form.reason, reject_application,
                   _("The application has been rejected and the applicant told why."))  # fmt: skip


# -- direct grants --------------------------------------------------------------------------------


@bp.route("/grant", methods=["GET", "POST"])
@admin_required
def grant():
    policy_or_503()
    form = GrantForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        person = find_user_by_email(form.email.data)
        if person is None:
            form.email.errors.append(_("No account has this e-mail address."))
        else:
            try:
                if person.id == current_user.id:
                    raise OwnCaseError()
                membership = grant_membership(
                    person, form.category.data, by=current_user,
                    started_on=form.started_on.data, number=form.number.data or None,
                    reason=form.reason.data, organisation_name=form.organisation_name.data,
                    seats=form.seats.data,
                )  # fmt: skip
                db.session.commit()
            except MembershipError as error:
                db.session.rollback()
                form.category.errors.append(str(error))
            else:
                flash(_("%(name)s is now a %(category)s member, number %(number)s.",
                        name=person.full_name, category=form.category.data,
                        number=membership.number), "success")  # fmt: skip
                return redirect(url_for("membership_admin.member", user_id=person.id))
    status = 400 if request.method == "POST" else 200
    return render_template("membership/admin/grant.html", form=form), status


# -- one membership -------------------------------------------------------------------------------


def _member_page(person: User, renewal=None, category=None, status=200, problems=None):
    membership = membership_of(person.id)
    today = local_today()
    if problems is None and membership is not None and membership.renews_on is not None:
        problems = renewal_problems(membership, today)
    return render_template(
        "membership/admin/member.html",
        person=person,
        membership=membership,
        status_today=membership_status(person),
        renewal_form=renewal or RenewalForm(data={"renewed_on": today}),
        category_form=category or CategoryForm(data={"category": membership.category}
                                               if membership else None),
        problems=problems or [],
    ), status  # fmt: skip


@bp.get("/members/<int:user_id>")
@admin_required
def member(user_id: int):
    return _member_page(db.get_or_404(User, user_id))


@bp.post("/members/<int:user_id>/renewals")
@admin_required
def renew(user_id: int):
    person = db.get_or_404(User, user_id)
    membership = membership_of(person.id)
    if membership is None:
        abort(404)
    form = RenewalForm()
    if not form.validate_on_submit():
        return _member_page(person, renewal=form, status=400)
    try:
        if person.id == current_user.id:
            raise OwnCaseError()
        renewal = record_renewal(membership, renewed_on=form.renewed_on.data,
                                 amount=form.amount.data, reference=form.reference.data,
                                 by=current_user)  # fmt: skip
        db.session.commit()
    except MembershipError as error:
        db.session.rollback()
        form.reference.errors.append(str(error))
        return _member_page(db.session.get(User, user_id), renewal=form, status=400)
    flash(_("Renewal recorded: valid until %(date)s.", date=show_date(renewal.renews_on)),
          "success")  # fmt: skip
    return redirect(url_for("membership_admin.member", user_id=user_id))


@bp.post("/members/<int:user_id>/category")
@admin_required
def change(user_id: int):
    person = db.get_or_404(User, user_id)
    membership = membership_of(person.id)
    if membership is None:
        abort(404)
    form = CategoryForm()
    if not form.validate_on_submit():
        return _member_page(person, category=form, status=400)
    if form.category.data == membership.category:
        flash(_("Nothing changed."), "info")
        return redirect(url_for("membership_admin.member", user_id=user_id))
    try:
        change_category(membership, form.category.data, current_user, form.reason.data)
        db.session.commit()
    except MembershipError as error:
        db.session.rollback()
        form.reason.errors.append(str(error))
        return _member_page(db.session.get(User, user_id), category=form, status=400)
    flash(_("Category changed."), "success")
    return redirect(url_for("membership_admin.member", user_id=user_id))
