"""CPD pages: my CPD, claims and evidence, the verification queue, adjustments, audit samples."""

import errno
from decimal import Decimal

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from wired4ex.auth.access import admin_required, confirmed_required
from wired4ex.auth.models import User
from wired4ex.auth.services import search_people
from wired4ex.catalog.services import list_competency_domains
from wired4ex.cpd import bp, evidence, services
from wired4ex.cpd.forms import (
    AdjustmentForm,
    AuditOutcomeForm,
    AuditSampleForm,
    ClaimForm,
    DecisionForm,
    MemberSearchForm,
    WithdrawForm,
)
from wired4ex.cpd.models import AuditSample, AuditSampleMember, Claim
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.cpd.statements import SOURCE_NAMES, STATEMENT_STATUS_LABELS, period_label
from wired4ex.extensions import db
from wired4ex.mail import send_mail
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url


def policy_or_503():
    """The synced CPD policy; 503 (a friendly page) when content has not been synced."""
    try:
        return load_policy()
    except PolicyMissing:
        abort(503)


def _chosen_cycle(policy, user_id):
    cycles = services.cycles_with_activity(policy, user_id, local_today())
    wanted = request.args.get("cycle", type=int)
    if wanted is None:
        return cycles[0], cycles
    if not 1900 <= wanted <= 2200:
        abort(404)
    cycle = policy.cycle_starting(wanted)
    if cycle not in cycles:
        cycles = sorted([*cycles, cycle], key=lambda c: c.start, reverse=True)
    return cycle, cycles


def _category_choices(policy):
    return [(code, category.name) for code, category in policy.categories.items()]


def _render_cpd_page(member: User, template_extra: dict | None = None):
    policy = policy_or_503()
    cycle, cycles = _chosen_cycle(policy, member.id)
    summary = services.member_summary(policy, member, cycle, local_today())
    claims = [c for c in services.member_claims(member.id) if cycle.contains(c.end_date)]
    return render_template(
        "cpd/index.html",
        member=member,
        policy=policy,
        summary=summary,
        cycles=cycles,
        claims=claims,
        is_current=cycle.contains(local_today()),
        **(template_extra or {}),
    )


@bp.get("/")
@login_required
def index():
    return _render_cpd_page(current_user)


@bp.get("/policy")
@login_required
def policy():
    current = policy_or_503()
    return render_template(
        "cpd/policy.html", policy=current, cycle=current.cycle_for(local_today())
    )


def _claim_form(policy, claim: Claim | None = None) -> ClaimForm:
    form = ClaimForm(obj=claim)
    form.category.choices = _category_choices(policy)
    form.competencies.choices = [
        (competency.code, f"{competency.code} {competency.name}")
        for domain in list_competency_domains()
        for competency in domain.competencies
    ]
    return form


def _claim_input(form: ClaimForm) -> services.ClaimInput:
    return services.ClaimInput(
        title=form.title.data.strip(),
        provider=form.provider.data.strip(),
        category=form.category.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        hours=form.hours.data,
        points_claimed=form.points_claimed.data,
        reflection=form.reflection.data.strip(),
        competencies=list(form.competencies.data or []),
    )


def _save_claim_from(form: ClaimForm, policy, claim: Claim | None):
    """Validate and save; returns the saved claim, or None with errors placed on the form."""
    if not form.validate_on_submit():
        return None
    data = _claim_input(form)
    problems = services.check_claim(policy, data)
    for field, message in problems:
        form[field].errors.append(message)
    if problems:
        return None
    upload = form.evidence.data if getattr(form.evidence.data, "filename", "") else None
    try:
        return services.save_claim(
            current_user, data, upload=upload, submit=form.submit_claim.data, claim=claim
        )
    except evidence.EvidenceError as error:
        form.evidence.errors.append(str(error))
    except services.CpdError as error:  # submitting without evidence
        form.evidence.errors.append(str(error))
    except OSError as error:
        # The server's fault, not the member's: 507 when the evidence storage is full (or over
        # quota), 503 for other storage failures; the form comes back with what they typed.
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        current_app.logger.error("Evidence could not be stored: %s", error)
        form.storage_status = 507 if full else 503
        if full:
            flash(_("Our storage for evidence files is full, so your file could not be saved. "
                    "Nothing was saved; please try again later."), "error")  # fmt: skip
            form.evidence.errors.append(_("Not saved: the evidence storage is full."))
        else:
            flash(_("The evidence could not be stored just now. Nothing was saved; try again."),
                  "error")  # fmt: skip
            form.evidence.errors.append(_("Not saved: the evidence could not be stored."))
    return None


