"""Catalogue pages: the course list, course overviews, module pages and their images."""

from flask import abort, make_response, render_template, request

from wired4ex.catalog import bp, services
from wired4ex.catalog.forms import LANGUAGE_NAMES, CatalogFilterForm


@bp.app_context_processor
def _catalog_labels() -> dict:
    return {"language_name": lambda code: LANGUAGE_NAMES.get(code, code)}


@bp.get("/")
def index():
    form = CatalogFilterForm(request.args)
    form.set_choices(services.list_institutions(), services.list_competency_domains())
    filters = services.CatalogFilters(
        institution=form.institution.data or None,
        competency=form.competency.data or None,
        language=form.language.data or None,
    )
    courses = services.list_published_courses(filters)
    return render_template(
        "catalog/index.html",
        form=form,
        courses=courses,
        filtered=any(vars(filters).values()),
        competency_names=services.competency_names(),
    )


def _published_course_or_404(institution: str, course: str):
    found = services.get_course(institution, course)
    if found is None or found.status != "published":
        abort(404)
    return found


@bp.get("/courses/<institution>/<course>/")
def course(institution: str, course: str):
    found = _published_course_or_404(institution, course)
    prerequisites = services.get_courses_by_key(found.prerequisites)
    return render_template(
        "catalog/course.html",
        course=found,
        summary=services.summarise(found),
        prerequisites=prerequisites,
        competency_names=services.competency_names(),
    )


@bp.get("/courses/<institution>/<course>/<module>")
def module(institution: str, course: str, module: str):
    found = _published_course_or_404(institution, course)
    modules = found.active_modules
    position = next((i for i, m in enumerate(modules) if m.key == module), None)
    if position is None or modules[position].current_version is None:
        abort(404)
    current = modules[position]
    return render_template(
        "catalog/module.html",
        course=found,
        module=current,
        version=current.current_version,
        previous=modules[position - 1] if position > 0 else None,
        next=modules[position + 1] if position + 1 < len(modules) else None,
        position=position + 1,
        total=len(modules),
    )


@bp.get("/courses/<institution>/<course>/media/<path:name>")
def media(institution: str, course: str, name: str):
    found = _published_course_or_404(institution, course)
    image = services.get_media(found, name)
    if image is None:
        abort(404)
    response = make_response(image.data)
    response.headers["Content-Type"] = image.content_type
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.set_etag(image.sha256)
    return response.make_conditional(request)
