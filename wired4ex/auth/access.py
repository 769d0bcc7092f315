"""Access checks for views."""

from functools import wraps

from flask import abort
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
