"""CSV cells that spreadsheets show as text: shared by statements and the admin exports."""

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    Numbers are written as they are (a negative adjustment stays a number); any other value whose
    text starts with a formula character gets a leading apostrophe.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text
