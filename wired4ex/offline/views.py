"""The installable web app and offline learning: the manifest, the service worker, the offline
page, saving a course for offline reading, the answers a phone sends back, the printable pack.

Every page here works without JavaScript. With the service worker (static/sw.js, registered by
static/offline.js), the forms "Save for offline" and "Remove" are handled on the phone; without
it they reach these views, which explain what the browser cannot do and offer the PDF instead.
"""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from wired4ex import pagecache
from wired4ex.catalog.services import get_course
from wired4ex.extensions import limiter
from wired4ex.learning import services as learning
from wired4ex.learning.views import _course_url, _published_course_or_404
from wired4ex.offline import bp, services, submissions
from wired4ex.offline.services import STATIC

SAVE_HEADER = "X-W4X-Save"  # the service worker fetching pages to keep: no visit is recorded
MEMBER_HEADER = "X-W4X-Member"


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site's root so that its scope is the whole site."""
    response = send_from_directory(STATIC, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up at once
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    icons = [
        {"src": url_for("static", filename=name), "sizes": size, "type": kind, "purpose": purpose}
        for name, size, kind, purpose in (
            ("icon-192.png", "192x192", "image/png", "any"),
            ("icon-512.png", "512x512", "image/png", "any"),
            ("icon-maskable-512.png", "512x512", "image/png", "maskable"),
            ("logo.svg", "any", "image/svg+xml", "any"),
        )
    ]
    body = {
        "name": f"Wired4EX · {current_app.config['ASSOCIATION_SHORT_NAME']}",
        "short_name": "Wired4EX",
        "description": _("Courses and CPD for health managers, online or saved on your phone."),
        "lang": str(get_locale() or "en"),
        "start_url": "/dashboard",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5e55",
        "icons": icons,
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline_page():
    """What the phone shows when a page was not saved and there is no connection."""
    return render_template("offline/offline.html")


@bp.get("/offline/kept")
@login_required
def kept():
    """Shown by the service worker after answers or a "done" were kept on the phone."""
    return render_template("offline/kept.html")


@bp.get("/offline/saved")
@login_required
def saved():
    """The courses saved on this phone (listed by offline.js from the phone's storage)."""
    return render_template("offline/saved.html")


@bp.post("/offline/saved/remove")
@login_required
def remove():
    """Reached only without the service worker: nothing was saved on this device."""
    flash(_("Nothing is saved on this device for offline reading."), "info")
    return redirect(url_for("offline.saved"), 303)


@bp.post("/courses/<institution>/<course>/save-offline")
@login_required
def save(institution: str, course: str):
    """Reached only when the browser did not save the course itself (no service worker)."""
    found = _published_course_or_404(institution, course)
    flash(_("This browser could not save the course for offline reading: saving needs a recent "
            "browser with JavaScript turned on, and a connection. You can download the course "
            "as a PDF instead."), "error")  # fmt: skip
    return redirect(_course_url(found), 303)


def _reader_or_403(institution: str, course: str):
    found = _published_course_or_404(institution, course)
    enrolment = learning.get_enrolment(current_user.id, found.id)
    if not learning.can_read_modules(current_user, found, enrolment):
        abort(403)
    return found, enrolment


@bp.get("/courses/<institution>/<course>/offline.json")
@login_required
def course_manifest(institution: str, course: str):
    """What "Save for offline" fetches and keeps: enrolled members only."""
    found, enrolment = _reader_or_403(institution, course)
    if enrolment is None or enrolment.status != "active":
        abort(403)
    return jsonify(services.offline_manifest(found, current_user.id))


@bp.get("/courses/<institution>/<course>/pack.pdf")
@login_required
def pack(institution: str, course: str):
    """The course as one PDF, for whoever may read its modules."""
    found, _enrolment = _reader_or_403(institution, course)
    pdf = services.get_pack_pdf(found.id)
    if pdf is None:
        abort(404)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found.institution.slug}-{found.slug}.pdf"'
    )
    return response


# -- answers sent back from the phone ------------------------------------------------------------


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"status": "refused", "message": message})
    response.status_code = status
    return response


@bp.get("/offline/sync")
def sync_token():
    """A CSRF token for the service worker's next submission (it never sees a form)."""
    if not current_user.is_authenticated:
        return _json_error(401, _("Log in to send the answers kept on this phone."))
    return jsonify({"csrf": generate_csrf(), "member": services.member_tag(current_user.id)})


@bp.post("/offline/sync")
@limiter.limit("120 per minute")
def sync():
    """One submission kept on the phone: {"id", "path", "fields", "at", "opened"}."""
    if not current_user.is_authenticated:
        return _json_error(401, _("Log in to send the answers kept on this phone."))
    payload = request.get_json(silent=True)
    if payload is None:
        return _json_error(400, _("The submission is not readable."))
    try:
        outcome = submissions.apply(current_user, payload)
    except submissions.Refused as refused:
        current_app.logger.info("offline submission refused: %s", refused)
        return _json_error(refused.status, str(refused))
    return jsonify({"status": outcome.status, "message": outcome.message, **outcome.details})


@bp.app_template_global()
def offline_block(course) -> Markup:
    """ "Offline and on paper" on the page of a course the member is enrolled in: rendered once
    per content version and language, around the place of the CSRF token of its form, which is
    this request's (the block shows nothing else of the member)."""
    token = str(escape(generate_csrf()))
    parts = pagecache.part("course-offline", course.id, lambda: _block_around(course, token))
    return Markup(token.join(parts))


def _block_around(course, token: str) -> tuple[str, ...]:
    html = current_app.jinja_env.get_template("offline/_course_block.html").render(course=course)
    return tuple(html.split(token))


@bp.app_template_global()
def course_pack(course):
    """The pack of a course for its page: sizes and when it was made, read once per content
    version (a pack made or made again changes the version: services.refresh_pack). Without a
    pack (it could not be made), the size to save is counted and there is no PDF."""
    return pagecache.part("course-pack", course.id, lambda: _course_pack(course))


def _course_pack(course):
    pack = services.pack_info(course.id)
    if pack is not None:
        return pack
    # The course of the structure holds no module HTML: count from the course as stored.
    stored = get_course(course.institution.slug, course.slug)
    return services.PackInfo(None, services.offline_bytes(stored), None)


@bp.app_template_global()
def size_text(size: int) -> str:
    return services.size_text(size)


@bp.after_app_request
def _member_header(response: Response) -> Response:
    """Pages tell the service worker whose they are (an opaque tag): it keeps each member's
    saved courses apart and drops them when another member signs in on the phone."""
    if response.mimetype == "text/html" and current_user and current_user.is_authenticated:
        response.headers[MEMBER_HEADER] = services.member_tag(current_user.id)
    return response
