"""Input rules shared by every form, service and API: finite numbers and plausible dates.

One owner for each rule, so a points field in a claim, a review decision, an adjustment or the
editor's preview refuses `sNaN`, `Infinity` and `1e999` the same way, and every date a person
types is checked against the same bounds in the form and again in the service.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField
from wtforms.validators import ValidationError

from wired4ex.i18n import show_date
from wired4ex.timeutil import local_today

NUMBER_MESSAGE = _l("Enter a number, for example 2 or 1.5.")
# Far beyond any points or hours figure, far inside what the database and quantize() accept.
NUMBER_LIMIT = Decimal("1000000")
EARLIEST_DATE = date(1990, 1, 1)


class NotANumber(ValueError):
    """The text is not an ordinary finite number."""


def finite_decimal(value) -> Decimal:
    """An ordinary number as a Decimal; NotANumber for text, NaN, sNaN, Infinity or 1e999."""
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise NotANumber(str(NUMBER_MESSAGE)) from error
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise NotANumber(str(NUMBER_MESSAGE))
    return number


def is_finite_number(value) -> bool:
    """True for an ordinary number (see finite_decimal)."""
    try:
        finite_decimal(value)
    except NotANumber:
        return False
    return True


def is_whole_or_half(points) -> bool:
    """True for a finite number of whole or half points (0, 1, 1.5, -2), never for NaN."""
    try:
        number = finite_decimal(points)
    except NotANumber:
        return False
    return number * 2 == (number * 2).to_integral_value()


class PointsField(DecimalField):
    """A number of points or hours: finite, of a sensible size, with a plain message otherwise."""

    def process_formdata(self, valuelist):
        if not valuelist:  # not sent at all: keep the default (or the object's value)
            return
        if not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = finite_decimal(valuelist[0].strip())
        except NotANumber as error:
            self.data = None
            raise ValueError(str(NUMBER_MESSAGE)) from error


# -- dates -------------------------------------------------------------------------------------------


def one_year_after(day: date) -> date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def latest_activity_date() -> date:
    """The last day an activity (a claim, an adjustment) may be dated: today."""
    return local_today()


def latest_period_date() -> date:
    """The last day a CPD cycle or statement period may reach: today plus one year."""
    return one_year_after(local_today())


def date_problem(day: date | None, earliest: date, latest: date) -> str | None:
    """Why a date is out of bounds, in words; None when it is within them (or missing)."""
    if day is None or earliest <= day <= latest:
        return None
    return str(
        _l(
            "Enter a date from %(earliest)s to %(latest)s.",
            earliest=show_date(earliest),
            latest=show_date(latest),
        )
    )


def year_in_period_bounds(year: int | None) -> bool:
    """A cycle's year from an address or a form: 1990 to next year."""
    return year is not None and EARLIEST_DATE.year <= year <= latest_period_date().year


class DateWithin:
    """A form validator: the date lies from EARLIEST_DATE to latest() (called at validation)."""

    def __init__(self, latest=latest_activity_date, earliest: date = EARLIEST_DATE):
        self.latest, self.earliest = latest, earliest

    def __call__(self, form, field) -> None:
        problem = date_problem(field.data, self.earliest, self.latest())
        if problem:
            raise ValidationError(problem)


class BoundedDateField(DateField):
    """A date field that refuses years before 1990 and after the latest allowed date."""

    def __init__(self, label=None, validators=None, latest=latest_activity_date, **kwargs):
        super().__init__(label, [*(validators or []), DateWithin(latest)], **kwargs)
