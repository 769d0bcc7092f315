"""Authoring pages: faculty write and revise modules in the browser; admins review and publish."""

from decimal import Decimal

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import OWN_CASE_MESSAGE, admin_required
from wired4ex.authoring import bp, folders, services
from wired4ex.authoring.forms import (
    ButtonForm,
    CourseForm,
    DraftForm,
    ImageForm,
    ImportForm,
    ReviewForm,
)
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Course, Module, ModuleVersion
from wired4ex.catalog.quiz_settings import QUIZ_SETTING_KEYS
from wired4ex.catalog.services import list_competency_domains
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.extensions import db


def _author_required():
    if not (current_user.is_admin or current_user.is_faculty):
        abort(403)


@bp.before_request
@login_required
def _only_authors():
    """Faculty and admins only; members never see drafts."""
    _author_required()


def _course_or_404(course_id: int, edit: bool = False) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not services.can_see(current_user, course):
        abort(404)
    if edit and course.source != "editor":
        abort(403)
    return course


def _media_base(course: Course) -> str:
    """Where the course's images are served, for previews shown outside the course's pages."""
    return url_for(
        "catalog.media", institution=course.institution.slug, course=course.slug, name="x"
    )[:-1]


def _draft_or_404(draft_id: int) -> tuple[Draft, Course]:
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        abort(404)
    return draft, _course_or_404(draft.course_id)


@bp.get("/")
def index():
    return render_template(
        "authoring/index.html",
        courses=services.visible_courses(current_user),
        reviews=services.drafts_in_review() if current_user.is_admin else [],
    )


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    if not current_user.is_faculty and not current_user.is_admin:
        abort(403)
    form = CourseForm()
    institution = current_user.institution
    if institution is None:
        flash(_("Only faculty of a partner institution create courses here."), "error")
        return redirect(url_for("authoring.index"))
    if form.validate_on_submit():
        try:
            course = services.create_course(
                current_user, institution, form.slug.data, form.title.data, form.summary.data,
                form.language.data, form.level.data, form.overview.data or "",
            )  # fmt: skip
        except services.AuthoringError as error:
            form.slug.errors.append(str(error))
        else:
            flash(_("Course created. Add its first module."), "success")
            return redirect(url_for("authoring.course", course_id=course.id))
    return render_template(
        "authoring/course_form.html", form=form, course=None
    ), 400 if form.errors else 200


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
def course(course_id: int):
    found = _course_or_404(course_id)
    form = CourseForm(obj=found)
    form.overview.data = form.overview.data if request.method == "POST" else found.overview_source
    if request.method == "POST":
        if found.source != "editor":
            abort(403)
        if form.validate_on_submit():
            services.update_course(current_user, found, form.title.data, form.summary.data,
                                   form.language.data, form.level.data, form.overview.data or "")  # fmt: skip
            flash(_("Course details saved."), "success")
            return redirect(url_for("authoring.course", course_id=found.id))
    drafts = list(
        db.session.scalars(
            db.select(Draft).where(
                Draft.course_id == found.id, Draft.status.in_(("draft", "returned", "in_review"))
            )
        )
    )
    return render_template(
        "authoring/course.html", course=found, form=form, drafts=drafts, button=ButtonForm(),
        image_form=ImageForm(), editable=services.can_edit(current_user, found),
    ), 400 if form.errors else 200  # fmt: skip


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/<any(up, down):direction>")
def move(course_id: int, module_id: int, direction: str):
    found = _course_or_404(course_id, edit=True)
    module = db.get_or_404(Module, module_id)
    if module.course_id != found.id or module.status != "active":  # archived: not in the order
        abort(400)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.move_module(found, module, -1 if direction == "up" else 1)
    return redirect(url_for("authoring.course", course_id=found.id))


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/archive", methods=["GET", "POST"])
def archive(course_id: int, module_id: int):
    """GET: the confirmation step; POST: archive the module (completions are kept)."""
    found = _course_or_404(course_id, edit=True)
    module = db.get_or_404(Module, module_id)
    if module.course_id != found.id:
        abort(404 if request.method == "GET" else 400)
    if request.method == "GET":
        return render_template("authoring/archive.html", course=found, module=module,
                               button=ButtonForm())  # fmt: skip
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.archive_module(current_user, module)
    flash(_("Module archived; learners' completions are kept."), "info")
    return redirect(url_for("authoring.course", course_id=found.id))


