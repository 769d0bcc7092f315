"""Claim pages: a member's claims, with their evidence; new, edit, withdraw."""

import errno

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import confirmed_required
from wired4ex.catalog.services import list_competency_domains
from wired4ex.cpd import bp, evidence, services
from wired4ex.cpd.errors import ClaimConflict, ClaimFrozen
from wired4ex.cpd.forms import ClaimForm, InfoReplyForm, WithdrawForm
from wired4ex.cpd.models import Claim
from wired4ex.cpd.views import _category_choices, policy_or_503
from wired4ex.extensions import db
from wired4ex.ui import confirmation_page


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
            current_user,
            data,
            upload=upload,
            submit=form.submit_claim.data,
            claim=claim,
            policy=policy,
        )
    except evidence.EvidenceError as error:
        form.evidence.errors.append(str(error))
    except ClaimFrozen as error:  # submitted or withdrawn meanwhile, in another tab
        flash(str(error), "error")
        form.storage_status = 409
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
    return _claim_page(found)


def _claim_page(found: Claim, reply_form: InfoReplyForm | None = None, status: int = 200):
    """The claim's page; while the secretariat waits on its member, with the answer form."""
    if reply_form is None and found.open_request is not None:
        reply_form = InfoReplyForm(formdata=None, version=str(found.version))
    return render_template(
        "cpd/claim.html", claim=found, policy=policy_or_503(), withdraw_form=WithdrawForm(),
        reply_form=reply_form,
    ), status  # fmt: skip


@bp.post("/claims/<int:claim_id>/answer")
@login_required
def answer_claim(claim_id: int):
    """The member answers the secretariat's question (new evidence optional) and resubmits.
    A stale form (the claim changed meanwhile) comes back with what was typed and a 409."""
    found = _own_claim_or_404(claim_id)
    form = InfoReplyForm()
    if found.open_request is None:  # answered or withdrawn in another tab: what was typed is shown
        flash(str(services.NOT_WAITING), "error")
        return _claim_page(found, form, 409)
    if not form.validate_on_submit():
        return _claim_page(found, form, 400)
    seen = form.version.data or ""
    upload = form.evidence.data if getattr(form.evidence.data, "filename", "") else None
    try:
        if not seen.isdigit():
            raise services.ClaimChanged(services.REPLY_CHANGED)
        services.answer_info_request(current_user, found, form.reply.data, upload=upload,
                                     seen_version=int(seen))  # fmt: skip
    except evidence.EvidenceError as error:
        form.evidence.errors = [*form.evidence.errors, str(error)]
        return _claim_page(found, form, 400)
    except ClaimConflict as error:
        flash(str(error), "error")
        found = db.session.get(Claim, claim_id)
        form.version.data = str(found.version)
        return _claim_page(found, form, 409)
    except services.CpdError as error:
        form.reply.errors = [*form.reply.errors, str(error)]
        return _claim_page(found, form, 400)
    except OSError as error:
        current_app.logger.error("Evidence could not be stored: %s", error)
        flash(_("The evidence could not be stored just now. Nothing was saved; try again."),
              "error")  # fmt: skip
        return _claim_page(found, form, 503)
    flash(_("Your answer has been sent and the claim is back with the secretariat."), "success")
    return redirect(url_for("cpd.claim", claim_id=claim_id))


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@login_required
def edit_claim(claim_id: int):
    found = _own_claim_or_404(claim_id)
    current = policy_or_503()
    if not found.editable:  # a submitted claim is frozen: it may be withdrawn, not edited
        flash(services.frozen_message(found), "error")
        if request.method == "GET":
            return redirect(url_for("cpd.claim", claim_id=found.id))
        return _claim_page(found, status=409)
    form = _claim_form(current, found)
    saved = _save_claim_from(form, current, found)
    if saved is not None:
        _flash_saved(saved)
        return redirect(url_for("cpd.claim", claim_id=saved.id))
    return render_template("cpd/claim_form.html", form=form, claim=found), _form_status(form)


@bp.route("/claims/<int:claim_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_claim(claim_id: int):
    """GET asks for confirmation on a page of its own (no script needed); POST withdraws."""
    found = _own_claim_or_404(claim_id)
    if request.method == "GET":
        if not found.withdrawable:
            return redirect(url_for("cpd.claim", claim_id=claim_id))
        return confirmation_page(
            _("Withdraw your claim “%(title)s”?", title=found.title),
            [_("The secretariat will not review it and its points will not be added. The claim stays in your record as withdrawn."),
             _("To claim these points later, start a new claim.")],
            WithdrawForm(), (url_for("cpd.claim", claim_id=claim_id), _("No, keep the claim")),
        )  # fmt: skip
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
    name, content_type = evidence.download_as(
        found.evidence_stored_as, f"claim-{found.id}-evidence"
    )
    response = send_file(
        path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
