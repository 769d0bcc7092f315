"""The caller's notifications in the JSON API (the notification centre's list), read-only."""

import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import gettext as _

from wired4ex.api import bp, services
from wired4ex.api.access import ApiError, api_limit, member_required
from wired4ex.api.serializers import moment
from wired4ex.api.views import _paginated, _paging
from wired4ex.notifications.models import Notification
from wired4ex.notifications.texts import notification_text


def notification(item: Notification) -> dict:
    return {
        "id": item.id,
        "kind": item.kind,
        "text": notification_text(item),
        "link": item.link,
        "read": item.read_at is not None,
        "created_at": moment(item.created_at),
        "read_at": moment(item.read_at) if item.read_at else None,
    }


@bp.get("/me/notifications")
@api_limit
@member_required
def my_notifications():
    page, per_page = _paging()
    unread = request.args.get("unread", "")
    if unread not in ("", "true", "false"):
        raise ApiError(400, _("`%(name)s` must be true or false.", name="unread"))
    query = sa.select(Notification).where(Notification.user_id == g.api_user.id)
    if unread == "true":
        query = query.where(Notification.read_at.is_(None))
    elif unread == "false":
        query = query.where(Notification.read_at.is_not(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    found = services.page_of_query(query, page, per_page)
    body = _paginated(found, [notification(item) for item in found.items])
    body["unread_count"] = g.api_user.unread_notifications
    return jsonify(body)
