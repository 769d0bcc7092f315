"""The course page's parts made of content, rendered once per content version and language
(wired4ex.pagecache) from learning/_course_parts.html, and the module list of an enrolled member,
shared by members whose modules are in the same states."""

from flask import current_app

from wired4ex import pagecache
from wired4ex.catalog.forms import LANGUAGE_NAMES
from wired4ex.catalog.services import competency_names, get_courses_by_key, summarise
from wired4ex.i18n import show_date


def course_parts(found) -> dict:
    """The breadcrumbs, the heading, "About this course" and the module list as shown to anyone
    not enrolled: {"trail", "head", "about", "modules"} (Markup; read, never change)."""
    return pagecache.part("course", found.id, lambda: _build(found))


def _course_macros():
    return current_app.jinja_env.get_template("learning/_course_parts.html").module


def _build(found) -> dict:
    """The course page's parts that are the same for everyone (content and language only)."""
    macros = _course_macros()
    return {
        "trail": macros.trail(found),
        "head": macros.head(found, found.published_other_edition),
        "about": macros.about(
            found,
            summarise(found),
            get_courses_by_key(found.prerequisites),
            competency_names(),
            lambda code: LANGUAGE_NAMES.get(code, code),
        ),
        "modules": macros.module_list(found, False, {}),
    }


def member_module_list(found, progress):
    """The module list of an enrolled member: made of the course and what the list shows of each
    module's state (the tag and the date of completion), so members whose list reads the same
    share it; the key holds the states, never the member."""
    states = {state.module.id: state for state in progress.modules}
    key = (found.id, tuple((state.module.id, *_shown(state)) for state in progress.modules))
    return pagecache.part(
        "course-modules", key, lambda: _course_macros().module_list(found, True, states)
    )


def member_progress_box(found, progress):
    """An enrolled member's progress in the enrolment box, keyed by what it shows."""
    shown = (
        show_date(progress.completed_at) if progress.completed_at else None,
        progress.done,
        progress.total,
        progress.next_module.id if progress.next_module else None,
    )
    return pagecache.part(
        "course-progress", (found.id, shown), lambda: _course_macros().progress_box(found, progress)
    )


def _shown(state) -> tuple[str, str | None]:
    """A module's tag as the list shows it (the order of learning/_course_parts.html)."""
    if state.completed_at:
        return "done", show_date(state.completed_at)
    if state.new_since_completion:
        return "new", None
    return ("in_progress" if state.started else "not_started"), None
