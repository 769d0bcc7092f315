"""The draft editor: open a draft, save, preview, submit, discard, upload images."""

from decimal import Decimal

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.authoring import bp, checks, images, services
from wired4ex.authoring.forms import ButtonForm, DraftForm, ImageForm
from wired4ex.authoring.models import Draft
from wired4ex.authoring.views import course_or_404, draft_or_404, media_base
from wired4ex.catalog.models import Course, Module
from wired4ex.catalog.quiz_settings import QUIZ_SETTING_KEYS
from wired4ex.catalog.services import list_competency_domains
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.extensions import db


@bp.post("/courses/<int:course_id>/drafts")
def new_draft(course_id: int):
    found = course_or_404(course_id, edit=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    module = None
    module_id = request.form.get("module_id", type=int)
    if module_id is not None:
        module = db.get_or_404(Module, module_id)
        if module.course_id != found.id:
            abort(404)
    draft = services.open_draft(current_user, found, module)
    return redirect(url_for("authoring.edit_draft", draft_id=draft.id))


def _draft_form(draft: Draft | None) -> DraftForm:
    form = DraftForm(obj=draft)
    try:
        form.cpd_category.choices = [(c.code, c.name) for c in load_policy().categories.values()]
    except PolicyMissing:
        form.cpd_category.choices = [("structured", "Structured learning")]
    form.competencies.choices = [
        (c.code, f"{c.code} {c.name}")
        for domain in list_competency_domains()
        for c in domain.competencies
    ]
    if draft is not None and (request.method == "GET" or "objectives" not in request.form):
        # The saved list as lines (also when a POST leaves the field out: nothing is lost).
        form.objectives.data = "\n".join(draft.objectives or [])
        for name, value in (draft.quiz_settings or {}).items():
            if name in QUIZ_SETTING_KEYS:
                form[name].data = value
    return form


def _fields(form: DraftForm) -> dict:
    return {
        "title": (form.title.data or "").strip(),
        "key": form.key.data,
        "minutes": form.minutes.data,
        "cpd_points": Decimal(form.cpd_points.data),
        "cpd_category": form.cpd_category.data,
        "competencies": list(form.competencies.data or []),
        "pass_mark": form.pass_mark.data,
        "objectives": [
            line.strip() for line in (form.objectives.data or "").splitlines() if line.strip()
        ],
        "quiz_settings": _quiz_settings(form),
    }


def _quiz_settings(form: DraftForm) -> dict:
    """The knowledge-check settings typed in the editor; the default review is left out."""
    settings = {"review": form.review.data} if form.review.data != "after-pass" else {}
    for name in ("draw", "attempts", "min_read_minutes"):
        if form[name].data is not None:
            settings[name] = form[name].data
    if (form.retry_after.data or "").strip():
        settings["retry_after"] = form.retry_after.data.strip().lower().replace(" ", "")
    return settings


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
def edit_draft(draft_id: int):
    draft, found = draft_or_404(draft_id)
    if not services.can_edit(current_user, found):
        abort(403)
    form = _draft_form(draft)
    status = 200
    if request.method == "POST" and draft.editable:
        if form.validate_on_submit():
            try:
                services.save_draft(draft, _fields(form), form.body.data or "")
                if form.submit_review.data:
                    services.submit_draft(current_user, found, draft)
                    flash(
                        _("Submitted for review. The secretariat will publish it or send it back."),
                        "success",
                    )
                    return redirect(url_for("authoring.course", course_id=found.id))
                if form.upload.data:
                    _upload_into(found, form)
                    return redirect(url_for("authoring.edit_draft", draft_id=draft.id))
                if form.save.data:
                    flash(_("Draft saved."), "success")
                    return redirect(url_for("authoring.edit_draft", draft_id=draft.id))
            except services.AuthoringError as error:
                flash(str(error), "error")
                status = 400
        else:
            status = 400
            flash(
                _(
                    "The draft was not saved: correct the fields marked below. What you typed is still here."
                ),
                "error",
            )
    elif request.method == "POST":
        flash(services.locked_message(draft), "error")
        status = 409
    preview = checks.preview(found, draft, media_base(found))  # the saved draft and its problems
    return render_template(
        "authoring/draft.html", draft=draft, course=found, form=form, preview=preview,
        button=ButtonForm(),
    ), status  # fmt: skip


def _upload_into(course: Course, form: DraftForm) -> None:
    """Store the image sent with the editor form (the draft was saved first)."""
    upload = form.image.data
    if not getattr(upload, "filename", ""):
        flash(_("Choose an image to upload."), "error")
        return
    try:
        media = images.add_image(course, upload)
    except services.AuthoringError as error:
        flash(str(error), "error")
    else:
        snippet = f"![Describe the image](media/{media.name})"
        flash(
            _(
                "Image uploaded. The draft is saved too. Put it in the text with: %(markdown)s",
                markdown=snippet,
            ),
            "success",
        )


@bp.post("/drafts/<int:draft_id>/preview")
def live_preview(draft_id: int):
    """The preview of what is in the editor now, without saving (for the live preview)."""
    draft, found = draft_or_404(draft_id)
    if not services.can_edit(current_user, found):
        abort(403)
    form = _draft_form(draft)
    if not form.validate_on_submit():
        # The fields the form refuses, in the problems box the editor shows beside the text.
        field_errors = [(form[name].label.text if name in form else name, message)
                        for name, messages in form.errors.items() if name != "csrf_token"
                        for message in messages]  # fmt: skip
        problems = render_template("authoring/_problems.html", preview=None,
                                   field_errors=field_errors)  # fmt: skip
        return jsonify({"errors": form.errors, "problems": problems}), 400
    scratch = Draft(
        course_id=found.id, key=form.key.data, body=form.body.data or "", author_id=current_user.id
    )
    for name, value in _fields(form).items():
        setattr(scratch, name, value)
    preview = checks.preview(found, scratch, media_base(found))
    html = render_template("authoring/_preview.html", preview=preview, version=scratch)
    problems = render_template("authoring/_problems.html", preview=preview)
    return jsonify({"html": html, "problems": problems})


@bp.route("/drafts/<int:draft_id>/discard", methods=["GET", "POST"])
def discard(draft_id: int):
    """GET: the confirmation step (what is lost, a warning button, a way back); POST: delete."""
    draft, found = draft_or_404(draft_id)
    if not services.can_edit(current_user, found):
        abort(403)
    if request.method == "GET":
        if not draft.editable:
            abort(404)
        return render_template("authoring/discard.html", draft=draft, course=found,
                               button=ButtonForm())  # fmt: skip
    if not ButtonForm().validate_on_submit():
        abort(403)
    try:
        services.discard_draft(draft)
    except services.AuthoringError as error:
        flash(str(error), "error")
    return redirect(url_for("authoring.course", course_id=found.id))


@bp.post("/courses/<int:course_id>/images")
def upload_image(course_id: int):
    found = course_or_404(course_id, edit=True)
    form = ImageForm()
    back = request.form.get("back_to_draft", type=int)
    target = (
        url_for("authoring.edit_draft", draft_id=back)
        if back
        else url_for("authoring.course", course_id=found.id)
    )
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(target)
    try:
        media = images.add_image(found, form.image.data)
    except services.AuthoringError as error:
        flash(str(error), "error")
    else:
        flash(
            _(
                "Image uploaded. Put it in the text with: %(markdown)s",
                markdown=f"![Describe the image](media/{media.name})",
            ),
            "success",
        )
    return redirect(target)
