"""The member's home page (the dashboard)."""

from flask import render_template
from flask_login import current_user, login_required

from wired4ex.home import bp, services
from wired4ex.home.parts import dashboard_parts
from wired4ex.readonly import reads_only
from wired4ex.timeutil import local_today


@bp.get("/dashboard")
@reads_only
@login_required
def dashboard():
    home = services.home(current_user, local_today())
    return render_template("home/dashboard.html", parts=dashboard_parts(home))
