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
from wired4ex.cpd.verifiable import format_code
from wired4ex.documents import BRAND, draw_mark, issuer, signature_image
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


def _signatory(canvas: Canvas, details, left: float, bottom: float) -> None:
    """The signature (an image when configured) on a line, the name and title under it."""
    image = signature_image(details)
    if image is not None:
        canvas.drawImage(image, left, bottom + 12 * mm, width=45 * mm, height=14 * mm,
                         preserveAspectRatio=True, anchor="sw", mask="auto")  # fmt: skip
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.8)
    canvas.line(left, bottom + 11 * mm, left + 70 * mm, bottom + 11 * mm)
    canvas.setFillColor(colors.black)
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawString(left, bottom + 6.5 * mm, details.signatory_name)
    canvas.setFont(FONT, 9)
    canvas.drawString(left, bottom + 2 * mm, details.signatory_title)


def render_certificate_pdf(certificate, verify_url: str, today: date) -> bytes:
    """A landscape A4 certificate on one page: the letterhead's mark and name, the holder and
    the designation letters large, dates, the signatory, and the code and QR code at the
    bottom right. Black and one dark teal only, so it prints well in black and white."""
    _register_fonts()
    details = issuer()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(_("Certificate %(code)s", code=format_code(certificate.code)))
    canvas.setSubject(_("Certificate of %(name)s", name=certificate.holder_name))
    canvas.setAuthor(details.name)
    # Frame: a heavy teal border and a fine black rule inside it.
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(5)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.6)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    center = width / 2
    draw_mark(canvas, center - 8 * mm, height - 38 * mm, 16 * mm)
    canvas.setFillColor(colors.black)
    canvas.setFont(FONT_BOLD, 13)
    canvas.drawCentredString(center, height - 45 * mm, details.name)
    if details.address:
        canvas.setFont(FONT, 8.5)
        canvas.drawCentredString(center, height - 50 * mm, details.address)
    canvas.setFont(FONT_BOLD, 24)
    canvas.setFillColor(BRAND)
    canvas.drawCentredString(
        center, height - 60 * mm, _("Certificate of Professional Certification")
    )
    canvas.setFillColor(colors.black)
    canvas.setFont(FONT, 12)
    canvas.drawCentredString(center, height - 71 * mm, _("This certifies that"))
    size, lines = _fitted(certificate.holder_name, FONT_BOLD, 30, width - 70 * mm)
    canvas.setFont(FONT_BOLD, size)
    top = height - 85 * mm + (len(lines) - 1) * size * 0.6
    for number, line in enumerate(lines):
        canvas.drawCentredString(center, top - number * size * 1.15, line)
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(0.8)
    canvas.line(center - 80 * mm, height - 90 * mm, center + 80 * mm, height - 90 * mm)
    canvas.setFont(FONT, 12)
    canvas.drawCentredString(
        center, height - 99 * mm, _("has met the requirements of the association for")
    )
    canvas.setFont(FONT_BOLD, 17)
    canvas.drawCentredString(center, height - 110 * mm, policy_text(certificate.programme_name))
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(center, height - 120 * mm, _("and may use the designation letters"))
    canvas.setFont(FONT_BOLD, 28)
    canvas.drawCentredString(center, height - 133 * mm, certificate.programme_code)
    canvas.setFont(FONT, 10.5)
    if certificate.expires_on:
        dates = _("Issued %(issued)s · valid until %(until)s",
                  issued=show_date(certificate.issued_on), until=show_date(certificate.expires_on))  # fmt: skip
    else:
        dates = _("Issued %(issued)s", issued=show_date(certificate.issued_on))
    canvas.drawCentredString(center, height - 143 * mm, dates)
    state = certificate.state_on(today)
    warning = {
        "expired": _("EXPIRED — this certificate is not valid"),
        "revoked": _("REVOKED — this certificate is not valid"),
    }.get(state)
    if warning:
        canvas.setFont(FONT_BOLD, 16)
        canvas.drawCentredString(center, height - 154 * mm, warning)
    _signatory(canvas, details, 26 * mm, 22 * mm)
    # Bottom right, where an employer looks: the QR code, the code and the address.
    qr_size = 30 * mm
    right = width - 24 * mm
    qr = _qr(verify_url, size=qr_size)
    qr.drawOn(canvas, right - qr_size, 32 * mm)
    canvas.setFont(FONT, 8.5)
    canvas.drawRightString(
        right, 28 * mm, _("Certificate code: %(code)s", code=format_code(certificate.code))
    )
    canvas.drawRightString(right, 23.5 * mm, _("Verify at %(url)s", url=verify_url))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
