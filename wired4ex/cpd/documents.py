"""Statement documents: an A4 PDF (embedded DejaVu font, QR code) and a CSV of the same rows.

Both are drawn from the statement's snapshot only, so a re-download shows exactly what was issued.
"""

import csv
import io
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from wired4ex.auth.forms import MEMBERSHIP_LABELS
from wired4ex.cpd import signatures
from wired4ex.cpd.statements import format_code, source_label
from wired4ex.csvsafe import safe_cell as _cell
from wired4ex.i18n import policy_text, show_date

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


def _membership(category: str) -> str:
    """The membership category in the document's language."""
    return str(MEMBERSHIP_LABELS.get(category, category))


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


STYLES = {
    "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=2 * mm),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=9.5, leading=12, textColor=colors.black),
    "heading": ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=5 * mm, spaceAfter=2 * mm),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    "cell_bold": ParagraphStyle("cell_bold", fontName=FONT_BOLD, fontSize=8, leading=10),
    "number": ParagraphStyle("number", fontName=FONT, fontSize=8, leading=10, alignment=TA_RIGHT),
}  # fmt: skip


def _p(text, style="cell") -> Paragraph:
    """A paragraph of literal text: markup characters in names and titles print as themselves."""
    return Paragraph(escape(str(text)), STYLES[style])


def _date(iso: str) -> str:
    """A stored ISO date written out in the document's language: "22 Novemba 2026"."""
    return show_date(date.fromisoformat(iso))


def _headings() -> tuple[list[str], list[str]]:
    """The column headings of the activities table and of the totals table."""
    activities = [_("Date"), _("Activity"), _("Provider"), _("Category"), _("Points"),
                  _("How verified")]  # fmt: skip
    totals = [_("Category"), _("Earned"), _("Cap"), _("Counted")]
    return activities, totals


GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _qr(url: str, size: float = 32 * mm) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def render_pdf(statement, verify_url: str) -> bytes:
    """The statement as an A4 PDF with repeated table headers, page numbers, code and QR."""
    _register_fonts()
    snap = statement.snapshot
    code = format_code(statement.code)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=_("CPD statement %(code)s", code=code),
        author=snap["association"],
        subject=_("CPD statement of %(name)s", name=snap["member"]["name"]),
    )  # fmt: skip
    member = snap["member"]
    story = [
        _p(snap["association"], "subtitle"),
        _p(_("Continuing Professional Development statement"), "title"),
    ]
    period = _("%(start)s to %(end)s", start=_date(snap["period"]["start"]),
               end=_date(snap["period"]["end"]))  # fmt: skip
    details = [
        [_("Name"), member["name"]],
        [_("Membership number"), member["membership_number"] or "—"],
        [_("Membership category"), _membership(member["category"])],
        [_("Period"), period],
        [_("Issued"), show_date(statement.issued_at)],
        [_("Verification code"), code],
    ]
    details_table = Table(
        [[_p(k, "cell_bold"), _p(v, "body")] for k, v in details], colWidths=[42 * mm, 90 * mm]
    )
    details_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    header = Table([[details_table, _qr(verify_url)]], colWidths=[140 * mm, 38 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 3 * mm), header, _p(_("Verify at %(url)s", url=verify_url), "body")]

    activity_headings, total_headings = _headings()
    story.append(_p(_("Activities counted"), "heading"))
    rows = [[_p(h, "cell_bold") for h in activity_headings]]
    for activity in snap["activities"]:
        rows.append([
            _p(_date(activity["date"])), _p(activity["title"]), _p(activity["provider"]),
            _p(policy_text(activity["category"])), _p(activity["points"], "number"), _p(source_label(activity)),
        ])  # fmt: skip
    if len(rows) == 1:
        rows.append([_p(_("No activities in this period.")), "", "", "", "", ""])
    activities = Table(
        rows, repeatRows=1,
        colWidths=[21 * mm, 46 * mm, 33 * mm, 30 * mm, 16 * mm, 32 * mm],
    )  # fmt: skip
    activities.setStyle(GRID)
    story.append(activities)

    story.append(_p(_("Totals by category"), "heading"))
    totals = [[_p(h, "cell_bold") for h in total_headings]]
    for category in snap["categories"]:
        totals.append([
            _p(policy_text(category["name"])), _p(category["claimed"], "number"),
            _p(category["cap"] or _("none"), "number"), _p(category["counted"], "number"),
        ])  # fmt: skip
    totals.append([_p(_("Total"), "cell_bold"), _p(snap["claimed"], "number"), _p(""),
                   _p(snap["counted"], "number")])  # fmt: skip
    totals_table = Table(totals, repeatRows=1, colWidths=[86 * mm, 32 * mm, 26 * mm, 34 * mm])
    totals_table.setStyle(GRID)
    story.append(totals_table)

    if snap["exempt"]:
        outcome = _("This membership category is exempt from the yearly CPD target.")
    elif snap["target_met"]:
        outcome = _("Target: %(target)s counted points. Counted: %(counted)s. Target met.",
                    target=snap["target"], counted=snap["counted"])  # fmt: skip
    else:
        outcome = _("Target: %(target)s counted points. Counted: %(counted)s. Target not met.",
                    target=snap["target"], counted=snap["counted"])  # fmt: skip
    story += [Spacer(1, 3 * mm), _p(outcome, "body")]
    if snap["domains"]:
        story += [
            _p(_("Competency domains covered"), "heading"),
            _p(", ".join(policy_text(name) for name in snap["domains"]), "body"),
        ]
    story += [
        Spacer(1, 4 * mm),
        _p(_("Points over a category's cap are shown as earned but do not count towards the "
             "target. This statement can be checked by anyone at the address above, with its "
             "code."), "body"),
    ]  # fmt: skip

    left = _("%(association)s · CPD statement %(code)s", association=snap["association"], code=code)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(16 * mm, 10 * mm, left)
        canvas.drawRightString(A4[0] - 16 * mm, 10 * mm, _("Page %(number)d", number=doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return signatures.embed(buffer.getvalue(), statement)  # the signed snapshot, for offline checks


def render_csv(statement, verify_url: str) -> bytes:
    """The statement's rows as CSV, UTF-8 with a byte-order mark so spreadsheets read it right."""
    snap = statement.snapshot
    out = io.StringIO()
    writer = csv.writer(out)
    member = snap["member"]
    activity_headings, total_headings = _headings()
    writer.writerow([_("CPD statement"), snap["association"]])
    writer.writerow([_("Name"), _cell(member["name"])])
    writer.writerow([_("Membership number"), _cell(member["membership_number"])])
    writer.writerow([_("Membership category"), _membership(member["category"])])
    writer.writerow([_("Period"), snap["period"]["start"], snap["period"]["end"]])
    writer.writerow([_("Verification code"), format_code(statement.code), verify_url])
    writer.writerow([])
    writer.writerow(activity_headings)
    for activity in snap["activities"]:
        writer.writerow([
            activity["date"], _cell(activity["title"]), _cell(activity["provider"]),
            _cell(policy_text(activity["category"])), activity["points"], source_label(activity),
        ])  # fmt: skip
    writer.writerow([])
    writer.writerow(total_headings)
    for category in snap["categories"]:
        writer.writerow(
            [
                _cell(policy_text(category["name"])),
                category["claimed"],
                category["cap"] or "",
                category["counted"],
            ]
        )
    writer.writerow([_("Total"), snap["claimed"], "", snap["counted"]])
    writer.writerow([_("Target"), snap["target"] if not snap["exempt"] else _("exempt"),
                     _("met") if snap["target_met"] else _("not met")])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
