"""Authoring pages: faculty write and revise modules in the browser; admins review and publish.

This module has the access rule, the course pages, export and import; the draft editor is in
draft_views.py and review and history in review_views.py.
"""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.authoring import bp, course_import, folders, services
from wired4ex.authoring.forms import ButtonForm, CourseForm, ImageForm, ImportForm
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Course, Module
from wired4ex.extensions import db


def _author_required():
    if not (current_user.is_admin or current_user.is_faculty):
        abort(403)


@bp.before_request
@login_required
def _only_authors():
    """Faculty and admins only; members never see drafts."""
    _author_required()


def course_or_404(course_id: int, edit: bool = False) -> Course:
    """The course if the user may see it (404 otherwise); with edit, 403 unless editable here."""
    course = db.session.get(Course, course_id)
    if course is None or not services.can_see(current_user, course):
        abort(404)
    if edit and course.source != "editor":
        abort(403)
    return course


def media_base(course: Course) -> str:
    """Where the course's images are served, for previews shown outside the course's pages."""
    return url_for(
        "catalog.media", institution=course.institution.slug, course=course.slug, name="x"
    )[:-1]


def draft_or_404(draft_id: int) -> tuple[Draft, Course]:
    """The draft and its course, 404 unless the user may see the course."""
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        abort(404)
    return draft, course_or_404(draft.course_id)


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
    found = course_or_404(course_id)
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
    found = course_or_404(course_id, edit=True)
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
    found = course_or_404(course_id, edit=True)
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


@bp.get("/courses/<int:course_id>/export.zip")
def export(course_id: int):
    found = course_or_404(course_id)
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
            result = course_import.import_course(current_user, data)
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
