"""The endpoints of the JSON API v1: thin views over the same services as the pages."""

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _

from wired4ex.api import bp, serializers, services
from wired4ex.api.access import (
    ApiError,
    admin_required,
    api_limit,
    member_required,
    require_scope,
    scope_required,
)
from wired4ex.api.schemas.openapi import build_document
from wired4ex.auth.forms import LANGUAGE_CHOICES
from wired4ex.auth.models import MembershipCategory, RoleName, User
from wired4ex.catalog import services as catalog
from wired4ex.certification import services as certification
from wired4ex.certification.eligibility import load_programmes
from wired4ex.cpd import services as cpd
from wired4ex.cpd import statements
from wired4ex.cpd.policy import load_policy
from wired4ex.fields import EARLIEST_DATE, latest_period_date
from wired4ex.learning import services as learning
from wired4ex.timeutil import local_today

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_TEXT = 200
MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id cannot exist (and must not reach the query)


# -- query parameters -----------------------------------------------------------------------------


def _integer(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(
            400,
            _(
                "`%(name)s` must be a whole number from %(low)d to %(high)d.",
                name=name,
                low=low,
                high=high,
            ),
        )
    return int(raw)


def _choice(name: str, choices) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ApiError(
            400, _("`%(name)s` must be one of: %(choices)s.", name=name, choices=", ".join(choices))
        )
    return raw


def _text(name: str) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if len(raw) > MAX_TEXT:
        raise ApiError(
            400, _("`%(name)s` is longer than %(max)d characters.", name=name, max=MAX_TEXT)
        )
    return raw or None


def _boolean(name: str) -> bool | None:
    value = _choice(name, ("true", "false"))
    return None if value is None else value == "true"


def _paging() -> tuple[int, int]:
    page = _integer("page", 1, 1, 1_000_000)
    per_page = _integer("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


def _paginated(page: services.Page, items: list[dict], **extra) -> dict:
    """The list envelope: data, pagination figures and links that keep the other parameters."""
    args = request.args.to_dict()

    def link(number: int) -> str:
        values = {**(request.view_args or {}), **args, "page": number, "per_page": page.per_page}
        return url_for(request.endpoint, **values)

    return {
        **extra,
        "data": items,
        "pagination": {
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
        },
        "links": {
            "self": link(page.page),
            "first": link(1),
            "last": link(page.pages),
            "prev": link(page.page - 1) if page.page > 1 else None,
            "next": link(page.page + 1) if page.page < page.pages else None,
        },
    }


def _cycle(policy):
    year = _integer("cycle", None, EARLIEST_DATE.year, latest_period_date().year)
    if year is None:
        return policy.cycle_for(local_today())
    return policy.cycle_starting(year)


# -- public -----------------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_document())


@bp.get("/catalog/courses")
@api_limit
@scope_required("catalogue")
def catalog_courses():
    filters = catalog.CatalogFilters(
        institution=_text("institution"),
        competency=_text("competency"),
        language=_choice("language", [code for code, _name in LANGUAGE_CHOICES]),
    )
    page, per_page = _paging()
    found = services.page_of_list(catalog.list_published_courses(filters), page, per_page)
    return jsonify(_paginated(found, [serializers.course_summary(s) for s in found.items]))


@bp.get("/courses/<institution>/<course>")
@api_limit
@scope_required("catalogue")
def course(institution: str, course: str):
    found = catalog.get_course(institution, course)
    if found is None or found.status != "published":
        raise ApiError(404, _("No published course has this id."))
    return jsonify(serializers.course_detail(catalog.summarise(found)))


@bp.get("/verify/<code>")
@api_limit
def verify(code: str):
    statement = statements.find_by_code(code)
    if statement is not None:
        return jsonify(serializers.verified_statement(statement))
    certificate = certification.find_certificate(code)
    if certificate is not None:
        state = certificate.state_on(local_today())
        return jsonify(serializers.verified_certificate(certificate, state))
    raise ApiError(404, _("No statement or certificate has this code."))


# -- the caller's own data ----------------------------------------------------------------------------


@bp.get("/me")
@api_limit
@member_required
def me():
    return jsonify(serializers.user(g.api_user))


@bp.get("/me/enrolments")
@api_limit
@member_required
def my_enrolments():
    board = learning.dashboard(g.api_user.id, local_today())
    progress = board.in_progress + board.completed
    return jsonify({"data": [serializers.progress(item) for item in progress]})


def _cpd_for(member: User):
    policy = load_policy()
    summary = cpd.member_summary(policy, member, _cycle(policy), local_today())
    return jsonify(serializers.cpd_summary(member, summary))


@bp.get("/me/cpd")
@api_limit
@member_required
def my_cpd():
    return _cpd_for(g.api_user)


@bp.get("/me/certifications")
@api_limit
@member_required
def my_certifications():
    statuses = certification.member_statuses(
        g.api_user, load_programmes(), load_policy(), local_today()
    )
    return jsonify({"data": [serializers.programme_status(status) for status in statuses]})


@bp.get("/me/statements")
@api_limit
@member_required
def my_statements():
    issued = statements.member_statements(g.api_user.id)
    return jsonify({"data": [serializers.statement(item) for item in issued]})


# -- the secretariat ------------------------------------------------------------------------------------


@bp.get("/members")
@api_limit
@admin_required
def members():
    filters = services.MemberFilters(
        q=_text("q"),
        membership_category=_choice("membership_category", list(MembershipCategory)),
        role=_choice("role", list(RoleName)),
        institution=_text("institution"),
        country=_text("country"),
        active=_boolean("active"),
    )
    page, per_page = _paging()
    found = services.page_of_query(services.members_query(filters), page, per_page)
    return jsonify(_paginated(found, [serializers.member_row(user) for user in found.items]))


@bp.get("/members/<int:member_id>/cpd")
@api_limit
@member_required
def member_cpd(member_id: int):
    # Members may read their own record here; anyone else's is "not found", never "forbidden",
    # so ids cannot be probed.
    caller = g.api_user
    if (not caller.is_admin and caller.id != member_id) or member_id > MAX_ID:
        raise ApiError(404, _("No member has this id."))
    if caller.id != member_id:
        require_scope("admin:read")
    member = services.get_member(member_id)
    if member is None:
        raise ApiError(404, _("No member has this id."))
    return _cpd_for(member)


@bp.get("/reports/cpd-compliance")
@api_limit
@admin_required
def cpd_compliance():
    policy = load_policy()
    cycle = _cycle(policy)
    category = _choice("membership_category", list(MembershipCategory))
    status = _choice("status", ("met", "not_met", "exempt"))
    page, per_page = _paging()
    report = services.compliance_report(policy, cycle, local_today(), category)
    rows = [
        (member, summary)
        for member, summary in report.rows
        if status is None or services.compliance_status(summary) == status
    ]
    found = services.page_of_list(rows, page, per_page)
    body = _paginated(
        found,
        [serializers.compliance_row(member, summary) for member, summary in found.items],
        cycle=serializers.cycle(cycle),
        counts=report.counts,
    )
    return jsonify(body)
