"""Learner pages: course page with enrolment, module pages, knowledge checks, dashboard."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.access import confirmed_required
from wired4ex.catalog.services import find_course, get_course
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.learning import bp, services
from wired4ex.learning.course_parts import course_parts, member_module_list, member_progress_box
from wired4ex.learning.forms import (
    EnrolForm,
    FreshButtonForm,
    MarkDoneForm,
    UnenrolForm,
    quiz_form_class,
)
from wired4ex.learning.quizform import QuizView
from wired4ex.learning.reader import reader_state
from wired4ex.learning.records import member_records
from wired4ex.learning.scoring import attempt_questions
from wired4ex.readonly import reads_only
from wired4ex.ui import confirmation_page


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


def _shown_course_or_404(institution: str, course: str):
    """A published course from the course structure of this content version (read-only: for
    pages that show it, never for changing it)."""
    found = find_course(institution, course)
    if found is None or found.status != "published":
        abort(404)
    return found


@bp.get("/courses/<institution>/<course>/")
@reads_only
def course(institution: str, course: str):
    # The course from the structure of this content version, the member's records in one
    # statement; the parts made of content, and the member's progress and module list as they
    # read, are rendered once per content version and language (learning.course_parts).
    found = _shown_course_or_404(institution, course)
    enrolment = progress = None
    missing = []
    if current_user.is_authenticated:
        records = member_records(
            current_user.id, [module.id for module in found.modules], course_id=found.id
        )
        enrolment = records.enrolments.get(found.id)
        progress = services.progress_from_records(found, enrolment, records)
        missing = services.missing_prerequisites(
            current_user.id, found, set(records.course_completions)
        )
    active = enrolment is not None and enrolment.status == "active"
    return render_template(
        "learning/course.html",
        course=found,
        parts=course_parts(found),
        modules=member_module_list(found, progress) if active else None,
        progress_box=member_progress_box(found, progress) if active else None,
        enrolment=enrolment,
        progress=progress,
        missing=missing,
        enrol_form=EnrolForm() if current_user.is_authenticated and not active else None,
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


@bp.route("/courses/<institution>/<course>/unenrol", methods=["GET", "POST"])
@login_required
def unenrol(institution: str, course: str):
    """GET asks for confirmation on a page of its own (no script needed); POST leaves."""
    found = _published_course_or_404(institution, course)
    if request.method == "GET":
        enrolment = services.get_enrolment(current_user.id, found.id)
        if enrolment is None or enrolment.status != "active":
            return redirect(_course_url(found))
        return confirmation_page(
            _("Leave the course %(title)s?", title=found.title),
            [_("The course is taken off My learning and you can no longer open its modules."),
             _("Your completed modules and CPD points are kept. Enrol again at any time to continue where you stopped.")],
            UnenrolForm(), (_course_url(found), _("No, stay in the course")),
        )  # fmt: skip
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


def _leave_reads_only() -> None:
    """Before the module page writes: end the session it reads in (in autocommit mode on
    PostgreSQL, @reads_only), so that the write runs in a transaction of its own, on a
    connection in the default mode (the mode is reset when the connection goes back to the
    pool). Only the first visit of a module, a change of module, a new attempt or a change of
    edition write, so the reads of every other view of the page need no transaction."""
    db.session.commit()


@bp.get("/courses/<institution>/<course>/<module>")
@login_required
@reads_only
def module(institution: str, course: str, module: str):
    # The course structure of this content version, and the member's state with the module's
    # HTML in one statement; progress is written only when it changes what is stored, in a
    # transaction (_leave_reads_only).
    found = _shown_course_or_404(institution, course)
    modules, position = _module_or_404(found, module)
    current = modules[position]
    version = current.current_version
    state = reader_state(current_user.id, found.id, current.id, version.id)
    enrolment = state.enrolment
    if not services.can_read_modules(current_user, found, enrolment):
        # Switching language: a member of the other edition is enrolled in this one on arrival.
        _leave_reads_only()
        if services.switch_edition(current_user, found) is None:
            flash(_("Enrol in the course to read its modules."), "info")
            return redirect(_course_url(found))
        state = reader_state(current_user.id, found.id, current.id, version.id)
        enrolment = state.enrolment
    enrolled = enrolment is not None and enrolment.status == "active"
    quiz = QuizView()
    if enrolled:
        # Not when the phone fetches the page to save it for later.
        if state.needs_visit(current.id) and not request.headers.get("X-W4X-Save"):
            at = utcnow()
            _leave_reads_only()
            services.record_visit(current_user.id, enrolment.id, current.id, at=at)
            state.started_at = state.started_at or at
        quiz = _quiz_view(current, version, request.args.get("attempt", type=int), state=state)
    return _render_module(found, modules, position, enrolled, quiz, state=state)


def _quiz_view(module, version, attempt_id: int | None, state=None) -> QuizView:
    view = QuizView()
    if attempt_id is not None:
        attempt = services.get_attempt(current_user.id, attempt_id, module.id)
        if attempt is not None and attempt.submitted:
            view.review = services.review_attempt(attempt)
    if not version.quiz:
        return view
    if state is not None and view.review is None:
        opened = state.open_attempt
        if opened is not None and opened.module_version_id == version.id:
            # The open attempt read with the page: nothing to write, nothing more to read.
            view.questions = attempt_questions(version.quiz, opened.layout)
            view.token = services.issue_answer_sheet(opened)
            view.version_id = opened.module_version_id
            view.allowance = state.allowance(version)
            return view
    completion = services.get_completion(current_user.id, module.id)
    if completion and view.review and view.review.attempt.passed:
        # just passed: the review, and a link to take the check again if an attempt is left
        view.allowance = services.attempt_allowance(current_user.id, module.id, version)
        return view
    _leave_reads_only()  # opening an attempt writes
    try:
        attempt = services.open_attempt(current_user, module, version)
    except services.AttemptsUsedUp as used_up:
        view.allowance = used_up.allowance
        return view
    except services.LearningError:
        return view
    view.questions = services.shown_questions(attempt)
    view.token = services.issue_answer_sheet(attempt)
    view.version_id = attempt.module_version_id
    view.allowance = services.attempt_allowance(current_user.id, module.id, version)
    return view


class _ShownVersion:
    """A module version of the course structure with its HTML, read for the page."""

    def __init__(self, version, html: str):
        self._version, self.html = version, html

    def __getattr__(self, name):
        return getattr(self._version, name)


def _render_module(course, modules, position, enrolled, quiz, status=200, state=None):
    current = modules[position]
    other_edition = course.published_other_edition
    reading_left = None
    quiz_module = bool(current.current_version.quiz)
    if state is not None:
        completion = state.completion
        version = _ShownVersion(current.current_version, state.html)
        if enrolled and not completion and not quiz_module:
            reading_left = state.reading_time_left(current)
    else:
        completion = services.get_completion(current_user.id, current.id)
        version = current.current_version
        if enrolled and not completion and not quiz_module:
            reading_left = services.reading_time_left(current_user.id, current)
    shows_mark_done = enrolled and not quiz_module and not completion  # module.html
    return (
        render_template(
            "learning/module.html",
            course=course,
            module=current,
            other_edition=other_edition,
            other_module=services.paired_module(current) if other_edition else None,
            version=version,
            previous=modules[position - 1] if position > 0 else None,
            next=modules[position + 1] if position + 1 < len(modules) else None,
            position=position + 1,
            total=len(modules),
            enrolled=enrolled,
            completion=completion,
            quiz=quiz,
            reading_left=reading_left,
            minutes_text=services.minutes_text,
            mark_done_form=FreshButtonForm(MarkDoneForm) if shows_mark_done else None,
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
    if not form.validate_on_submit():  # the quiz's error summary names each unanswered question
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
