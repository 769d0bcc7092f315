"""Admins see delivery: recent mails with their status, and resend a failed one."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wired4ex.auth.access import admin_required
from wired4ex.extensions import db
from wired4ex.notifications import bp
from wired4ex.notifications.delivery import resend
from wired4ex.notifications.kinds import KINDS
from wired4ex.notifications.models import MailMessage

STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "retrying": _l("Retrying"),
    "failed": _l("Failed"),
    "bounced": _l("Bounced"),
    "skipped": _l("Skipped"),
}
PER_PAGE = 50


@bp.get("/admin/messages")
@admin_required
def admin_messages():
    status = request.args.get("status", "")
    if status and status not in STATUS_LABELS:
        status = ""
    query = sa.select(MailMessage)
    if status:
        query = query.where(MailMessage.status == status)
    messages = db.session.scalars(
        query.order_by(MailMessage.created_at.desc(), MailMessage.id.desc()).limit(PER_PAGE)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(MailMessage.status, sa.func.count()).group_by(MailMessage.status)
        ).all()
    )
    return render_template("notifications/admin_messages.html", messages=messages, status=status,
                           labels=STATUS_LABELS, counts=counts, kinds=KINDS)  # fmt: skip


@bp.post("/admin/messages/<int:message_id>/resend")
@admin_required
def admin_resend(message_id: int):
    found = db.session.get(MailMessage, message_id)
    if found is None:
        abort(404)
    if found.status not in ("failed", "bounced"):
        flash(_("Only a failed or bounced mail can be sent again."), "error")
        return redirect(url_for("notifications.admin_messages"), 303)
    resend(found)
    flash(_("The mail is queued to be sent again."), "success")
    return redirect(url_for("notifications.admin_messages"))