@bp.post("/courses/<int:course_id>/drafts")
def new_draft(course_id: int):
    found = _course_or_404(course_id, edit=True)
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
    draft, found = _draft_or_404(draft_id)
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
    preview = services.preview(found, draft, _media_base(found))  # the saved draft and its problems
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
        media = services.add_image(course, upload)
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
    draft, found = _draft_or_404(draft_id)
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
    preview = services.preview(found, scratch, _media_base(found))
    html = render_template("authoring/_preview.html", preview=preview, version=scratch)
    problems = render_template("authoring/_problems.html", preview=preview)
    return jsonify({"html": html, "problems": problems})


@bp.route("/drafts/<int:draft_id>/discard", methods=["GET", "POST"])
def discard(draft_id: int):
    """GET: the confirmation step (what is lost, a warning button, a way back); POST: delete."""
    draft, found = _draft_or_404(draft_id)
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
    found = _course_or_404(course_id, edit=True)
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
        media = services.add_image(found, form.image.data)
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


@bp.get("/reviews")
@admin_required
def reviews():
    return render_template("authoring/reviews.html", drafts=services.drafts_in_review())


@bp.route("/drafts/<int:draft_id>/review", methods=["GET", "POST"])
@admin_required
def review(draft_id: int):
    draft, found = _draft_or_404(draft_id)
    form = ReviewForm()
    status = 200
    if request.method == "POST" and draft.author_id == current_user.id:
        flash(str(OWN_CASE_MESSAGE), "error")  # nobody reviews their own draft
        status = 403
    elif request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            if form.approve.data:
                version = services.approve_draft(current_user, found, draft)
                flash(_("Published as version %(number)d.", number=version.number), "success")
            else:
                services.return_draft(current_user, draft, form.comment.data)
                flash(_("Returned to the author with your comments."), "info")
        except services.AuthoringError as error:
            flash(str(error), "error")
            return redirect(url_for("authoring.review", draft_id=draft.id)), 303
        return redirect(url_for("authoring.reviews"))
    current = draft.module.current_version if draft.module else None
    diff = services.diff_lines(current.source if current else "", services.draft_source(draft))
    return render_template("authoring/review.html", draft=draft, course=found, form=form,
                           preview=services.preview(found, draft, _media_base(found)), diff=diff,
                           current=current), status  # fmt: skip


@bp.get("/modules/<int:module_id>/history")
def history(module_id: int):
    module = db.get_or_404(Module, module_id)
    found = _course_or_404(module.course_id)
    versions = list(reversed(module.versions))
    by_number = {v.number: v for v in versions}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    diff = None
    if a in by_number and b in by_number:
        diff = services.diff_lines(by_number[a].source, by_number[b].source)
    return render_template("authoring/history.html", module=module, course=found, versions=versions,
                           diff=diff, a=a, b=b, button=ButtonForm(),
                           editable=services.can_edit(current_user, found))  # fmt: skip


@bp.post("/versions/<int:version_id>/restore")
def restore(version_id: int):
    version = db.get_or_404(ModuleVersion, version_id)
    found = _course_or_404(version.module.course_id, edit=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        draft = services.restore_version(current_user, found, version)
    except services.AuthoringError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.history", module_id=version.module_id))
    flash(
        _("A new draft holds version %(number)d. Review it and submit it.", number=version.number),
        "success",
    )
    return redirect(url_for("authoring.edit_draft", draft_id=draft.id))


@bp.get("/courses/<int:course_id>/export.zip")
def export(course_id: int):
    found = _course_or_404(course_id)
    response = make_response(folders.export_zip(found))
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found.institution.slug}-{found.slug}.zip"'
    )
    return response


@bp.route("/import", methods=["GET", "POST"])
def import_course():
    form = ImportForm()
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        data = form.archive.data.stream.read(folders.MAX_ZIP_BYTES + 1)
        try:
            if len(data) > folders.MAX_ZIP_BYTES:
                raise folders.ImportRefused("The archive is larger than 20 MB.")
            result = services.import_course(current_user, data)
        except (folders.ImportRefused, services.AuthoringError) as error:
            problems, status = [str(error)], 400
        else:
            if result.problems:
                problems, status = result.problems, 400
            else:
                flash(
                    _(
                        "Imported as %(count)d drafts. Submit them for review to publish.",
                        count=result.drafts,
                    ),
                    "success",
                )
                return redirect(url_for("authoring.course", course_id=result.course.id))
    elif request.method == "POST":
        status = 400
    return render_template("authoring/import.html", form=form, problems=problems), status
