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
from wired4ex.auth.models import User
from wired4ex.cpd import bp, services, statements
from wired4ex.cpd.documents import render_csv, render_pdf
from wired4ex.cpd.forms import RevokeForm, StatementRangeForm
from wired4ex.cpd.models import Statement
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url


def verify_url(statement: Statement) -> str:
    return public_url("verify.verify", code=statements.format_code(statement.code))


def _period_from_request(policy) -> statements.Period:
    """The period asked for: ?cycle=YEAR, or ?start=YYYY-MM-DD&end=YYYY-MM-DD; 400 when bad."""
    start, end = request.args.get("start"), request.args.get("end")
    if start or end:
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            abort(400)
        if last < first or (last - first).days > 3660:
            abort(400)
        return statements.Period(first, last, f"{first.isoformat()} to {last.isoformat()}")
    year = request.args.get("cycle", type=int)
    cycle = policy.cycle_for(local_today()) if year is None else None
    if cycle is None:
        if not 1900 <= year <= 2200:
            abort(400)
        cycle = policy.cycle_starting(year)
    return statements.Period(cycle.start, cycle.end, cycle.label)


def _issue_for(member: User):
    policy = policy_or_503()
    period = _period_from_request(policy)
    entries = services.ledger_entries(member.id, period.start, period.end)
    statement, _new = statements.issue_statement(policy, member, period, entries, local_today())
    return statement


def _download(statement: Statement, kind: str):
    stem = f"cpd-statement-{statement.code}"
    if kind == "pdf":
        response = make_response(render_pdf(statement, verify_url(statement)))
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
    return _download(_issue_for(current_user), kind)


@bp.get("/statements")
@login_required
def statement_list():
    form = StatementRangeForm(request.args)
    return render_template(
        "cpd/statements.html", statements=statements.member_statements(current_user.id), form=form
    )


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
            return redirect(url_for("verify.verify", code=statements.format_code(statement.code)))
    status = 400 if form.errors else 200
    return render_template("cpd/revoke.html", statement=statement, form=form), status


@bp.app_context_processor
def _statement_helpers() -> dict:
    return {"format_code": statements.format_code}
