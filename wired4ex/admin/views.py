"""Secretariat pages: members, institutions and faculty, the audit log."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.admin import audit_text, bp, exports, reports, services
from wired4ex.admin.forms import (
    CPD_STATUS_LABELS,
    ROLE_LABELS,
    AccountStateForm,
    AuditFilterForm,
    FacultyForm,
    InstitutionForm,
    MemberFilterForm,
    MembershipForm,
)
from wired4ex.auth.access import admin_required
from wired4ex.auth.forms import country_choices
from wired4ex.auth.models import User
from wired4ex.auth.services import AccountError
from wired4ex.catalog.models import Course, Institution
from wired4ex.cpd.services import member_summary
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.membership.services import request_status
from wired4ex.timeutil import local_today

PER_PAGE = 25


def valid(form, name: str):
    """A GET filter's value, or None when it is missing or not one of its choices."""
    field = form[name]
    return None if field.errors or field.data in (None, "") else field.data


def _cycle_choices(policy):
    this_year = policy.cycle_for(local_today()).key
    return [
        (year, policy.cycle_starting(year).label) for year in range(this_year, this_year - 6, -1)
    ]


def _member_filters(policy):
    """The filter form (validated leniently) and the MemberFilters and cycle it selects."""
    form = MemberFilterForm(request.args)
    courses = db.session.execute(sa.select(Course.id, Course.title).order_by(Course.title)).all()
    form.setup(_cycle_choices(policy), [(str(cid), title) for cid, title in courses])
    form.validate()
    year = valid(form, "cycle") or policy.cycle_for(local_today()).key
    form.cycle.data = year
    course = valid(form, "course")
    filters = services.MemberFilters(
        q=(valid(form, "q") or "").strip(),
        category=valid(form, "category") or "",
        country=valid(form, "country") or "",
        role=valid(form, "role") or "",
        cpd=valid(form, "cpd") or "",
        course_id=int(course) if course else None,
        account=valid(form, "account") or "active",
    )
    return form, filters, policy.cycle_starting(year)


@bp.get("/")
@admin_required
def index():
    return redirect(url_for("admin.dashboard"))


@bp.get("/members")
@admin_required
def members():
    policy = policy_or_503()
    form, filters, cycle = _member_filters(policy)
    query = services.members_query(filters, policy, cycle)
    page = db.paginate(query, per_page=request.args.get("per_page", PER_PAGE, type=int),
                       max_per_page=100, error_out=False)  # fmt: skip
    statuses = reports.cpd_statuses(policy, cycle, [member.id for member in page.items])
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/members.html", form=form, page=page, statuses=statuses,
                           cycle=cycle, args=args)  # fmt: skip


@bp.get("/members.csv")
@admin_required
def members_csv():
    policy = policy_or_503()
    _, filters, cycle = _member_filters(policy)
    rows = exports.member_rows(services.members_query(filters, policy, cycle), policy, cycle)
    return exports.csv_response(f"members-{cycle.key}.csv", exports.MEMBER_HEADER, rows)


def _membership_form(member: User) -> MembershipForm:
    form = MembershipForm(
        data=None if request.method == "POST" else {
            "roles": sorted(member.role_names),
            "institution": member.institution_id or 0,
        }
    )  # fmt: skip
    institutions = db.session.execute(
        sa.select(Institution.id, Institution.name).order_by(Institution.name)
    ).all()
    form.institution.choices = [
        (0, _("No institution")),
        *((iid, name) for iid, name in institutions),
    ]
    return form


def _render_member(member: User, form=None, status=200):
    policy = policy_or_503()
    today = local_today()
    cycle = policy.cycle_for(today)
    standing = member_summary(policy, member, cycle, today)
    return render_template(
        "admin/member.html",
        record=services.member_record(member),
        form=form or _membership_form(member),
        state_form=AccountStateForm(),
        cycle=cycle,
        policy=policy,
        standing=standing,
        cpd_status="exempt" if standing.exempt else "met" if standing.target_met else "not_met",
        membership=request_status(member),
    ), status


@bp.get("/members/<int:user_id>")
@admin_required
def member(user_id: int):
    return _render_member(db.get_or_404(User, user_id))


@bp.post("/members/<int:user_id>/membership")
@admin_required
def change_membership(user_id: int):
    found = db.get_or_404(User, user_id)
    form = _membership_form(found)
    if not form.validate_on_submit():
        return _render_member(found, form, 400)
    try:
        changed = services.update_membership(found, current_user, found.membership_category,
                                             form.roles.data, form.institution.data or None)  # fmt: skip
    except services.AdminError as error:
        form.roles.errors.append(str(error))
        return _render_member(found, form, 400)
    flash(_("Changes saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.member", user_id=found.id))


