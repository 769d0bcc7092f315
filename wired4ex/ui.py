"""The design system's helpers for templates: the service navigation and its current page.

The components themselves are Jinja macros in `templates/_ui.html`, with their CSS in
`static/site.css`; `static/README.md` documents both.
"""

from dataclasses import dataclass

from flask import Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    """One link of the service navigation; `current` marks the page (or section) being shown."""

    href: str
    label: str
    current: bool = False


def _links() -> list[tuple[str, str]]:
    """(href, label) of the navigation for the signed-in person's roles, or for a visitor."""
    links = [(url_for("catalog.index"), _("Courses"))]
    user = current_user
    if not user.is_authenticated:
        return links
    links += [
        (url_for("home.dashboard"), _("My learning")),
        (url_for("cpd.index"), _("My CPD")),
        (url_for("certification.index"), _("Certifications")),
        (url_for("events.index"), _("Events")),
    ]
    if user.is_faculty or user.is_admin:
        links.append((url_for("authoring.index"), _("Authoring")))
    if user.is_admin:
        links += [
            (url_for("cpd.review_queue"), _("Verify claims")),
            (url_for("certification.applications"), _("Applications")),
            (url_for("admin.dashboard"), _("Admin")),
        ]
    elif user.is_faculty and user.institution_id:
        links.append((url_for("admin.courses"), _("My courses' learners")))
    unread = user.unread_notifications or 0  # a column of the signed-in user: no query
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


def register_ui(app: Flask) -> None:
    """Make the navigation and the association's details available to every template."""

    @app.context_processor
    def _ui() -> dict:
        return {
            "navigation": navigation,
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
