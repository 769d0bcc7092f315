"""Signed one-click unsubscribe links: a person and a kind, valid without signing in."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "wired4ex.unsubscribe"
MAX_AGE_DAYS = 365  # a link in an old mail keeps working for a year


class BadUnsubscribeLink(Exception):
    """The link was changed, is not ours, or is too old."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a link; BadUnsubscribeLink when forged or expired."""
    try:
        user_id, kind = _serializer().loads(token, max_age=MAX_AGE_DAYS * 86400)
    except SignatureExpired as error:
        raise BadUnsubscribeLink(expired=True) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise BadUnsubscribeLink(expired=False) from error
    if not isinstance(user_id, int) or not isinstance(kind, str):
        raise BadUnsubscribeLink(expired=False)
    return user_id, kind