def _form_status(form: ClaimForm) -> int:
    """200 for a fresh form, 400 with errors, or the storage failure's status."""
    return getattr(form, "storage_status", None) or (400 if form.errors else 200)


@bp.route("/claims/new", methods=["GET", "POST"])
@login_required
@confirmed_required
def new_claim():
    current = policy_or_503()
    form = _claim_form(current)
    claim = _save_claim_from(form, current, None)
    if claim is not None:
        _flash_saved(claim)
        return redirect(url_for("cpd.claim", claim_id=claim.id))
    return render_template("cpd/claim_form.html", form=form, claim=None), _form_status(form)


def _flash_saved(claim: Claim) -> None:
    if claim.status == "submitted":
        flash(_("Your claim has been submitted for verification."), "success")
    else:
        flash(_("Your claim has been saved as a draft."), "success")


def _own_claim_or_404(claim_id: int) -> Claim:
    claim = services.get_own_claim(current_user.id, claim_id)
    if claim is None:
        abort(404)
    return claim


def _visible_claim_or_404(claim_id: int) -> Claim:
    """The member's own claim, or any claim for an admin; 404 otherwise (no hint it exists)."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or (claim.user_id != current_user.id and not current_user.is_admin):
        abort(404)
    return claim


@bp.get("/claims/<int:claim_id>")
@login_required
def claim(claim_id: int):
    found = _visible_claim_or_404(claim_id)
    current = policy_or_503()
    return render_template(
        "cpd/claim.html", claim=found, policy=current, withdraw_form=WithdrawForm()
    )


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@login_required
def edit_claim(claim_id: int):
    found = _own_claim_or_404(claim_id)
    if not found.editable:
        flash(_("This claim has been decided and can no longer be changed."), "error")
        return redirect(url_for("cpd.claim", claim_id=found.id))
    current = policy_or_503()
    form = _claim_form(current, found)
    saved = _save_claim_from(form, current, found)
    if saved is not None:
        _flash_saved(saved)
        return redirect(url_for("cpd.claim", claim_id=saved.id))
    return render_template("cpd/claim_form.html", form=form, claim=found), _form_status(form)


@bp.post("/claims/<int:claim_id>/withdraw")
@login_required
def withdraw_claim(claim_id: int):
    found = _own_claim_or_404(claim_id)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_claim(current_user, found)
    except services.CpdError as error:
        flash(str(error), "error")
    else:
        flash(_("The claim has been withdrawn."), "info")
    return redirect(url_for("cpd.claim", claim_id=claim_id))


@bp.get("/claims/<int:claim_id>/evidence")
@login_required
def claim_evidence(claim_id: int):
    found = _visible_claim_or_404(claim_id)
    if not found.evidence_stored_as:
        abort(404)
    path = evidence.path_of(found.evidence_stored_as)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=found.evidence_type,
        as_attachment=True,
        download_name=found.evidence_name or "evidence",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the secretariat -------------------------------------------------------------------------------


@bp.get("/review")
@admin_required
def review_queue():
    return render_template(
        "cpd/review_queue.html", claims=services.pending_claims(), policy=policy_or_503()
    )


@bp.route("/review/<int:claim_id>", methods=["GET", "POST"])
@admin_required
def review(claim_id: int):
    found = db.session.get(Claim, claim_id)
    if found is None:
        abort(404)
    form = DecisionForm()
    if request.method == "GET":
        form.points_approved.data = found.points_claimed
    if found.status == "submitted" and form.validate_on_submit():
        decision = services.Decision(
            approve=form.decision.data == "approve",
            points=form.points_approved.data,
            reason=form.reason.data or "",
        )
        try:
            decided = services.decide_claim(found, current_user, decision)
        except services.CpdError as error:
            flash(str(error), "error")
            status = 409 if "already been decided" in str(error) else 400
            found = db.session.get(Claim, claim_id)
            return render_template(
                "cpd/review.html", claim=found, form=form, policy=policy_or_503()
            ), status
        _notify_decision(decided)
        flash(_("Decision recorded and the member notified."), "success")
        return redirect(url_for("cpd.review_queue"))
    if request.method == "POST" and found.status != "submitted":
        flash(_("This claim has already been decided."), "error")
        return render_template(
            "cpd/review.html", claim=found, form=form, policy=policy_or_503()
        ), 409
    status = 400 if form.errors else 200
    return render_template(
        "cpd/review.html", claim=found, form=form, policy=policy_or_503()
    ), status


def _notify_decision(claim: Claim) -> None:
    """The decision mailed to the member in their own language, whoever decided it."""
    member = claim.member
    link = public_url("cpd.claim", claim_id=claim.id)
    with force_locale(member.language):
        subject = (
            _("Your CPD claim has been approved")
            if claim.status == "approved"
            else _("Your CPD claim has been rejected")
        )
        send_mail(
            member.email,
            subject,
            render_template("cpd/email/decision.txt", claim=claim, member=member, link=link),
        )


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
    if form.validate_on_submit():
        try:
            services.adjust(
                found,
                current_user,
                Decimal(form.points.data),
                form.category.data,
                form.activity_date.data,
                form.reason.data,
                current,
            )
        except services.CpdError as error:
            form.points.errors.append(str(error))
        else:
            flash(_("Adjustment added to the ledger."), "success")
            return redirect(url_for("cpd.member", user_id=found.id))
    return _render_cpd_page(found, {"adjustment_form": form}), 400


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
    sample = db.get_or_404(AuditSample, sample_id)
    rows = [(sampled, services.sample_claims(sampled)) for sampled in sample.members]
    return render_template(
        "cpd/audit_sample.html",
        sample=sample,
        rows=rows,
        policy=policy_or_503(),
        form=AuditOutcomeForm(),
    )


@bp.post("/audits/<int:sample_id>/members/<int:entry_id>")
@admin_required
def audit_outcome(sample_id: int, entry_id: int):
    sampled = db.get_or_404(AuditSampleMember, entry_id)
    if sampled.sample_id != sample_id:
        abort(404)
    form = AuditOutcomeForm()
    if not form.validate_on_submit():
        flash(_("Choose passed or failed."), "error")
        return redirect(url_for("cpd.audit_sample", sample_id=sample_id)), 303
    try:
        services.record_audit_outcome(sampled, form.outcome.data, form.notes.data, current_user)
    except services.CpdError as error:
        flash(str(error), "error")
    else:
        flash(_("Audit outcome recorded."), "success")
    return redirect(url_for("cpd.audit_sample", sample_id=sample_id))


CLAIM_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for verification"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
AUDIT_OUTCOME_LABELS = {"pending": _l("Pending"), "passed": _l("Passed"), "failed": _l("Failed")}


@bp.app_context_processor
def _cpd_labels() -> dict:
    return {
        "claim_status": lambda status: CLAIM_STATUS_LABELS.get(status, status),
        "audit_outcome": lambda outcome: AUDIT_OUTCOME_LABELS.get(outcome, outcome),
        "ledger_source": lambda source: SOURCE_NAMES.get(source, source),
        "period_label": period_label,
        "statement_status": lambda status: STATEMENT_STATUS_LABELS.get(status, status),
    }
