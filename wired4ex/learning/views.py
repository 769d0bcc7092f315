"""Learner pages: course page with enrolment, module pages, knowledge checks, dashboard."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import confirmed_required
from wired4ex.catalog.services import competency_names as load_competency_names
from wired4ex.catalog.services import get_course, get_courses_by_key, summarise
from wired4ex.learning import bp, services
from wired4ex.learning.forms import (
    EnrolForm,
    MarkDoneForm,
    UnenrolForm,
    question_fields,
    quiz_form_class,
)


def _published_course_or_404(institution: str, course: str):
    found = get_course(institution, course)
    if found is None or found.status != "published":
        abort(404)
    return found


def _module_or_404(course, key: str):
    modules = [m for m in course.active_modules if m.current_version is not None]
    position = next((i for i, m in enumerate(modules) if m.key == key), None)
    if position is None:
        abort(404)
    return modules, position


def _course_url(course, **kwargs):
    return url_for(
        "learning.course", institution=course.institution.slug, course=course.slug, **kwargs
    )


def _module_url(course, module, **kwargs):
    return url_for(
        "learning.module",
        institution=course.institution.slug,
        course=course.slug,
        module=module.key,
        **kwargs,
    )


@bp.get("/courses/<institution>/<course>/")
def course(institution: str, course: str):
    found = _published_course_or_404(institution, course)
    enrolment = progress = None
    missing = []
    if current_user.is_authenticated:
        enrolment = services.get_enrolment(current_user.id, found.id)
        progress = services.course_progress(current_user.id, found, enrolment)
        missing = services.missing_prerequisites(current_user.id, found)
    return render_template(
        "learning/course.html",
        course=found,
        other_edition=found.published_other_edition,
        summary=summarise(found),
        prerequisites=get_courses_by_key(found.prerequisites),
        competency_names=load_competency_names(),
        enrolment=enrolment,
        progress=progress,
        missing=missing,
        enrol_form=EnrolForm(),
        unenrol_form=UnenrolForm(),
    )


@bp.post("/courses/<institution>/<course>/enrol")
@login_required
@confirmed_required
def enrol(institution: str, course: str):
    found = _published_course_or_404(institution, course)
    if EnrolForm().validate_on_submit():
        try:
            services.enrol(current_user, found)
        except services.LearningError as error:
            flash(str(error), "error")
        else:
            flash(_("You are enrolled in %(title)s.", title=found.title), "success")
            first = found.active_modules[0] if found.active_modules else None
            if first is not None:
                return redirect(_module_url(found, first))
    return redirect(_course_url(found))


@bp.post("/courses/<institution>/<course>/unenrol")
@login_required
def unenrol(institution: str, course: str):
    found = _published_course_or_404(institution, course)
    if UnenrolForm().validate_on_submit():
        try:
            services.unenrol(current_user, found)
        except services.LearningError as error:
            flash(str(error), "error")
        else:
            flash(_("You have left the course. Your progress is kept if you enrol again."), "info")
    return redirect(_course_url(found))


def _reader_context(institution: str, course: str, module: str):
    """Course, module, position and enrolment for a module page; 403/404 when not allowed."""
    found = _published_course_or_404(institution, course)
    modules, position = _module_or_404(found, module)
    enrolment = services.get_enrolment(current_user.id, found.id)
    if not services.can_read_modules(current_user, found, enrolment):
        return found, modules, position, None, False
    return found, modules, position, enrolment, True


@bp.get("/courses/<institution>/<course>/<module>")
@login_required
def module(institution: str, course: str, module: str):
    found, modules, position, enrolment, allowed = _reader_context(institution, course, module)
    current = modules[position]
    if not allowed:
        # Switching language: a member of the other edition is enrolled in this one on arrival.
        enrolment = services.switch_edition(current_user, found)
        allowed = enrolment is not None
    if not allowed:
        flash(_("Enrol in the course to read its modules."), "info")
        return redirect(_course_url(found))
    version = current.current_version
    enrolled = enrolment is not None and enrolment.status == "active"
    quiz = QuizView()
    if enrolled:
        if not request.headers.get("X-W4X-Save"):  # not the phone saving it for later
            services.record_visit(current_user.id, enrolment.id, current.id)
        quiz = _quiz_view(current, version, request.args.get("attempt", type=int))
    return _render_module(found, modules, position, enrolled, quiz)


class QuizView:
    """The knowledge-check part of a module page: a submitted attempt's review, the open
    attempt's form, or why no attempt is open (the allowance)."""

    def __init__(self, review=None, form=None, questions=(), allowance=None):
        self.review = review
        self.form = form
        self.questions = list(questions)
        self.allowance = allowance

    @property
    def fields(self):
        return question_fields(self.form, self.questions) if self.form else []


def _quiz_view(module, version, attempt_id: int | None, form=None) -> QuizView:
    view = QuizView()
    if attempt_id is not None:
        attempt = services.get_attempt(current_user.id, attempt_id, module.id)
        if attempt is not None and attempt.submitted:
            view.review = services.review_attempt(attempt)
    if not version.quiz:
        return view
    completion = services.get_completion(current_user.id, module.id)
    if completion and view.review and view.review.attempt.passed:
        # just passed: the review, and a link to take the check again if an attempt is left
        view.allowance = services.attempt_allowance(current_user.id, module.id, version)
        return view
    try:
        attempt = services.open_attempt(current_user, module, version)
    except services.AttemptsUsedUp as used_up:
        view.allowance = used_up.allowance
        return view
    except services.LearningError:
        return view
    view.questions = services.shown_questions(attempt)
    view.form = form or quiz_form_class(view.questions)(
        formdata=None, token=services.issue_answer_sheet(attempt)
    )
    view.allowance = services.attempt_allowance(current_user.id, module.id, version)
    return view


