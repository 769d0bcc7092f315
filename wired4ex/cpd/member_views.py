"""The secretariat's view of a member's CPD: search, the member's page, adjustments."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import OWN_CASE_MESSAGE, OwnCaseError, admin_required
from wired4ex.auth.models import User
from wired4ex.auth.services import search_people
from wired4ex.cpd import bp, services
from wired4ex.cpd.forms import AdjustmentForm, MemberSearchForm
from wired4ex.cpd.views import _category_choices, _render_cpd_page, policy_or_503
from wired4ex.extensions import db
from wired4ex.timeutil import local_today


@bp.get("/members")
@admin_required
def members():
    form = MemberSearchForm(request.args)
    found = []
    query = (form.q.data or "").strip()
    if query and form.validate():
        found = search_people(query)
    return render_template("cpd/members.html", form=form, members=found, searched=bool(query))


def _adjustment_form(policy) -> AdjustmentForm:
    form = AdjustmentForm()
    form.category.choices = _category_choices(policy)
    if request.method == "GET":
        form.activity_date.data = local_today()
    return form


@bp.get("/members/<int:user_id>")
@admin_required
def member(user_id: int):
    found = db.get_or_404(User, user_id)
    return _render_cpd_page(found, {"adjustment_form": _adjustment_form(policy_or_503())})


@bp.post("/members/<int:user_id>/adjust")
@admin_required
def adjust(user_id: int):
    found = db.get_or_404(User, user_id)
    current = policy_or_503()
    form = _adjustment_form(current)
    if found.id == current_user.id:
        flash(str(OWN_CASE_MESSAGE), "error")
        return _render_cpd_page(found, {"adjustment_form": form}), 403
    if form.validate_on_submit():
        try:
            services.adjust(
                found,
                current_user,
                form.points.data,
                form.category.data,
                form.activity_date.data,
                form.reason.data,
                current,
            )
        except OwnCaseError as error:
            flash(str(error), "error")
            return _render_cpd_page(found, {"adjustment_form": form}), 403
        except services.CpdError as error:
            form.points.errors.append(str(error))
        else:
            flash(_("Adjustment added to the ledger."), "success")
            return redirect(url_for("cpd.member", user_id=found.id))
    return _render_cpd_page(found, {"adjustment_form": form}), 400
