"""Certificate documents: a landscape A4 PDF with its QR code, and an Open Badges 3.0 credential."""

import io
from datetime import date

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from wired4ex.cpd.documents import FONT, FONT_BOLD, _qr, _register_fonts
from wired4ex.cpd.statements import ASSOCIATION, format_code
from wired4ex.i18n import policy_text, show_date


def _fitted(text: str, font: str, size: float, width: float, smallest: float = 12):
    """The font size and lines that keep `text` inside `width`: smaller type first (down to
    `smallest`), then lines broken at spaces, or anywhere in a word longer than a line."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 1
    lines, rest = [], text
    while rest:
        cut = len(rest)
        while cut > 1 and stringWidth(rest[:cut], font, size) > width:
            cut -= 1
        if cut < len(rest) and rest.rfind(" ", 0, cut + 1) > 0:
            cut = rest.rfind(" ", 0, cut + 1)
        lines.append(rest[:cut].strip())
        rest = rest[cut:].lstrip()
    return size, lines


def render_certificate_pdf(certificate, verify_url: str, today: date) -> bytes:
    """A landscape A4 certificate: holder, programme, dates, code, QR and status if not valid."""
    _register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(_("Certificate %(code)s", code=format_code(certificate.code)))
    canvas.setSubject(_("Certificate of %(name)s", name=certificate.holder_name))
    canvas.setAuthor(ASSOCIATION)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.5)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    center = width / 2
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(center, height - 38 * mm, ASSOCIATION)
    canvas.setFont(FONT_BOLD, 26)
    canvas.drawCentredString(
        center, height - 58 * mm, _("Certificate of Professional Certification")
    )
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(center, height - 74 * mm, _("This certifies that"))
    size, lines = _fitted(certificate.holder_name, FONT_BOLD, 24, width - 50 * mm)
    canvas.setFont(FONT_BOLD, size)
    top = height - 90 * mm + (len(lines) - 1) * size * 0.6
    for number, line in enumerate(lines):
        canvas.drawCentredString(center, top - number * size * 1.2, line)
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(
        center, height - 104 * mm, _("has met the requirements of the association for")
    )
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawCentredString(center, height - 118 * mm, policy_text(certificate.programme_name))
    canvas.setFont(FONT, 11)
    if certificate.expires_on:
        dates = _("Issued %(issued)s · valid until %(until)s",
                  issued=show_date(certificate.issued_on), until=show_date(certificate.expires_on))  # fmt: skip
    else:
        dates = _("Issued %(issued)s", issued=show_date(certificate.issued_on))
    canvas.drawCentredString(center, height - 132 * mm, dates)
    canvas.setFont(FONT, 10)
    canvas.drawString(
        22 * mm, 30 * mm, _("Certificate code: %(code)s", code=format_code(certificate.code))
    )
    canvas.drawString(22 * mm, 24 * mm, _("Verify at %(url)s", url=verify_url))
    state = certificate.state_on(today)
    warning = {
        "expired": _("EXPIRED — this certificate is not valid"),
        "revoked": _("REVOKED — this certificate is not valid"),
    }.get(state)
    if warning:
        canvas.setFont(FONT_BOLD, 16)
        canvas.drawCentredString(center, 45 * mm, warning)
    qr = _qr(verify_url, size=34 * mm)
    qr.drawOn(canvas, width - 22 * mm - 34 * mm, 20 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
