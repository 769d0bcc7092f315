"""Access checks for views."""

from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required


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
