"""Certification pages: my certifications, applications, the admin queue, certificates."""

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import OWN_CASE_MESSAGE, OwnCaseError, admin_required, confirmed_required
from wired4ex.certification import bp, services
from wired4ex.certification.documents import render_certificate_pdf
from wired4ex.certification.eligibility import evaluate, load_programmes
from wired4ex.certification.forms import (
    ApplicationDecisionForm,
    ApplicationForm,
    RevokeCertificateForm,
)
from wired4ex.certification.models import (
    APPLICATION_STATUS_LABELS,
    CERTIFICATE_STATE_LABELS,
    Application,
    Certificate,
)
from wired4ex.cpd import evidence
from wired4ex.cpd.verifiable import format_code
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.readonly import reads_only
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url


def _programme_or_404(code: str):
    programme = next((p for p in load_programmes() if p.code == code), None)
    if programme is None:
        abort(404)
    return programme


def _status_for(member, code: str):
    programmes = load_programmes()
    statuses = services.member_statuses(member, programmes, policy_or_503(), local_today())
    status = next((s for s in statuses if s.programme.code == code), None)
    if status is None:
        abort(404)
    return status


@bp.get("/")
@login_required
@reads_only
def index():
    statuses = services.member_statuses(
        current_user, load_programmes(), policy_or_503(), local_today()
    )
    return render_template("certification/index.html", statuses=statuses)


@bp.route("/<code>/apply", methods=["GET", "POST"])
@login_required
@confirmed_required
def apply(code: str):
    status = _status_for(current_user, code)
    form = ApplicationForm()
    if not status.can_apply:
        if request.method == "POST":
            flash(_("You cannot apply for this certification now."), "error")
            return render_template("certification/apply.html", status=status, form=form), 409
        return render_template("certification/apply.html", status=status, form=form)
    if form.validate_on_submit():
        upload = form.cv.data if getattr(form.cv.data, "filename", "") else None
        try:
            services.apply(current_user, status, form.statement.data, upload)
        except evidence.EvidenceError as error:
            form.cv.errors.append(str(error))
        except services.CertificationError as error:
            flash(str(error), "error")
            return redirect(url_for("certification.index"))
        else:
            flash(
                _("Your application has been submitted. The secretariat will review it."), "success"
            )
            return redirect(url_for("certification.index"))
    return render_template(
        "certification/apply.html", status=status, form=form
    ), 400 if form.errors else 200


@bp.get("/applications")
@admin_required
def applications():
    return render_template(
        "certification/applications.html", applications=services.pending_applications()
    )


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@admin_required
def application(application_id: int):
    found = db.get_or_404(Application, application_id)
    programme = _programme_or_404(found.programme_code)
    form = ApplicationDecisionForm()
    current = evaluate([found.member], [programme], policy_or_503(), local_today())[found.user_id][
        0
    ]
    if request.method == "POST":
        if found.user_id == current_user.id:
            flash(str(OWN_CASE_MESSAGE), "error")
            return render_template(
                "certification/application.html", application=found, current=current, form=form
            ), 403
        if found.status != "submitted":
            flash(_("This application has already been decided."), "error")
            return render_template(
                "certification/application.html", application=found, current=current, form=form
            ), 409
        if form.validate_on_submit():
            approve = form.decision.data == "approve"
            try:
                services.decide_application(
                    found, current_user, approve, form.reason.data, programme, local_today()
                )
            except OwnCaseError as error:
                flash(str(error), "error")
                return render_template(
                    "certification/application.html",
                    application=found,
                    current=current,
                    form=form,
                ), 403
            except services.CertificationError as error:
                flash(str(error), "error")
            else:
                flash(_("Decision recorded and the member notified."), "success")
                return redirect(url_for("certification.applications"))
        found = db.session.get(Application, application_id)
        return render_template(
            "certification/application.html", application=found, current=current, form=form
        ), 400
    return render_template(
        "certification/application.html", application=found, current=current, form=form
    )


@bp.get("/applications/<int:application_id>/cv")
@login_required
def application_cv(application_id: int):
    found = db.session.get(Application, application_id)
    if (
        found is None
        or not found.cv_stored_as
        or (found.user_id != current_user.id and not current_user.is_admin)
    ):
        abort(404)
    path = evidence.path_of(found.cv_stored_as)
    if not path.is_file():
        abort(404)
    name, content_type = evidence.download_as(found.cv_stored_as, f"cv-{found.id}")
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _visible_certificate_or_404(certificate_id: int) -> Certificate:
    found = db.session.get(Certificate, certificate_id)
    if found is None or (found.user_id != current_user.id and not current_user.is_admin):
        abort(404)
    return found


def certificate_verify_url(certificate: Certificate) -> str:
    return public_url("verify.verify", code=format_code(certificate.code))


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def certificate_pdf(certificate_id: int):
    found = _visible_certificate_or_404(certificate_id)
    response = make_response(
        render_certificate_pdf(found, certificate_verify_url(found), local_today())
    )
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{found.code}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@admin_required
def revoke(certificate_id: int):
    found = db.get_or_404(Certificate, certificate_id)
    form = RevokeCertificateForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(found, current_user, form.reason.data)
        except services.CertificationError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("The certificate has been revoked."), "success")
            return redirect(url_for("verify.verify", code=format_code(found.code)))
    return render_template(
        "certification/revoke.html", certificate=found, form=form
    ), 400 if form.errors else 200


@bp.app_context_processor
def _certification_helpers() -> dict:
    return {
        "application_status": lambda status: APPLICATION_STATUS_LABELS.get(status, status),
        "certificate_state": lambda state: CERTIFICATE_STATE_LABELS.get(state, state),
    }
