"""Catalogue pages: the course list with its filters, and course images."""

from flask import abort, current_app, make_response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from wired4ex import pagecache
from wired4ex.catalog import bp, services
from wired4ex.catalog.forms import LANGUAGE_NAMES, CatalogFilterForm
from wired4ex.catalog.media import SVG_CONTENT_SECURITY_POLICY, SVG_TYPE
from wired4ex.readonly import reads_only


@bp.app_context_processor
def _catalog_labels() -> dict:
    return {"language_name": _language_name}


# The filters the catalogue reads from its address, as the form reads them (the first value of
# each, the form's default when absent).
FILTER_FIELDS = ("q", "sort", "institution", "competency", "language")


@bp.get("/")
@reads_only
def index():
    # The page's content is made of content only: rendered once per content version, language
    # and filter values (pagecache), with no statement of its own after the first time.
    asked = tuple(request.args.get(name) for name in FILTER_FIELDS)
    catalogue = pagecache.part("catalogue", asked, _catalogue)
    return render_template("catalog/index.html", catalogue=catalogue)


def _catalogue() -> Markup:
    form = CatalogFilterForm(request.args)
    form.set_choices(services.list_institutions(), services.list_competency_domains())
    # A search longer than the field allows is cut, not refused: a catalogue always answers.
    text = (form.q.data or "").strip()[:200] or None
    sort = form.sort.data if form.sort.data in services.SORTS else "relevance"
    filters = services.CatalogFilters(
        institution=form.institution.data or None,
        competency=form.competency.data or None,
        language=form.language.data or None,
        text=text,
    )
    courses = services.list_published_courses(filters, sort)
    template = current_app.jinja_env.get_template("catalog/_catalogue.html")
    return Markup(
        template.render(
            form=form,
            courses=courses,
            filtered=any(vars(filters).values()),
            searched=text,
            competency_names=services.competency_names(),
            language_name=_language_name,
        )
    )


def _language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _may_preview(course) -> bool:
    """Images of unpublished courses are for their authors' previews: admins and the faculty of
    the course's institution."""
    if not current_user.is_authenticated:
        return False
    return current_user.is_admin or (
        current_user.is_faculty and current_user.institution_id == course.institution_id
    )


@bp.get("/competencies")
def competencies():
    """The competency framework, public: courses, claims and certificates refer to its codes."""
    return render_template("catalog/competencies.html", domains=services.list_competency_domains())


@bp.get("/courses/<institution>/<course>/media/<path:name>")
def media(institution: str, course: str, name: str):
    found = services.get_course(institution, course)
    if found is None or (found.status != "published" and not _may_preview(found)):
        abort(404)
    image = services.get_media(found, name)
    if image is None:
        abort(404)
    response = make_response(image.data)
    response.headers["Content-Type"] = image.content_type
    if image.content_type == SVG_TYPE:  # cleaned at import; still, a document: no script, no loads
        response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
    # Published images are the same for everyone; a draft course's are for its authors only.
    published = found.status == "published"
    response.headers["Cache-Control"] = (
        "public, max-age=86400" if published else "private, no-store"
    )
    response.set_etag(image.sha256)
    return response.make_conditional(request)
