"""The design system's helpers for templates: the service navigation and its current page, and
the page chrome (head links, header, footer) every page shares.

The components themselves are Jinja macros in `templates/_ui.html`, with their CSS in
`static/site.css`; `static/README.md` documents both.
"""

import secrets
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

# Stand-ins for a request's own values in a drawn header, replaced by them on every request.
CSRF_SLOT = "csrf-" + secrets.token_hex(16)
NEXT_SLOT = "next-" + secrets.token_hex(16)
CHROME_ENTRIES = 512  # languages x roles x unread counts x sections; emptied when full


@dataclass(frozen=True)
class NavItem:
    """One link of the service navigation; `current` marks the page (or section) being shown."""

    href: str
    label: str
    current: bool = False


def _links() -> tuple[tuple[str, str], ...]:
    """(href, label) of the navigation for the signed-in person's roles, or for a visitor; built
    once per process for each language, URL root, set of roles and unread count."""
    user = current_user
    if user.is_authenticated:
        faculty_of = user.is_faculty and bool(user.institution_id)
        roles = (user.is_admin, user.is_faculty, faculty_of, user.unread_notifications or 0)
    else:
        roles = None
    key = ("links", str(get_locale() or "en"), request.script_root, roles)
    store = current_app.extensions.setdefault("wired4ex.chrome", {})
    found = store.get(key)
    if found is None:
        if len(store) >= CHROME_ENTRIES:
            store.clear()
        found = store[key] = tuple(_build_links(roles))
    return found


def _build_links(roles: tuple | None) -> list[tuple[str, str]]:
    links = [(url_for("catalog.index"), _("Courses"))]
    if roles is None:
        return links
    is_admin, is_faculty, faculty_of_institution, unread = roles
    links += [
        (url_for("home.dashboard"), _("My learning")),
        (url_for("cpd.index"), _("My CPD")),
        (url_for("certification.index"), _("Certifications")),
        (url_for("events.index"), _("Events")),
    ]
    if is_faculty or is_admin:
        links.append((url_for("authoring.index"), _("Authoring")))
    if is_admin:
        links += [
            (url_for("cpd.review_queue"), _("Verify claims")),
            (url_for("certification.applications"), _("Applications")),
            (url_for("admin.dashboard"), _("Admin")),
        ]
    elif faculty_of_institution:
        links.append((url_for("admin.courses"), _("My courses' learners")))
    # The unread count is a column of the signed-in user: no query.
    links.append(
        (
            url_for("notifications.index"),
            _("Notifications (%(count)s)", count=unread) if unread else _("Notifications"),
        )
    )
    links.append((url_for("auth.profile"), _("Profile")))
    return links


def current_href(path: str, hrefs: list[str]) -> str | None:
    """The link a path belongs to: the longest href that is the path or a folder above it
    ("/cpd/claims/3" belongs to "/cpd/"; "/" only to itself and to course pages)."""
    best = None
    for href in hrefs:
        if href == "/":
            matches = path == "/" or path.startswith("/courses/")
        else:
            matches = path == href or path.startswith(href.rstrip("/") + "/")
        if matches and (best is None or len(href) > len(best)):
            best = href
    return best


def navigation() -> list[NavItem]:
    """The service navigation for this request, the current section marked."""
    links = _links()
    here = current_href(request.path, [href for href, _label in links])
    return [NavItem(href, label, href == here) for href, label in links]


@dataclass(frozen=True)
class Chrome:
    """The parts of base.html that are the same on many pages, ready to insert."""

    head: Markup
    header: Markup
    footer: Markup


def _drawn(key: tuple, template: str, **context) -> str:
    """`template` drawn with `context`, once per process for `key` (which must hold everything
    the drawing depends on)."""
    store = current_app.extensions.setdefault("wired4ex.chrome", {})
    found = store.get(key)
    if found is None:
        if len(store) >= CHROME_ENTRIES:
            store.clear()
        found = store[key] = render_template(template, **context)
    return found


def page_chrome() -> Chrome:
    """This request's head links, header and footer.

    Drawing them costs more than most pages' own content (some twenty URLs and translations),
    and they depend on little: the language, the URL root, the navigation (the person's roles
    and unread count, the current section) and, for a visitor, whether this is the log-in or
    register page. Each is drawn once per process for each such combination; the request's
    CSRF token and its path (the language switch's `next`) are put in afterwards."""
    locale = str(get_locale() or "en")
    root = request.script_root
    user = current_user
    signed_in = bool(user.is_authenticated)
    staff = signed_in and bool(user.is_admin or user.is_faculty)
    nav = navigation()
    endpoint = None if signed_in else request.endpoint
    if endpoint not in ("auth.login", "auth.register"):
        endpoint = None
    head = _drawn(("head", root, staff), "_chrome_head.html", staff=staff)
    header = _drawn(
        ("header", locale, root, tuple(nav), signed_in, endpoint), "_chrome_header.html",
        nav=nav, signed_in=signed_in, endpoint=endpoint, csrf=CSRF_SLOT, next_path=NEXT_SLOT,
    )  # fmt: skip
    footer = _drawn(("footer", locale, root), "_chrome_footer.html")
    next_path = request.full_path if request.query_string else request.path
    header = header.replace(CSRF_SLOT, str(escape(generate_csrf()))).replace(
        NEXT_SLOT, str(escape(next_path))
    )
    return Chrome(Markup(head), Markup(header), Markup(footer))


def register_ui(app: Flask) -> None:
    """Make the navigation and the association's details available to every template."""

    @app.context_processor
    def _ui() -> dict:
        return {
            "navigation": navigation,
            "page_chrome": page_chrome,
            "association": {
                "name": app.config["ASSOCIATION_NAME"],
                "short_name": app.config["ASSOCIATION_SHORT_NAME"],
            },
        }


def confirmation_page(question: str, explanation: list[str], form, cancel: tuple[str, str]):
    """The second step of a destructive action, drawn for a GET of the action's own URL: what
    will happen, a warning button that POSTs `form` back to this URL, and `cancel` = (href,
    label) to go back. Works without JavaScript (templates/confirm.html)."""
    href, label = cancel
    return render_template(
        "confirm.html", question=question, explanation=explanation, action=request.path,
        form=form, cancel_href=href, cancel_label=label,
    )  # fmt: skip
