"""A learner's record in one course, for admins and the course's faculty: each knowledge check's
attempts, and one more attempt granted when the learner has used them all."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.admin import bp
from wired4ex.admin.forms import GrantAttemptForm
from wired4ex.admin.report_views import _visible_course_or_404, faculty_or_admin_required
from wired4ex.auth.models import User
from wired4ex.catalog.models import Module
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.learning.models import Enrolment, QuizAttempt


def _learner_or_404(course, user_id: int) -> User:
    """A learner enrolled (now or before) in the course; anyone else is not there."""
    enrolled = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.course_id == course.id, Enrolment.user_id == user_id
        )
    )
    learner = db.session.get(User, user_id)
    if learner is None or enrolled is None:
        abort(404)
    return learner


@bp.get("/courses/<int:course_id>/learners/<int:user_id>")
@faculty_or_admin_required
def course_learner(course_id: int, user_id: int):
    course = _visible_course_or_404(course_id)
    learner = _learner_or_404(course, user_id)
    checks = []
    for module in course.active_modules:
        version = module.current_version
        if version is None or not version.quiz:
            continue
        attempts = db.session.scalars(
            sa.select(QuizAttempt)
            .where(QuizAttempt.user_id == learner.id, QuizAttempt.module_id == module.id,
                   QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.number)
        ).all()  # fmt: skip
        allowance = learning.attempt_allowance(learner.id, module.id, version)
        completion = learning.get_completion(learner.id, module.id)
        checks.append((module, version, attempts, allowance, completion))
    return render_template(
        "admin/course_learner.html", course=course, learner=learner, checks=checks,
        form=GrantAttemptForm(),
    )  # fmt: skip


@bp.post("/courses/<int:course_id>/learners/<int:user_id>/modules/<int:module_id>/grant")
@faculty_or_admin_required
def grant_attempt(course_id: int, user_id: int, module_id: int):
    course = _visible_course_or_404(course_id)
    learner = _learner_or_404(course, user_id)
    module = db.get_or_404(Module, module_id)
    if module.course_id != course.id:
        abort(404)
    if not GrantAttemptForm().validate_on_submit():
        abort(400)
    try:
        learning.grant_attempt(current_user, learner, module)
    except learning.LearningError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.course_learner", course_id=course.id, user_id=learner.id))
    flash(_("%(name)s has one more attempt at %(module)s.", name=learner.full_name,
            module=module.current_version.title), "success")  # fmt: skip
    return redirect(url_for("admin.course_learner", course_id=course.id, user_id=learner.id))
