"""Statement pages: download (PDF, CSV), issued statements, revocation."""

from datetime import date

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import admin_required, confirmed_required
from wired4ex.cpd import bp, services, statements
from wired4ex.cpd.documents import render_csv
from wired4ex.cpd.forms import RevokeForm, StatementForm
from wired4ex.cpd.models import Statement
from wired4ex.cpd.pdfstore import stored_pdf
from wired4ex.cpd.snapshots import Period, figures
from wired4ex.cpd.verifiable import format_code
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.fields import EARLIEST_DATE, latest_period_date, year_in_period_bounds
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url


def verify_url(statement: Statement) -> str:
    return public_url("verify.verify", code=format_code(statement.code))


MAX_PERIOD_DAYS = 3660


def _range(first: date, last: date) -> Period | None:
    """A date range as a period, or None when it is backwards, too long or out of bounds."""
    if last < first or (last - first).days > MAX_PERIOD_DAYS:
        return None
    if first < EARLIEST_DATE or last > latest_period_date():
        return None
    return Period(first, last, f"{first.isoformat()} to {last.isoformat()}")


def _cycle_period(policy, year: int | None) -> Period | None:
    if year is None:
        cycle = policy.cycle_for(local_today())
    elif year_in_period_bounds(year):
        cycle = policy.cycle_starting(year)
    else:
        return None
    return Period(cycle.start, cycle.end, cycle.label)


def _period_from_request(policy) -> Period:
    """The period asked for: ?cycle=YEAR, or ?start=YYYY-MM-DD&end=YYYY-MM-DD; 400 when bad."""
    start, end = request.args.get("start"), request.args.get("end")
    if start or end:
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            abort(400)
        period = _range(first, last)
    else:
        try:
            year = int(request.args["cycle"]) if request.args.get("cycle") else None
        except ValueError:
            abort(400)
        period = _cycle_period(policy, year)
    if period is None:
        abort(400)
    return period


def _period_from_form(form: StatementForm, policy) -> Period | None:
    """The period a valid StatementForm names; None with the problem put on the form."""
    if form.start.data or form.end.data:
        if not (form.start.data and form.end.data):
            form.end.errors.append(_("Enter both dates, or neither for the current cycle."))
            return None
        period = _range(form.start.data, form.end.data)
        if period is None:
            form.end.errors.append(
                _("The end date must be after the start date, at most ten years later.")
            )
        return period
    period = _cycle_period(policy, form.cycle.data)
    if period is None:
        form.end.errors.append(_("Choose a cycle from 1990 to next year."))
    return period


def _download(statement: Statement, kind: str):
    stem = f"cpd-statement-{statement.code}"
    if kind == "pdf":
        response = make_response(stored_pdf(statement, verify_url(statement)))
        response.headers["Content-Type"] = "application/pdf"
    else:
        response = make_response(render_csv(statement, verify_url(statement)))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{kind}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/statement.<any(pdf, csv):kind>")
@login_required
@confirmed_required
def download_statement(kind: str):
    """The statement already issued for this period and the current figures; when there is
    none, a page that issues one by POST (a GET, or a link from another site, issues nothing)."""
    policy = policy_or_503()
    period = _period_from_request(policy)
    entries = services.ledger_entries(current_user.id, period.start, period.end)
    _snapshot, digest = figures(policy, current_user, period, entries, local_today())
    existing = statements.find_issued(current_user.id, period, digest)
    if existing is not None:
        return _download(existing, kind)
    form = StatementForm()
    if period.label == f"{period.start.isoformat()} to {period.end.isoformat()}":
        form.start.data, form.end.data = period.start, period.end
    else:
        form.cycle.data = policy.cycle_for(period.start).key
    return render_template("cpd/statement_issue.html", form=form, kind=kind, period=period)


@bp.post("/statement.<any(pdf, csv):kind>")
@login_required
@confirmed_required
def issue_statement(kind: str):
    """Issue the statement for a period (or reuse the one with the same figures), then send
    its file."""
    policy = policy_or_503()
    form = StatementForm()
    period = _period_from_form(form, policy) if form.validate_on_submit() else None
    if period is None:
        return _statements_page(form, 400)
    entries = services.ledger_entries(current_user.id, period.start, period.end)
    statement, _new = statements.issue_statement(
        policy, current_user, period, entries, local_today()
    )
    return redirect(url_for("cpd.statement_file", statement_id=statement.id, kind=kind), 303)


@bp.get("/statements")
@login_required
def statement_list():
    return _statements_page(StatementForm())


def _statements_page(form: StatementForm, status: int = 200):
    return render_template(
        "cpd/statements.html", statements=statements.member_statements(current_user.id), form=form
    ), status


def _visible_statement_or_404(statement_id: int) -> Statement:
    statement = db.session.get(Statement, statement_id)
    if statement is None or (statement.user_id != current_user.id and not current_user.is_admin):
        abort(404)
    return statement


@bp.get("/statements/<int:statement_id>.<any(pdf, csv):kind>")
@login_required
@confirmed_required
def statement_file(statement_id: int, kind: str):
    return _download(_visible_statement_or_404(statement_id), kind)


@bp.route("/statements/<int:statement_id>/revoke", methods=["GET", "POST"])
@admin_required
def revoke_statement(statement_id: int):
    statement = db.get_or_404(Statement, statement_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            statements.revoke_statement(statement, current_user, form.reason.data)
        except services.CpdError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("The statement has been revoked."), "success")
            return redirect(url_for("verify.verify", code=format_code(statement.code)))
    status = 400 if form.errors else 200
    return render_template("cpd/revoke.html", statement=statement, form=form), status


@bp.app_context_processor
def _statement_helpers() -> dict:
    return {"format_code": format_code}
