"""Statement documents: an A4 PDF (embedded DejaVu font, QR code) and a CSV of the same rows.

Both are drawn from the statement's snapshot only, so a re-download shows exactly what was issued.
"""

import csv
import io
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

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

from wired4ex.cpd.statements import format_code
from wired4ex.csvsafe import safe_cell as _cell

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
MEMBERSHIP_NAMES = {
    "student": "Student", "professional": "Professional", "associate": "Associate",
    "life": "Life member", "corporate": "Corporate", "honorary": "Honorary",
}  # fmt: skip


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
    return date.fromisoformat(iso).strftime("%d %b %Y").lstrip("0")


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
        bottomMargin=18 * mm, title=f"CPD statement {code}", author=snap["association"],
        subject=f"CPD statement of {snap['member']['name']}",
    )  # fmt: skip
    member = snap["member"]
    story = [
        _p(snap["association"], "subtitle"),
        _p("Continuing Professional Development statement", "title"),
    ]
    details = [
        ["Name", member["name"]],
        ["Membership number", member["membership_number"] or "—"],
        ["Membership category", MEMBERSHIP_NAMES.get(member["category"], member["category"])],
        ["Period", f"{_date(snap['period']['start'])} to {_date(snap['period']['end'])}"],
        ["Issued", statement.issued_at.date().strftime("%d %b %Y").lstrip("0")],
        ["Verification code", code],
    ]
    details_table = Table(
        [[_p(k, "cell_bold"), _p(v, "body")] for k, v in details], colWidths=[42 * mm, 90 * mm]
    )
    details_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    header = Table([[details_table, _qr(verify_url)]], colWidths=[140 * mm, 38 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 3 * mm), header, _p(f"Verify at {verify_url}", "body")]

    story.append(_p("Activities counted", "heading"))
    rows = [
        [
            _p(h, "cell_bold")
            for h in ("Date", "Activity", "Provider", "Category", "Points", "How verified")
        ]
    ]
    for activity in snap["activities"]:
        rows.append([
            _p(_date(activity["date"])), _p(activity["title"]), _p(activity["provider"]),
            _p(activity["category"]), _p(activity["points"], "number"), _p(activity["verified"]),
        ])  # fmt: skip
    if len(rows) == 1:
        rows.append([_p("No activities in this period."), "", "", "", "", ""])
    activities = Table(
        rows, repeatRows=1,
        colWidths=[21 * mm, 46 * mm, 33 * mm, 30 * mm, 16 * mm, 32 * mm],
    )  # fmt: skip
    activities.setStyle(GRID)
    story.append(activities)

    story.append(_p("Totals by category", "heading"))
    totals = [[_p(h, "cell_bold") for h in ("Category", "Earned", "Cap", "Counted")]]
    for category in snap["categories"]:
        totals.append([
            _p(category["name"]), _p(category["claimed"], "number"),
            _p(category["cap"] or "none", "number"), _p(category["counted"], "number"),
        ])  # fmt: skip
    totals.append([_p("Total", "cell_bold"), _p(snap["claimed"], "number"), _p(""),
                   _p(snap["counted"], "number")])  # fmt: skip
    totals_table = Table(totals, repeatRows=1, colWidths=[96 * mm, 26 * mm, 26 * mm, 30 * mm])
    totals_table.setStyle(GRID)
    story.append(totals_table)

    if snap["exempt"]:
        outcome = "This membership category is exempt from the yearly CPD target."
    else:
        met = "met" if snap["target_met"] else "not met"
        outcome = (
            f"Target: {snap['target']} counted points. Counted: {snap['counted']}. Target {met}."
        )
    story += [Spacer(1, 3 * mm), _p(outcome, "body")]
    if snap["domains"]:
        story += [
            _p("Competency domains covered", "heading"),
            _p(", ".join(snap["domains"]), "body"),
        ]
    story += [
        Spacer(1, 4 * mm),
        _p("Points over a category's cap are shown as earned but do not count towards the target. "
           "This statement can be checked by anyone at the address above, with its code.", "body"),
    ]  # fmt: skip

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(16 * mm, 10 * mm, f"{snap['association']} · CPD statement {code}")
        canvas.drawRightString(A4[0] - 16 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render_csv(statement, verify_url: str) -> bytes:
    """The statement's rows as CSV, UTF-8 with a byte-order mark so spreadsheets read it right."""
    snap = statement.snapshot
    out = io.StringIO()
    writer = csv.writer(out)
    member = snap["member"]
    writer.writerow(["CPD statement", snap["association"]])
    writer.writerow(["Name", _cell(member["name"])])
    writer.writerow(["Membership number", _cell(member["membership_number"])])
    writer.writerow(
        ["Membership category", MEMBERSHIP_NAMES.get(member["category"], member["category"])]
    )
    writer.writerow(["Period", snap["period"]["start"], snap["period"]["end"]])
    writer.writerow(["Verification code", format_code(statement.code), verify_url])
    writer.writerow([])
    writer.writerow(["Date", "Activity", "Provider", "Category", "Points", "How verified"])
    for activity in snap["activities"]:
        writer.writerow([
            activity["date"], _cell(activity["title"]), _cell(activity["provider"]),
            _cell(activity["category"]), activity["points"], activity["verified"],
        ])  # fmt: skip
    writer.writerow([])
    writer.writerow(["Category", "Earned", "Cap", "Counted"])
    for category in snap["categories"]:
        writer.writerow(
            [
                _cell(category["name"]),
                category["claimed"],
                category["cap"] or "",
                category["counted"],
            ]
        )
    writer.writerow(["Total", snap["claimed"], "", snap["counted"]])
    writer.writerow(["Target", snap["target"] if not snap["exempt"] else "exempt",
                     "met" if snap["target_met"] else "not met"])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
