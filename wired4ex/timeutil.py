"""The association's local time: dates are shown, and CPD cycles cut, in its time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def association_zone() -> ZoneInfo:
    """The configured time zone (Africa/Nairobi by default)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_date(at: datetime) -> date:
    """The calendar date of a UTC moment in the association's time zone."""
    return at.astimezone(association_zone()).date()


def local_today() -> date:
    """Today in the association's time zone."""
    from wired4ex.dbtypes import utcnow

    return local_date(utcnow())
