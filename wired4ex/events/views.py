"""Event pages: the list, an event's public page with its programme, registration, and the
organisers' pages (event and session forms, registrations, organisers, the code screen)."""

from datetime import datetime, time

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.catalog.models import Institution
from wired4ex.catalog.services import list_competency_domains
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.dbtypes import utcnow
from wired4ex.events import after, bp, checkin, services
from wired4ex.events import registration as event_registration
from wired4ex.events.forms import ButtonForm, EventForm, OrganiserForm, SessionForm
from wired4ex.events.models import Event, EventSession
from wired4ex.extensions import db
from wired4ex.timeutil import association_zone, local_today


def policy_or_503():
    try:
        return load_policy()
    except PolicyMissing:
        abort(503)


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _managed_event(event_id: int) -> Event:
    event = _event(event_id)
    if not services.can_manage(current_user, event):
        abort(403)
    return event


def _managed_session(session_id: int) -> EventSession:
    session = db.get_or_404(EventSession, session_id)
    if not services.can_manage(current_user, session.event):
        abort(403)
    return session


def local_moment(day, at: time) -> datetime:
    """A day and a time of day in the association's time zone, as an aware UTC-able moment."""
    return datetime.combine(day, at, tzinfo=association_zone())


def _error_to_form(form, error: services.EventError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


# -- public ---------------------------------------------------------------------------------------


@bp.get("/events/")
def index():
    mine = services.organised_events(current_user) if current_user.is_authenticated else []
    return render_template(
        "events/list.html",
        events=services.upcoming_events(local_today()),
        mine=mine,
        can_create=current_user.is_authenticated and services.can_create_events(current_user),
    )


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    event = _event(event_id)
    policy = policy_or_503()
    registration = attended = None
    if current_user.is_authenticated:
        registration = event_registration.registration_of(event, current_user)
        attended = checkin.attended_sessions(event, current_user)
    return render_template(
        "events/event.html",
        event=event,
        policy=policy,
        registration=registration,
        attended=attended or [],
        places_taken=event_registration.places_taken(event.id),
        can_manage=current_user.is_authenticated and services.can_manage(current_user, event),
        can_run_checkin=current_user.is_authenticated
        and services.can_run_checkin(current_user, event),
        button=ButtonForm(),
        ended=event.end_date < local_today(),
    )


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    event = _event(event_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if event.end_date < local_today():
        flash(_("This event has ended."), "error")
        return redirect(url_for("events.event", event_id=event.id))
    try:
        registration = event_registration.register(current_user, event)
    except services.EventError as error:
        flash(str(error), "error")
    else:
        if registration.status == "waiting":
            flash(_("The event is full: you are on the waiting list."), "success")
        else:
            flash(_("You are registered."), "success")
    return redirect(url_for("events.event", event_id=event_id))


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    event = _event(event_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        event_registration.cancel_registration(current_user, event)
    except services.EventError as error:
        flash(str(error), "error")
    else:
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("events.event", event_id=event_id))


# -- organisers: events ---------------------------------------------------------------------------


def _event_form(form: EventForm) -> None:
    if not current_user.is_admin:  # faculty: their own institution's events, never accredited
        del form.institution
        del form.external
        return
    institutions = db.session.scalars(sa.select(Institution).order_by(Institution.name))
    form.institution.choices = [(0, _("None (the secretariat's event)"))] + [
        (institution.id, institution.name) for institution in institutions
    ]


def _event_input(form: EventForm) -> services.EventInput:
    return services.EventInput(
        title=form.title.data or "",
        description=form.description.data or "",
        organiser_name=form.organiser_name.data or "",
        venue=form.venue.data or "",
        online=bool(form.online.data),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        capacity=form.capacity.data,
        evaluation=bool(form.evaluation.data),
        institution_id=(form.institution.data or None) if "institution" in form else None,
        external=bool(form.external.data) if "external" in form else False,
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    if not services.can_create_events(current_user):
        abort(403)
    form = EventForm()
    _event_form(form)
    if request.method == "GET" and not current_user.is_admin:
        form.organiser_name.data = current_user.institution.name
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, _event_input(form))
        except services.EventError as error:
            _error_to_form(form, error)
        else:
            flash(_("Event created. Now add its sessions."), "success")
            return redirect(url_for("events.manage", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    event = _managed_event(event_id)
    form = EventForm(obj=event)
    _event_form(form)
    if request.method == "GET" and "institution" in form:
        form.institution.data = event.institution_id or 0
    if form.validate_on_submit():
        try:
            services.update_event(current_user, event, _event_input(form))
        except services.EventError as error:
            _error_to_form(form, error)
        else:
            flash(_("Event saved."), "success")
            return redirect(url_for("events.manage", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event)


@bp.get("/events/<int:event_id>/manage")
@login_required
def manage(event_id: int):
    event = _event(event_id)
    if not services.can_run_checkin(current_user, event):
        abort(403)
    full = services.can_manage(current_user, event)
    return render_template(
        "events/manage.html",
        event=event,
        full=full,
        registrations=event_registration.registrations(event) if full else [],
        organisers=services.organisers(event) if full else [],
        counts=checkin.attendance_counts(event) if full else {},
        organiser_form=OrganiserForm() if current_user.is_admin else None,
        evaluation=after.evaluation_summary(event) if full and event.evaluation else None,
        policy=policy_or_503(),
    )


@bp.post("/events/<int:event_id>/organisers")
@login_required
def add_organiser(event_id: int):
    event = _event(event_id)
    if not current_user.is_admin:
        abort(403)
    form = OrganiserForm()
    if not form.validate_on_submit():
        flash(_("Give the e-mail address of an account and a role."), "error")
        return redirect(url_for("events.manage", event_id=event.id))
    try:
        services.add_organiser(current_user, event, form.email.data, form.role.data)
    except services.EventError as error:
        flash(str(error), "error")
    else:
        flash(_("Role given."), "success")
    return redirect(url_for("events.manage", event_id=event.id))


# -- organisers: sessions -------------------------------------------------------------------------


def _session_form(form: SessionForm, policy) -> None:
    form.category.choices = [(code, c.name) for code, c in policy.categories.items()]
    form.competencies.choices = [
        (competency.code, f"{competency.code} {competency.name}")
        for domain in list_competency_domains()
        for competency in domain.competencies
    ]


def _session_input(form: SessionForm) -> services.SessionInput:
    return services.SessionInput(
        title=form.title.data or "",
        starts_at=local_moment(form.day.data, form.start_time.data),
        ends_at=local_moment(form.day.data, form.end_time.data),
        points=form.points.data,
        category=form.category.data,
        competencies=form.competencies.data or [],
        code_period=form.code_period.data,
        window_before=form.window_before.data,
        window_after=form.window_after.data,
    )


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(event_id: int):
    event = _managed_event(event_id)
    policy = policy_or_503()
    form = SessionForm()
    _session_form(form, policy)
    if request.method == "GET":
        form.day.data = event.start_date
        form.category.data = "conference"
        form.code_period.data = current_app.config["EVENT_CODE_PERIOD"]
    if form.validate_on_submit():
        try:
            services.add_session(current_user, policy, event, _session_input(form))
        except services.EventError as error:
            _error_to_form(form, error)
        else:
            flash(_("Session added."), "success")
            return redirect(url_for("events.manage", event_id=event.id))
    return render_template("events/session_form.html", form=form, event=event, session=None)


@bp.route("/events/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    session = _managed_session(session_id)
    policy = policy_or_503()
    form = SessionForm(obj=session)
    _session_form(form, policy)
    if request.method == "GET":
        starts, ends = (moment.astimezone(association_zone())
                        for moment in (session.starts_at, session.ends_at))  # fmt: skip
        form.day.data, form.start_time.data, form.end_time.data = (
            starts.date(), starts.time(), ends.time())  # fmt: skip
    if form.validate_on_submit():
        try:
            services.update_session(current_user, policy, session, _session_input(form))
        except services.EventError as error:
            _error_to_form(form, error)
        else:
            flash(_("Session saved."), "success")
            return redirect(url_for("events.manage", event_id=session.event_id))
    return render_template(
        "events/session_form.html", form=form, event=session.event, session=session
    )


# -- the code screen ------------------------------------------------------------------------------


def _screen_session(session_id: int) -> EventSession:
    session = db.get_or_404(EventSession, session_id)
    if not services.can_run_checkin(current_user, session.event):
        abort(403)
    return session


@bp.get("/events/sessions/<int:session_id>/screen")
@login_required
def screen(session_id: int):
    session = _screen_session(session_id)
    now = utcnow()
    code = checkin.current_code(session, now)
    opens, closes = checkin.window(session)
    if code is not None:
        refresh = checkin.seconds_left(session, now) + 1
    elif now < opens:
        refresh = min(60, int((opens - now).total_seconds()) + 1)
    else:
        refresh = None  # closed: nothing will change
    still = request.args.get("still") == "1"  # WCAG 2.2.1: the automatic refresh can be stopped
    return render_template(
        "events/screen.html",
        session=session,
        code=code,
        refresh=None if still else refresh,
        still=still,
        opens=opens,
        closes=closes,
        now=now,
        checkin_address=checkin_address(),
        stamp=int(now.timestamp()) // session.code_period,
    )


@bp.get("/events/sessions/<int:session_id>/qr.svg")
@login_required
def screen_qr(session_id: int):
    session = _screen_session(session_id)
    code = checkin.current_code(session, utcnow())
    if code is None:
        abort(404)
    svg = checkin_qr_svg(public_url("events.checkin_token", token=f"{session.key}-{code}"))
    return current_app.response_class(
        svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"}
    )


def public_url(endpoint: str, **values) -> str:
    """An absolute address from PUBLIC_BASE_URL (never from the request), or the request's own
    host when it is not set (development)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def checkin_address() -> str:
    return public_url("events.checkin")


def checkin_qr_svg(url: str) -> str:
    """A QR code as SVG, drawn by reportlab (no other library, nothing from other hosts)."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = 400
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return renderSVG.drawToString(drawing)
