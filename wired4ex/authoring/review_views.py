"""Review and history pages: admins publish or return drafts; a module's versions compared
and restored."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import OWN_CASE_MESSAGE, admin_required
from wired4ex.authoring import bp, checks, services
from wired4ex.authoring.forms import ButtonForm, ReviewForm
from wired4ex.authoring.history import diff_lines, restore_version
from wired4ex.authoring.views import course_or_404, draft_or_404, media_base
from wired4ex.catalog.models import Module, ModuleVersion
from wired4ex.extensions import db


@bp.get("/reviews")
@admin_required
def reviews():
    return render_template("authoring/reviews.html", drafts=services.drafts_in_review())


@bp.route("/drafts/<int:draft_id>/review", methods=["GET", "POST"])
@admin_required
def review(draft_id: int):
    draft, found = draft_or_404(draft_id)
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
    diff = diff_lines(current.source if current else "", checks.draft_source(draft))
    return render_template("authoring/review.html", draft=draft, course=found, form=form,
                           preview=checks.preview(found, draft, media_base(found)), diff=diff,
                           current=current), status  # fmt: skip


@bp.get("/modules/<int:module_id>/history")
def history(module_id: int):
    module = db.get_or_404(Module, module_id)
    found = course_or_404(module.course_id)
    versions = list(reversed(module.versions))
    by_number = {v.number: v for v in versions}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    diff = None
    if a in by_number and b in by_number:
        diff = diff_lines(by_number[a].source, by_number[b].source)
    return render_template("authoring/history.html", module=module, course=found, versions=versions,
                           diff=diff, a=a, b=b, button=ButtonForm(),
                           editable=services.can_edit(current_user, found))  # fmt: skip


@bp.post("/versions/<int:version_id>/restore")
def restore(version_id: int):
    version = db.get_or_404(ModuleVersion, version_id)
    found = course_or_404(version.module.course_id, edit=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        draft = restore_version(current_user, found, version)
    except services.AuthoringError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.history", module_id=version.module_id))
    flash(
        _("A new draft holds version %(number)d. Review it and submit it.", number=version.number),
        "success",
    )
    return redirect(url_for("authoring.edit_draft", draft_id=draft.id))
