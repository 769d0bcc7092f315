"""OpenAPI schemas of the caller's notifications (api/notification_views.py)."""

from wired4ex.api.schemas.components import (
    BOOLEAN,
    INTEGER,
    MOMENT,
    STRING,
    _page,
    nullable,
    obj,
    ref,
)
from wired4ex.notifications.kinds import KINDS

NOTIFICATION_SCHEMAS = {
    "Notification": obj(
        {
            "id": INTEGER,
            "kind": {"type": "string", "enum": sorted(KINDS)},
            "text": {**STRING, "description": "What happened, in the caller's language."},
            "link": {**nullable(STRING), "description": "The page concerned (a path), if any."},
            "read": BOOLEAN,
            "created_at": MOMENT,
            "read_at": nullable(MOMENT),
        }
    ),
}
NOTIFICATION_SCHEMAS["NotificationList"] = _page(ref("Notification"), unread_count=INTEGER)
