"""What every PDF the association issues shares: the mark, the letterhead, the signatory block
and "Page 1 of 2" numbering. The association's name, address and signatory come from the
configuration (ASSOCIATION_NAME, ASSOCIATION_ADDRESS, SIGNATORY_NAME, SIGNATORY_TITLE,
SIGNATURE_IMAGE), so a document names whoever runs the service.

Everything is drawn in black, white and one dark teal that prints as a dark grey, so a copy on a
black-and-white printer loses nothing.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from config import Config

BRAND = colors.Color(11 / 255, 94 / 255, 85 / 255)  # the mark's teal, #0b5e55
GOLD = colors.Color(242 / 255, 193 / 255, 78 / 255)


@dataclass(frozen=True)
class Issuer:
    """Who issues a document: the association and the person who signs for it."""

    name: str
    address: str
    signatory_name: str
    signatory_title: str
    signature_image: str


def issuer() -> Issuer:
    """The association's details from the app's configuration (the defaults outside an app)."""
    config = current_app.config if has_app_context() else vars(Config)
    return Issuer(
        name=config.get("ASSOCIATION_NAME") or Config.ASSOCIATION_NAME,
        address=config.get("ASSOCIATION_ADDRESS") or "",
        signatory_name=config.get("SIGNATORY_NAME") or "",
        signatory_title=config.get("SIGNATORY_TITLE") or "",
        signature_image=config.get("SIGNATURE_IMAGE") or "",
    )


def draw_mark(canvas: Canvas, x: float, y: float, size: float) -> None:
    """The association's mark (static/logo.svg) with its lower-left corner at (x, y)."""
    unit = size / 32
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.roundRect(x, y, size, size, 7 * unit, stroke=0, fill=1)
    canvas.setStrokeColor(colors.white)
    canvas.setLineWidth(2.6 * unit)
    canvas.setLineJoin(1)
    canvas.setLineCap(1)
    points = [(6, 9), (11, 23), (16, 13), (21, 23), (26, 9)]  # SVG y grows downwards
    path = canvas.beginPath()
    path.moveTo(x + points[0][0] * unit, y + size - points[0][1] * unit)
    for px, py in points[1:]:
        path.lineTo(x + px * unit, y + size - py * unit)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setFillColor(GOLD)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.3 * unit)
    for px, py in (points[0], points[2], points[4]):
        canvas.circle(x + px * unit, y + size - py * unit, 2.4 * unit, stroke=1, fill=1)
    canvas.restoreState()


def draw_letterhead(canvas: Canvas, left: float, top: float, width: float, font: str,
                    bold: str, details: Issuer) -> float:  # fmt: skip
    """The mark, the association's name and address, and a rule under them; returns the y
    below the rule."""
    size = 14 * mm
    draw_mark(canvas, left, top - size, size)
    canvas.setFillColor(colors.black)
    canvas.setFont(bold, 12)
    canvas.drawString(left + size + 4 * mm, top - 5.5 * mm, details.name)
    canvas.setFont(font, 8.5)
    room = width - size - 4 * mm
    for number, line in enumerate(address_lines(details.address, font, 8.5, room)[:2]):
        canvas.drawString(left + size + 4 * mm, top - (10.5 + 3.8 * number) * mm, line)
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(1.2)
    rule = top - size - 3 * mm
    canvas.line(left, rule, left + width, rule)
    return rule


def address_lines(address: str, font: str, size: float, room: float) -> list[str]:
    """The address on as few lines as fit `room`, broken between its " · " parts."""
    lines: list[str] = []
    for part in address.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines else part
        if lines and stringWidth(joined, font, size) <= room:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines


def signature_image(details: Issuer) -> str | None:
    """The path of the configured signature image, or None when none is set or it is not a
    readable image (the document then prints the line without it)."""
    if not details.signature_image:
        return None
    path = Path(details.signature_image)
    try:
        ImageReader(str(path)).getSize()
    except (OSError, ValueError):
        return None
    return str(path)


def page_of(number: int, total: int) -> str:
    return _("Page %(number)d of %(total)d", number=number, total=total)


class NumberedCanvas(Canvas):
    """A canvas that knows the page count when it writes each page, for "Page 1 of 2".

    Pages are kept until save(); then each is drawn with `footer(canvas, number, total)`,
    which a subclass made by `numbered(footer)` supplies."""

    footer = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802  (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            type(self).footer(self, number, total)
            super().showPage()
        super().save()


def numbered(footer) -> type[NumberedCanvas]:
    """A NumberedCanvas class that draws `footer(canvas, number, total)` on every page."""
    return type("Numbered", (NumberedCanvas,), {"footer": staticmethod(footer)})
