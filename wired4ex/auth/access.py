"""Access checks for views."""

from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden


def admin_required(view):
    """Only the secretariat (admins): others get 403, anonymous visitors the login page."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def confirmed_required(view):
    """Only members who confirmed their e-mail address: enrolling, claiming, statements,
    applications and API tokens count, so an unconfirmed member is sent to the page that
    resends the link."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.email_confirmed:
            flash(
                _(
                    "Confirm your e-mail address first: follow the link we sent to %(email)s. "
                    "Until then you can browse and read, but not enrol, claim, download "
                    "statements, apply or create API tokens.",
                    email=current_user.email,
                ),
                "error",
            )
            return redirect(url_for("auth.confirm_needed"))
        return view(*args, **kwargs)

    return wrapper


OWN_CASE_MESSAGE = _l("You cannot decide your own case: another administrator must decide this.")


class OwnCaseError(Forbidden):
    """An admin tried to decide something about themselves (their own claim, ledger,
    application, audit outcome or draft). A 403 wherever it ends up."""

    def __init__(self):
        super().__init__(str(OWN_CASE_MESSAGE))

    def __str__(self) -> str:
        return str(OWN_CASE_MESSAGE)


def refuse_own_case(decider_id: int, subject_id: int | None) -> None:
    """The rule that nobody decides their own case: OwnCaseError when they are the same person."""
    if subject_id is not None and decider_id == subject_id:
        raise OwnCaseError()
