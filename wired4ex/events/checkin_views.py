"""Check-in on a phone (a typed code, or the QR address), and the organisers' attendance list
of a session where they mark members present and undo mistakes."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadData, URLSafeTimedSerializer

from wired4ex.auth.models import User
from wired4ex.dbtypes import utcnow
from wired4ex.events import bp, checkin, services
from wired4ex.events import registration as event_registration
from wired4ex.events.forms import CheckinForm, MarkForm, UndoForm
from wired4ex.events.models import Attendance, EventSession
from wired4ex.extensions import db


def show_points(value) -> str:
    """Points as the pages write them (cpd_points): 2, 1.5."""
    return format_decimal(value or 0, format="#,##0.#")


def _done(result: checkin.CheckinResult):
    if result.new:
        flash(
            _("Checked in to %(title)s: %(points)s CPD points are on My CPD.",
              title=result.session.title, points=show_points(result.session.points)),
            "success",
        )  # fmt: skip
    else:
        flash(_("You had already checked in to %(title)s; nothing was added twice.",
                title=result.session.title), "success")  # fmt: skip
    return redirect(url_for("events.checked_in", session_id=result.session.id))


def _typed_at(text: str | None) -> datetime | None:
    """The time a phone kept with a code typed offline (ISO 8601); None when absent or bad."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@bp.route("/checkin", methods=["GET", "POST"], endpoint="checkin")
@login_required
def checkin_form():
    form = CheckinForm()
    status = 200
    if form.validate_on_submit():
        seen_at = _typed_at(form.typed_at.data)
        try:
            result = checkin.check_in(
                current_user, form.code.data, seen_at=seen_at, max_age=checkin.OFFLINE_AGE
            )
        except checkin.CheckinRefused as error:
            form.code.errors = [*form.code.errors, str(error)]
            status = 422
        else:
            return _done(result)
    elif form.is_submitted():
        status = 422
    return render_template("events/checkin.html", form=form), status


def _scan_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="events.checkin-scan")


def _kept_scan_time(token: str, signed: str | None) -> datetime | None:
    """When a signed-out member scanned this QR address: carried, signed, through the login
    (which starts a fresh session), and good for 10 minutes."""
    if not signed:
        return None
    max_age = int(checkin.KEPT_SCAN_AGE.total_seconds())
    try:
        kept = _scan_signer().loads(signed, max_age=max_age)
    except BadData:
        return None
    if not isinstance(kept, dict) or kept.get("token") != token:
        return None
    return _typed_at(str(kept.get("at", "")))


@bp.get("/checkin/<token>")
def checkin_token(token: str):
    """The QR address: the session's key and the code shown when it was scanned. Signed out,
    the scan is kept (with its time) and completes after signing in within 10 minutes."""
    token = token[:40]
    key, _sep, code = token.partition("-")
    now = utcnow()
    if not current_user.is_authenticated:
        scan = _scan_signer().dumps({"token": token, "at": now.isoformat()})
        flash(_("Log in to finish checking in: your scan is kept for 10 minutes."), "success")
        return redirect(
            url_for("auth.login", next=url_for("events.checkin_token", token=token, scan=scan))
        )
    seen_at = _kept_scan_time(token, request.args.get("scan"))
    try:
        result = checkin.check_in(current_user, code, at=now, key=key, seen_at=seen_at)
    except checkin.CheckinRefused as error:
        form = CheckinForm()
        form.code.data = code
        return render_template("events/checkin.html", form=form, refusal=str(error)), 422
    return _done(result)


@bp.get("/checkin/done/<int:session_id>")
@login_required
def checked_in(session_id: int):
    event_session = db.get_or_404(EventSession, session_id)
    attendance = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session_id, Attendance.user_id == current_user.id
        )
    )
    if attendance is None:
        abort(404)
    return render_template("events/checked_in.html", session=event_session, attendance=attendance)


# -- the organisers' attendance list -----------------------------------------------------------------


def _managed_session(session_id: int) -> EventSession:
    event_session = db.get_or_404(EventSession, session_id)
    if not services.can_manage(current_user, event_session.event):
        abort(403)
    return event_session


@bp.get("/events/sessions/<int:session_id>/attendance")
@login_required
def attendance(session_id: int):
    event_session = _managed_session(session_id)
    present = {a.user_id: a for a in checkin.session_attendance(event_session)}
    people = {r.user_id: r.member for r in event_registration.registrations(event_session.event)}
    people.update({a.user_id: a.member for a in present.values()})
    return render_template(
        "events/attendance.html",
        session=event_session,
        people=sorted(people.values(), key=lambda p: (p.full_name.lower(), p.id)),
        present=present,
        mark_form=MarkForm(),
        undo_form=UndoForm(),
    )


def _member(form) -> User:
    try:
        member_id = int(form.member_id.data)
    except (TypeError, ValueError):
        abort(400)
    return db.get_or_404(User, member_id)


@bp.post("/events/sessions/<int:session_id>/attendance")
@login_required
def mark(session_id: int):
    event_session = _managed_session(session_id)
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    member = _member(form)
    result = checkin.mark_present(current_user, event_session, member)
    if result.new:
        flash(_("%(name)s is marked present.", name=member.full_name), "success")
    else:
        flash(_("%(name)s was already present.", name=member.full_name), "success")
    return redirect(url_for("events.attendance", session_id=session_id))


@bp.post("/events/sessions/<int:session_id>/undo")
@login_required
def undo(session_id: int):
    event_session = _managed_session(session_id)
    form = UndoForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for removing this attendance."), "error")
        return redirect(url_for("events.attendance", session_id=session_id))
    member = _member(form)
    record = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == event_session.id, Attendance.user_id == member.id
        )
    )
    if record is None:
        abort(404)
    try:
        checkin.undo_attendance(current_user, record, form.reason.data)
    except services.EventError as error:
        flash(str(error), "error")
    else:
        flash(_("The check-in of %(name)s is undone; the points were taken back.",
                name=member.full_name), "success")  # fmt: skip
    return redirect(url_for("events.attendance", session_id=session_id))