@bp.route("/members/<int:user_id>/<any(deactivate, reactivate):change>", methods=["GET", "POST"])
@admin_required
def account_state(user_id: int, change: str):
    """GET: the confirmation step for deactivating (what happens, a warning button, a way
    back); POST: the change."""
    found = db.get_or_404(User, user_id)
    if request.method == "GET":
        return render_template("admin/account_state.html", member=found, change=change,
                               form=AccountStateForm())  # fmt: skip
    if not AccountStateForm().validate_on_submit():
        abort(400)
    try:
        services.set_account_active(found, current_user, change == "reactivate")
    except services.AdminError as error:
        flash(str(error), "error")
    else:
        flash(_("Account reactivated.") if change == "reactivate"
              else _("Account deactivated: the member is logged out and cannot log in."),
              "success")  # fmt: skip
    return redirect(url_for("admin.member", user_id=found.id))


# -- institutions and faculty -----------------------------------------------------------------------


def _institution_input(form: InstitutionForm) -> services.InstitutionInput:
    return services.InstitutionInput(
        name=form.name.data, short_name=form.short_name.data, country=form.country.data,
        website=form.website.data, description=form.description.data,
    )  # fmt: skip


@bp.get("/institutions")
@admin_required
def institutions():
    found = db.session.scalars(sa.select(Institution).order_by(Institution.name)).all()
    return render_template("admin/institutions.html", institutions=found)


@bp.route("/institutions/new", methods=["GET", "POST"])
@admin_required
def new_institution():
    form = InstitutionForm()
    if form.validate_on_submit():
        try:
            made = services.create_institution(
                form.slug.data, _institution_input(form), current_user
            )
        except services.AdminError as error:
            form.slug.errors.append(str(error))
        else:
            flash(_("Institution created."), "success")
            return redirect(url_for("admin.institution", institution_id=made.id))
    return render_template("admin/institution_form.html", form=form, institution=None), (
        400 if form.errors else 200
    )


@bp.route("/institutions/<int:institution_id>", methods=["GET", "POST"])
@admin_required
def institution(institution_id: int):
    found = db.get_or_404(Institution, institution_id)
    form = InstitutionForm(obj=found, institution=found)
    form.slug.render_kw = {"readonly": True}
    if request.method == "POST":
        form.slug.data = found.slug
    if form.validate_on_submit():
        changed = services.update_institution(found, _institution_input(form), current_user)
        flash(_("Institution saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("admin.institution", institution_id=found.id))
    return render_template(
        "admin/institution_form.html",
        form=form,
        institution=found,
        faculty=services.faculty_of(found),
        faculty_form=FacultyForm(formdata=None),
    ), 400 if form.errors else 200


@bp.route("/institutions/<int:institution_id>/faculty", methods=["POST"])
@admin_required
def new_faculty(institution_id: int):
    found = db.get_or_404(Institution, institution_id)
    form = FacultyForm()
    if form.validate_on_submit():
        try:
            user = services.create_faculty(form.full_name.data, form.email.data, form.country.data,
                                           form.membership_category.data, found, current_user,
                                           language=form.language.data)  # fmt: skip
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("Faculty account created; the invitation was sent to %(email)s.",
                    email=user.email), "success")  # fmt: skip
            return redirect(url_for("admin.institution", institution_id=found.id))
    return render_template(
        "admin/institution_form.html",
        form=InstitutionForm(obj=found, institution=found, formdata=None),
        institution=found,
        faculty=services.faculty_of(found),
        faculty_form=form,
    ), 400


# -- the audit log --------------------------------------------------------------------------------


def _audit_filters():
    form = AuditFilterForm(request.args)
    form.action.choices = [
        ("", _("Any")),
        *((a, audit_text.action_label(a)) for a in services.audit_actions()),
    ]
    form.validate()
    filters = services.AuditFilters(
        action=valid(form, "action") or "",
        actor=(valid(form, "actor") or "").strip(),
        member=(valid(form, "member") or "").strip(),
        start=valid(form, "start"),
        end=valid(form, "end"),
    )
    return form, filters


@bp.get("/audit")
@admin_required
def audit_log():
    form, filters = _audit_filters()
    page = db.paginate(services.audit_query(filters), per_page=50, error_out=False)
    people = services.user_names({e.member_id for e in page.items})
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, page=page, people=people, args=args,
                           entries=audit_text.entries(list(page.items)))  # fmt: skip


@bp.get("/audit.csv")
@admin_required
def audit_csv():
    _, filters = _audit_filters()
    rows = exports.audit_rows(services.audit_query(filters))
    return exports.csv_response("audit-log.csv", exports.AUDIT_HEADER, rows)


@bp.context_processor
def _admin_labels() -> dict:
    countries = dict(country_choices())
    return {
        "audit_action_label": audit_text.action_label,
        "cpd_status_label": lambda status: CPD_STATUS_LABELS.get(status, status or ""),
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "country_name": lambda code: countries.get(code, code),
    }
