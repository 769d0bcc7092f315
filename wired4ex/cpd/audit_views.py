"""Audit samples: draw one, see its members' claims, record each outcome."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import OWN_CASE_MESSAGE, OwnCaseError, admin_required
from wired4ex.cpd import bp, services
from wired4ex.cpd.forms import AuditOutcomeForm, AuditSampleForm
from wired4ex.cpd.models import AuditSample, AuditSampleMember
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.timeutil import local_today


@bp.route("/audits", methods=["GET", "POST"])
@admin_required
def audits():
    current = policy_or_503()
    today_cycle = current.cycle_for(local_today())
    form = AuditSampleForm()
    form.cycle.choices = [
        (year, current.cycle_starting(year).label)
        for year in range(today_cycle.key, today_cycle.key - 6, -1)
    ]
    if form.validate_on_submit():
        try:
            sample = services.draw_audit_sample(
                current.cycle_starting(form.cycle.data), form.percentage.data, current_user
            )
        except services.CpdError as error:
            form.percentage.errors.append(str(error))
        else:
            flash(_("Sample drawn: %(count)d members.", count=len(sample.members)), "success")
            return redirect(url_for("cpd.audit_sample", sample_id=sample.id))
    samples = list(db.session.scalars(sa.select(AuditSample).order_by(AuditSample.drawn_at.desc())))
    status = 400 if form.errors else 200
    return render_template("cpd/audits.html", form=form, samples=samples, policy=current), status


@bp.get("/audits/<int:sample_id>")
@admin_required
def audit_sample(sample_id: int):
    return _sample_page(db.get_or_404(AuditSample, sample_id))


def _sample_page(sample: AuditSample, status: int = 200):
    rows = [(sampled, services.sample_claims(sampled)) for sampled in sample.members]
    return render_template(
        "cpd/audit_sample.html",
        sample=sample,
        rows=rows,
        policy=policy_or_503(),
        form=AuditOutcomeForm(),
    ), status


@bp.post("/audits/<int:sample_id>/members/<int:entry_id>")
@admin_required
def audit_outcome(sample_id: int, entry_id: int):
    sampled = db.get_or_404(AuditSampleMember, entry_id)
    if sampled.sample_id != sample_id:
        abort(404)
    form = AuditOutcomeForm()
    if sampled.user_id == current_user.id:
        flash(str(OWN_CASE_MESSAGE), "error")
        return _sample_page(sampled.sample, 403)
    if not form.validate_on_submit():
        flash(_("Choose passed or failed."), "error")
        return redirect(url_for("cpd.audit_sample", sample_id=sample_id)), 303
    try:
        services.record_audit_outcome(sampled, form.outcome.data, form.notes.data, current_user)
    except OwnCaseError as error:
        flash(str(error), "error")
        return _sample_page(sampled.sample, 403)
    except services.CpdError as error:
        flash(str(error), "error")
    else:
        flash(_("Audit outcome recorded."), "success")
    return redirect(url_for("cpd.audit_sample", sample_id=sample_id))
