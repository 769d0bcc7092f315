"""Report pages: the M&E dashboard (admins) and course reports (faculty of the course, admins)."""

from functools import wraps

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.admin import bp, course_reports, exports, queue, reports, services
from wired4ex.admin.charts import bar_chart
from wired4ex.admin.forms import CourseFilterForm, DashboardForm
from wired4ex.admin.headlines import headlines, month_name
from wired4ex.admin.views import valid
from wired4ex.auth.access import admin_required
from wired4ex.auth.forms import MEMBERSHIP_LABELS, country_choices
from wired4ex.catalog.models import Course
from wired4ex.cpd.views import policy_or_503
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

DASHBOARD_TABLES = ("months", "courses", "institutions", "countries", "compliance", "certificates")
COURSE_TABLES = ("learners", "questions", "completions", "checks")


def faculty_or_admin_required(view):
    """Admins, and faculty of an institution; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not (current_user.is_admin or (current_user.is_faculty and current_user.institution_id)):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


# -- the M&E dashboard ---------------------------------------------------------------------------


def _chosen_year() -> tuple[DashboardForm, int]:
    this_year = local_today().year
    form = DashboardForm(request.args)
    form.year.choices = [(year, str(year)) for year in range(this_year, this_year - 6, -1)]
    form.validate()
    year = valid(form, "year") or this_year
    form.year.data = year
    return form, year


def _dashboard():
    policy = policy_or_503()
    form, year = _chosen_year()
    board = reports.dashboard(policy, year, local_today(), dict(country_choices()))
    return form, board


def _charts(board: reports.Dashboard) -> dict:
    both = [_("Enrolments"), _("Completions")]

    def pair(rows):
        return [(both[0], [r.enrolments for r in rows]), (both[1], [r.completions for r in rows])]

    months = board.months
    return {
        "months": bar_chart(
            "chart-months",
            _("Enrolments and completions per month, %(year)s", year=board.year),
            [month_name(r.label, with_year=False) for r in months],
            pair(months),
            empty_text=_("No enrolments or completions in %(year)s.", year=board.year),
        ),  # fmt: skip
        "courses": bar_chart(
            "chart-courses",
            _("Enrolments and completions per course"),
            [r.label for r in board.courses],
            pair(board.courses),
            empty_text=_("No course had enrolments or completions in %(year)s.", year=board.year),
        ),  # fmt: skip
        "institutions": bar_chart(
            "chart-institutions",
            _("Per institution"),
            [r.label for r in board.institutions],
            pair(board.institutions),
            empty_text=_(
                "No institution's course had enrolments or completions in %(year)s.",
                year=board.year,
            ),
        ),  # fmt: skip
        "countries": bar_chart(
            "chart-countries",
            _("Per member's country"),
            [r.label for r in board.countries],
            pair(board.countries),
            empty_text=_("No member enrolled or completed a course in %(year)s.", year=board.year),
        ),  # fmt: skip
        "compliance": bar_chart(
            "chart-compliance",
            _("Members meeting the CPD target, %(cycle)s", cycle=board.cycle.label),
            [
                str(MEMBERSHIP_LABELS.get(r.category, r.category))
                for r in board.compliance
                if not r.exempt
            ],
            [
                (
                    _("Share meeting the target"),
                    [r.share or 0 for r in board.compliance if not r.exempt],
                )
            ],
            maximum=100,
            suffix="%",
            empty_text=_(
                "No member has met the CPD target in cycle %(cycle)s yet.", cycle=board.cycle.label
            ),
        ),  # fmt: skip
        "certificates": bar_chart(
            "chart-certificates",
            _("Certificates issued in %(year)s and expiring in 90 days", year=board.year),
            [r.programme for r in board.certificates],
            [
                (_("Issued"), [r.issued for r in board.certificates]),
                (_("Expiring"), [r.expiring for r in board.certificates]),
            ],
            empty_text=_(
                "No certificates were issued in %(year)s and none expire in the next 90 days.",
                year=board.year,
            ),
        ),  # fmt: skip
    }


@bp.get("/dashboard")
@admin_required
def dashboard():
    form, board = _dashboard()
    links = {"members": url_for("admin.members"), "claims": url_for("cpd.review_queue")}
    return render_template(
        "admin/dashboard.html", form=form, board=board, charts=_charts(board),
        queues=queue.work_queue(), now=utcnow(),
        headlines=headlines(board, policy_or_503(), local_today(), links),
    )  # fmt: skip


def _dashboard_table(board: reports.Dashboard, table: str):
    counts = ["enrolments", "completions"]
    if table == "months":
        return ["month", *counts], ([r.label, r.enrolments, r.completions] for r in board.months)
    if table in ("courses", "institutions", "countries"):
        rows = getattr(board, table)
        return ["key", "name", *counts], (
            [r.key, r.label, r.enrolments, r.completions] for r in rows
        )
    if table == "compliance":
        return (["membership_category", "cycle", "members", "met_target", "share_percent"],
                ([r.category, board.cycle.label, r.members, "exempt" if r.exempt else r.met,
                  "" if r.share is None else r.share] for r in board.compliance))  # fmt: skip
    return (["programme", f"issued_{board.year}", "expiring_next_90_days"],
            ([r.programme, r.issued, r.expiring] for r in board.certificates))  # fmt: skip


@bp.get("/dashboard/<any(" + ", ".join(DASHBOARD_TABLES) + "):table>.csv")
@admin_required
def dashboard_csv(table: str):
    _form, board = _dashboard()
    header, rows = _dashboard_table(board, table)
    return exports.csv_response(f"{table}-{board.year}.csv", header, rows)


# -- course reports --------------------------------------------------------------------------------


@bp.get("/courses")
@faculty_or_admin_required
def courses():
    found = db.session.scalars(services.visible_courses(current_user)).all()
    return render_template("admin/courses.html", courses=found)


def _visible_course_or_404(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    if not current_user.is_admin and course.institution_id != current_user.institution_id:
        abort(404)  # another institution's course: not there, as far as this user knows
    return course


def _course_filters():
    form = CourseFilterForm(request.args)
    form.setup()
    form.validate()
    return form, valid(form, "country"), valid(form, "category")


@bp.get("/courses/<int:course_id>")
@faculty_or_admin_required
def course_report(course_id: int):
    course = _visible_course_or_404(course_id)
    form, country, category = _course_filters()
    learners = course_reports.learner_rows(course_reports.learners_query(course, country, category))
    months = list(db.session.execute(course_reports.completions_query(course, country, category)))
    chart = bar_chart("chart-course-completions", _("Completions per month"),
                      [month_name(m) for m, _n in months], [(_("Completions"), [n for _m, n in months])],
                      empty_text=_("No learner has completed this course yet."))  # fmt: skip
    return render_template(
        "admin/course_report.html",
        course=course,
        form=form,
        learners=learners,
        completed=sum(1 for row in learners if row.completed_at),
        questions=course_reports.question_rows(course, country, category),
        quiz_modules=course_reports.module_rows(course, country, category),
        min_attempts=course_reports.MIN_ATTEMPTS_SHOWN,
        months=months,
        chart=chart,
        args=request.args.to_dict(),
    )


@bp.get("/courses/<int:course_id>/<any(" + ", ".join(COURSE_TABLES) + "):table>.csv")
@faculty_or_admin_required
def course_csv(course_id: int, table: str):
    course = _visible_course_or_404(course_id)
    _form, country, category = _course_filters()
    name = f"{course.institution.slug}-{course.slug}-{table}.csv"
    if table == "learners":
        rows = (
            [r[0], r[1], r[2], r[3], r[4], r[5].isoformat(), r[6], r[7], r[8],
             r[9].isoformat() if r[9] else ""]
            for r in exports.streamed(course_reports.learners_query(course, country, category))
        )  # fmt: skip
        header = ["user_id", "full_name", "email", "country", "membership_category",
                  "enrolled_at", "enrolment_status", "modules_done", "modules_total", "completed_at"]  # fmt: skip
        return exports.csv_response(name, header, rows)
    if table == "questions":
        # A share from fewer than MIN_ATTEMPTS_SHOWN attempts is left empty, as on the page.
        rows = ([q.module, q.question, q.attempts, q.correct if q.shown else "",
                 q.pass_rate if q.shown else ""]
                for q in course_reports.question_rows(course, country, category))  # fmt: skip
        header = ["module", "question", "attempts", "answered_right", "pass_rate_percent"]
        return exports.csv_response(name, header, rows)
    if table == "checks":
        rows = ([m.module, m.attempts, m.passed, m.pass_rate]
                for m in course_reports.module_rows(course, country, category))  # fmt: skip
        return exports.csv_response(
            name, ["module", "attempts", "passed", "pass_rate_percent"], rows
        )
    rows = exports.streamed(course_reports.completions_query(course, country, category))
    return exports.csv_response(name, ["month", "completions"], rows)
