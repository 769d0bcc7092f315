"""After the event: a session's attendance CSV, a member's certificate of attendance (and its
public verification at /verify), the evaluation form."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.cpd.verifiable import format_code
from wired4ex.events import after, bp, services
from wired4ex.events.checkin import attended_sessions
from wired4ex.events.documents import render_attendance_csv, render_certificate
from wired4ex.events.forms import EvaluationForm
from wired4ex.events.models import Event, EventSession
from wired4ex.events.views import public_url
from wired4ex.extensions import db


@bp.get("/events/sessions/<int:session_id>/attendance.csv")
@login_required
def attendance_csv(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    if not services.can_manage(current_user, session.event):
        abort(403)
    body = render_attendance_csv(session, after.attendance_rows(session))
    response = make_response(body.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="attendance-{session.id}.csv"'
    return response


def _category_namer():
    try:
        policy = load_policy()
    except PolicyMissing:
        return lambda code: code
    return policy.category_name


@bp.get("/events/<int:event_id>/certificate.pdf")
@login_required
def certificate(event_id: int):
    event = db.get_or_404(Event, event_id)
    try:
        issued = after.issue_certificate(event, current_user)
    except services.EventError:
        abort(404)
    verify_url = public_url("verify.verify", code=format_code(issued.code))
    pdf = render_certificate(issued, verify_url, _category_namer())
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="attendance-{format_code(issued.code)}.pdf"'
    )
    return response


@bp.route("/events/<int:event_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not event.evaluation or not attended_sessions(event, current_user):
        abort(404)
    if after.evaluation_of(event, current_user) is not None:
        flash(_("You have already evaluated this event. Thank you."), "success")
        return redirect(url_for("events.event", event_id=event.id))
    form = EvaluationForm()
    if form.validate_on_submit():
        data = after.EvaluationInput(
            relevance=int(form.relevance.data), quality=int(form.quality.data),
            will_apply=form.will_apply.data == "yes", comment=form.comment.data or "",
        )  # fmt: skip
        try:
            after.submit_evaluation(event, current_user, data)
        except services.EventError as error:
            flash(str(error), "error")
        else:
            flash(_("Thank you for your evaluation."), "success")
        return redirect(url_for("events.event", event_id=event.id))
    return render_template("events/evaluation.html", event=event, form=form)


def verify_page(code: str):
    """The public verification page of a certificate of attendance, or None when the code is
    not one (called by /verify, after statements and certificates)."""
    issued = after.find_certificate(code)
    if issued is None:
        return None
    return render_template(
        "events/verify.html", certificate=issued, snap=issued.snapshot,
        code=format_code(issued.code),
    )  # fmt: skip
