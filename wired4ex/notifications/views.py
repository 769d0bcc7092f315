"""The notification centre, preferences and the one-click unsubscribe (no sign-in needed)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.auth.models import User
from wired4ex.extensions import csrf, db
from wired4ex.notifications import bp, services
from wired4ex.notifications.kinds import CHANNEL_LABELS, KINDS, choosable
from wired4ex.notifications.texts import notification_text
from wired4ex.notifications.tokens import BadUnsubscribeLink, read_unsubscribe_token


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10_000 else 1


@bp.get("/notifications")
@login_required
def index():
    unread_only = request.args.get("show") == "unread"
    page = _page()
    items, more = services.page_of(current_user, page, unread_only)
    return render_template("notifications/index.html", items=items, more=more, page=page,
                           unread_only=unread_only, text=notification_text)  # fmt: skip


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    read = request.form.get("read", "1") != "0"
    if not services.mark_read(current_user, notification_id, read):
        abort(404)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_item(notification_id: int):
    """Mark read and go to the thing concerned."""
    from wired4ex.notifications.models import Notification

    found = db.session.get(Notification, notification_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    link = (
        found.link
        if found.link and found.link.startswith("/") and not found.link.startswith("//")
        else None
    )
    services.mark_read(current_user, notification_id)
    return redirect(link or url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    kinds = choosable(current_user.role_names)
    current = services.preferences_of(current_user)
    errors = {}
    if request.method == "POST":  # CSRFProtect has checked the form's token
        for kind in kinds:
            chosen = request.form.get(kind.code, current[kind.code])
            if chosen not in kind.choices:
                errors[kind.code] = _("Choose one of the options.")
                continue
            services.set_preference(current_user, kind.code, chosen)
            current[kind.code] = chosen
        unknown = [name for name in request.form if name != "csrf_token" and name not in current]
        if unknown:
            errors["_form"] = _("Unknown setting: %(name)s.", name=unknown[0][:40])
        if errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.preferences"))
    required = [kind for kind in KINDS.values() if kind.required and _concerns(kind)]
    return render_template("notifications/preferences.html", kinds=kinds, current=current,
                           labels=CHANNEL_LABELS, errors=errors,
                           required=required), 400 if errors else 200  # fmt: skip


def _concerns(kind) -> bool:
    return kind.audience in ("account", "member") or current_user.is_admin


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" without a session
def unsubscribe(token: str):
    try:
        user_id, kind_code = read_unsubscribe_token(token)
    except BadUnsubscribeLink as error:
        message = (
            _("This unsubscribe link has expired. Sign in and choose your e-mails in your notification settings.")
            if error.expired
            else _("This unsubscribe link is not valid. It may have been copied incompletely. Sign in and choose your e-mails in your notification settings.")
        )  # fmt: skip
        return render_template("notifications/unsubscribe.html", problem=message), 400
    kind = KINDS.get(kind_code)
    if kind is None or not kind.choices:
        return render_template("notifications/unsubscribe.html",
                               problem=_("This unsubscribe link is not valid.")), 400  # fmt: skip
    owner = db.session.get(User, user_id)
    with force_locale(owner.language if owner is not None else "en"):
        return _unsubscribe_page(user_id, kind)


def _unsubscribe_page(user_id: int, kind):
    kind_code = kind.code
    if request.method == "POST":
        done = services.unsubscribe(user_id, kind_code)
        if done is None:
            return render_template("notifications/unsubscribe.html",
                                   problem=_("This unsubscribe link is not valid.")), 400  # fmt: skip
        return render_template("notifications/unsubscribe.html", kind=kind, done=True)
    return render_template("notifications/unsubscribe.html", kind=kind, done=False)
