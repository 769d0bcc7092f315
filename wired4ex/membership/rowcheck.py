"""The checks of one CSV cell (e-mail, date, country, number, amount), shared by the register and
renewal imports. Each returns the clean value and a message naming the column, or None."""

import functools
import re
from datetime import date
from decimal import Decimal

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from wired4ex.fields import EARLIEST_DATE, NotANumber, finite_decimal
from wired4ex.membership.services import GIVEN_NUMBER, SYSTEM_NUMBER

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLASHED_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO"}
# Names people write that differ from the CLDR English names babel gives.
COUNTRY_ALIASES = {
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "congo, democratic republic of the": "CD",
    "republic of the congo": "CG",
    "united republic of tanzania": "TZ",
    "tanzania, united republic of": "TZ",
    "uk": "GB",
    "great britain": "GB",
    "usa": "US",
    "united states of america": "US",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "swaziland": "SZ",
}


@functools.cache
def country_names() -> dict[str, str]:
    """Lower-cased English names (and ISO codes) to ISO 3166 alpha-2 codes."""
    territories = {
        code: name
        for code, name in Locale.parse("en").territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }
    names = {name.lower().replace("\u2019", "'"): code for code, name in territories.items()}
    names.update({code.lower(): code for code in territories})
    names.update(COUNTRY_ALIASES)
    return names


def check_country(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, str(_l("country is empty: give an ISO code (KE) or an English name (Kenya)."))
    code = country_names().get(" ".join(text.lower().replace("\u2019", "'").split()))
    if code is None:
        return None, str(
            _l(
                "country \u201c%(value)s\u201d is neither an ISO code (KE) nor an English "
                "country name (Kenya).",
                value=text,
            )
        )
    return code, None


def check_email(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, str(_l("email is empty."))
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None, str(_l("email \u201c%(value)s\u201d is not an e-mail address.", value=text))
    address = found.normalized.lower()
    if len(address) > 254:
        return None, str(_l("email is longer than 254 characters."))
    return address, None


def check_date(
    text: str, column: str, latest: date, earliest: date = EARLIEST_DATE
) -> tuple[date | None, str | None]:
    """An ISO date (YYYY-MM-DD) from `earliest` to `latest`; never a guess at 03/04/2026."""
    if SLASHED_DATE.match(text):
        return None, str(
            _l(
                "%(column)s \u201c%(value)s\u201d: write dates as YYYY-MM-DD, for example "
                "2026-03-31 (a spreadsheet may need the column formatted as text).",
                column=column,
                value=text,
            )
        )
    try:
        if not ISO_DATE.match(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        return None, str(
            _l(
                "%(column)s \u201c%(value)s\u201d is not a date in the form YYYY-MM-DD.",
                column=column,
                value=text,
            )
        )
    if not earliest <= day <= latest:
        return None, str(
            _l(
                "%(column)s %(value)s is outside %(earliest)s to %(latest)s.",
                column=column,
                value=text,
                earliest=earliest.isoformat(),
                latest=latest.isoformat(),
            )
        )
    return day, None


def check_number(text: str, latest_year: int) -> tuple[str | None, str | None]:
    """A number kept from the old register (upper-cased): letters, digits and - / . as the
    membership service accepts; one in the system's form HSM-YYYY-NNNNN has a possible year."""
    number = text.upper()
    if not GIVEN_NUMBER.match(number):
        return None, str(
            _l(
                "membership_number \u201c%(value)s\u201d: use letters, digits, - / and . only "
                "(for example HSM-2026-00042); leave it empty to have one assigned.",
                value=text,
            )
        )
    match = SYSTEM_NUMBER.match(number)
    if match is None:
        return number, None
    year, sequence = int(match.group(1)), int(match.group(2))
    if not EARLIEST_DATE.year <= year <= latest_year or sequence == 0:
        return None, str(
            _l(
                "membership_number \u201c%(value)s\u201d has an impossible year or sequence.",
                value=text,
            )
        )
    return number, None


def check_text(text: str, column: str, maximum: int) -> tuple[str | None, str | None]:
    """Required plain text of at most `maximum` characters, without control characters."""
    text = " ".join(text.split())  # a line break typed inside a spreadsheet cell is a space
    if not text:
        return None, str(_l("%(column)s is empty.", column=column))
    if len(text) > maximum:
        return None, str(
            _l("%(column)s is longer than %(count)d characters.", column=column, count=maximum)
        )
    if CONTROL.search(text):
        return None, str(_l("%(column)s contains control characters.", column=column))
    return text, None


def check_amount(text: str) -> tuple[Decimal | None, str | None]:
    """A sum of money: a number from 0 with at most two decimals (no currency sign or commas)."""
    try:
        amount = finite_decimal(text.replace(" ", ""))
    except NotANumber:
        return None, str(
            _l(
                "amount \u201c%(value)s\u201d is not a number (write 2500 or 2500.50, without "
                "a currency or thousands separator).",
                value=text,
            )
        )
    if amount < 0 or amount >= Decimal("100000000") or amount != amount.quantize(Decimal("0.01")):
        return None, str(
            _l("amount %(value)s must be from 0 with at most two decimals.", value=text)
        )
    return amount.quantize(Decimal("0.01")), None