def _render_module(course, modules, position, enrolled, quiz, status=200):
    current = modules[position]
    completion = services.get_completion(current_user.id, current.id)
    other_edition = course.published_other_edition
    reading_left = None
    if enrolled and not completion and not current.current_version.quiz:
        reading_left = services.reading_time_left(current_user.id, current)
    return (
        render_template(
            "learning/module.html",
            course=course,
            module=current,
            other_edition=other_edition,
            other_module=services.paired_module(current) if other_edition else None,
            version=current.current_version,
            previous=modules[position - 1] if position > 0 else None,
            next=modules[position + 1] if position + 1 < len(modules) else None,
            position=position + 1,
            total=len(modules),
            enrolled=enrolled,
            completion=completion,
            quiz=quiz,
            reading_left=reading_left,
            minutes_text=services.minutes_text,
            mark_done_form=MarkDoneForm(),
        ),
        status,
    )


@bp.post("/courses/<institution>/<course>/<module>/quiz")
@login_required
def submit_quiz(institution: str, course: str, module: str):
    found, modules, position, enrolment, _allowed = _reader_context(institution, course, module)
    current = modules[position]
    if enrolment is None or enrolment.status != "active":
        abort(403)
    sheet = services.read_answer_sheet(request.form.get("token", ""))
    if sheet is None or sheet.user_id != current_user.id or sheet.module_id != current.id:
        abort(400)
    attempt = services.find_attempt_by_nonce(sheet.nonce)
    if attempt is None or attempt.user_id != current_user.id or attempt.module_id != current.id:
        abort(400)
    version = attempt.module_version
    if attempt.submitted:
        flash(_("These answers were already submitted; here is their result."), "info")
        return redirect(_module_url(found, current, attempt=attempt.id) + "#quiz-results")
    questions = services.shown_questions(attempt)
    drawn = {question["id"] for question in questions}
    if any(q["id"] in request.form and q["id"] not in drawn for q in version.quiz):
        flash(_("An answer names a question that is not part of this attempt. Reload the page."),
              "error")  # fmt: skip
        quiz = _quiz_view(current, current.current_version, None)
        return _render_module(found, modules, position, True, quiz, status=400)
    form = quiz_form_class(questions)()
    if not form.validate_on_submit():
        flash(_("Answer every question before you submit."), "error")
        form.token.data = request.form.get("token", "")
        status = 400 if "csrf_token" in form.errors else 200
        quiz = QuizView(form=form, questions=questions,
                        allowance=services.attempt_allowance(current_user.id, current.id, version))  # fmt: skip
        return _render_module(found, modules, position, True, quiz, status=status)
    answers = {question["id"]: _as_list(form[question["id"]].data) for question in questions}
    try:
        outcome = services.submit_attempt(current_user, current, version, answers, sheet.nonce)
    except services.LearningError as error:
        flash(str(error), "error")
        return redirect(_module_url(found, current))
    if outcome.replayed:
        flash(_("These answers were already submitted; here is their result."), "info")
    elif outcome.passed:
        flash(_("You passed with %(score)d%%.", score=outcome.score), "success")
        if outcome.newly_completed:
            flash(_("Module complete: CPD points added to your record."), "success")
    else:
        flash(
            _(
                "You scored %(score)d%%; the pass mark is %(mark)d%%.",
                score=outcome.score,
                mark=version.pass_mark,
            ),
            "error",
        )
    return redirect(_module_url(found, current, attempt=outcome.attempt_id) + "#quiz-results")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@bp.post("/courses/<institution>/<course>/<module>/complete")
@login_required
def mark_done(institution: str, course: str, module: str):
    found, modules, position, enrolment, _allowed = _reader_context(institution, course, module)
    current = modules[position]
    if enrolment is None or enrolment.status != "active":
        abort(403)
    if not MarkDoneForm().validate_on_submit():
        abort(400)
    try:
        completed = services.mark_done(current_user, current)
    except services.LearningError as error:
        flash(str(error), "error")
        return redirect(_module_url(found, current)), 303
    if completed:
        flash(_("Module complete: CPD points added to your record."), "success")
    following = modules[position + 1] if position + 1 < len(modules) else None
    return redirect(_module_url(found, following) if following else _course_url(found))


@bp.app_template_global()
def module_url(course, module, **kwargs) -> str:
    return _module_url(course, module, **kwargs)


@bp.app_template_global()
def course_url(course, **kwargs) -> str:
    return _course_url(course, **kwargs)


@bp.app_template_global()
def edition_link_text(language: str) -> str:
    """ "Read the English edition" / "Soma toleo la Kiswahili": in the target edition's language,
    whatever the page's language (the link carries a matching lang attribute)."""
    with force_locale(language):
        if language == "sw":
            return _("Read the Swahili edition")
        return _("Read the English edition")
