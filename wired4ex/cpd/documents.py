"""Statement documents: an A4 PDF (embedded DejaVu font, QR code) and a CSV of the same rows.

Both are drawn from the statement's snapshot only, so a re-download shows exactly what was issued.
"""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import format_decimal
from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wired4ex.auth.forms import MEMBERSHIP_LABELS
from wired4ex.cpd import signatures
from wired4ex.cpd.snapshots import source_label
from wired4ex.cpd.verifiable import format_code
from wired4ex.csvsafe import safe_cell as _cell
from wired4ex.documents import (
    BRAND,
    Issuer,
    draw_letterhead,
    draw_mark,
    issuer,
    numbered,
    page_of,
    signature_image,
)
from wired4ex.i18n import policy_text, show_date
from wired4ex.membership.texts import issued_membership, no_target_reason

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAD = 6  # points: the frame's padding, so drawn parts line up with the text


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
    "cell_muted": ParagraphStyle("cell_muted", fontName=FONT, fontSize=7.5, leading=9.5, textColor=colors.Color(0.2, 0.2, 0.2)),
    "cell_bold": ParagraphStyle("cell_bold", fontName=FONT_BOLD, fontSize=8, leading=10),
    "number": ParagraphStyle("number", fontName=FONT, fontSize=8, leading=10, alignment=TA_RIGHT),
    "outcome": ParagraphStyle("outcome", fontName=FONT_BOLD, fontSize=10, leading=13),
    "small_centre": ParagraphStyle("small_centre", fontName=FONT, fontSize=7, leading=8.5, alignment=TA_CENTER),
    "code": ParagraphStyle("code", fontName=FONT_BOLD, fontSize=8.5, leading=10.5, alignment=TA_CENTER),
}  # fmt: skip


def _p(text, style="cell") -> Paragraph:
    """A paragraph of literal text: markup characters in names and titles print as themselves."""
    return Paragraph(escape(str(text)), STYLES[style])


def _num(value) -> str:
    """Points as every page shows them: 1.5, 40 (not 40.0 beside 1.5); "—" for none."""
    if value in (None, ""):
        return ""
    return format_decimal(Decimal(str(value)), format="#,##0.#")


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


def _qr_block(verify_url: str, code: str) -> Table:
    """The QR code with the verification code under it: top right, where an employer looks."""
    block = Table(
        [[_qr(verify_url, size=30 * mm)], [_p(_("Verification code"), "small_centre")],
         [_p(code, "code")], [_p(_("Scan to verify"), "small_centre")]],
        colWidths=[36 * mm],
    )  # fmt: skip
    block.setStyle(TableStyle([
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("BOX", (0, 0), (-1, -1), 0.8, BRAND),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))  # fmt: skip
    return block


def signatory_block(details: Issuer, issued: str) -> Table:
    """The signature (an image when configured), a line, the signatory's name and title."""
    image = signature_image(details)
    signature = Image(image, width=40 * mm, height=14 * mm, kind="proportional") if image else ""
    rows = [
        [signature],
        [_p(details.signatory_name, "cell_bold")],
        [_p(details.signatory_title, "cell")],
        [_p(_("Issued %(date)s", date=issued), "cell")],
    ]
    block = Table(rows, colWidths=[70 * mm], rowHeights=[16 * mm, None, None, None], hAlign="LEFT")
    block.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (0, 0), 0.8, colors.black), ("VALIGN", (0, 0), (0, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))  # fmt: skip
    return block


def render_pdf(statement, verify_url: str) -> bytes:
    """The statement as an A4 PDF: letterhead, details beside the QR code and verification
    code, activities (headers repeated on each page), totals, outcome and signatory kept
    together on the last page, "Page 1 of 2" in the footer."""
    _register_fonts()
    snap = statement.snapshot
    code = format_code(statement.code)
    details = issuer()
    buffer = io.BytesIO()
    margin, width = 16 * mm, A4[0] - 32 * mm
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=36 * mm,
        bottomMargin=18 * mm, title=_("CPD statement %(code)s", code=code),
        author=snap["association"],
        subject=_("CPD statement of %(name)s", name=snap["member"]["name"]),
    )  # fmt: skip
    member = snap["member"]
    period = _("%(start)s to %(end)s", start=_date(snap["period"]["start"]),
               end=_date(snap["period"]["end"]))  # fmt: skip
    facts = [
        [_("Name"), member["name"]],
        [_("Membership number"), member["membership_number"] or "—"],
        list(issued_membership(member)),
        [_("Period"), period],
        [_("Issued"), show_date(statement.issued_at)],
        [_("Verification code"), code],
    ]
    facts_table = Table(
        [[_p(k, "cell_bold"), _p(v, "body")] for k, v in facts], colWidths=[40 * mm, 96 * mm]
    )
    facts_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    header = Table(
        [[facts_table, _qr_block(verify_url, code)]], colWidths=[width - 38 * mm, 38 * mm]
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    story = [
        _p(_("Continuing Professional Development statement"), "title"),
        header,
        Spacer(1, 2 * mm),
        _p(_("Verify at %(url)s", url=verify_url), "body"),
    ]

    activity_headings, total_headings = _headings()
    story.append(_p(_("Activities counted"), "heading"))
    rows = [[_p(h, "cell_bold") for h in activity_headings[:2] + activity_headings[3:]]]
    for activity in snap["activities"]:
        what = [_p(activity["title"], "cell_bold"), _p(activity["provider"], "cell_muted")]
        rows.append([
            _p(_date(activity["date"])), what, _p(policy_text(activity["category"])),
            _p(_num(activity["points"]), "number"), _p(source_label(activity)),
        ])  # fmt: skip
    if len(rows) == 1:
        rows.append([_p(_("No activities in this period.")), "", "", "", ""])
    activities = Table(rows, repeatRows=1, colWidths=[24 * mm, 63 * mm, 44 * mm, 17 * mm, 30 * mm])
    activities.setStyle(GRID)
    story.append(activities)

    totals = [[_p(h, "cell_bold") for h in total_headings]]
    for category in snap["categories"]:
        totals.append([
            _p(policy_text(category["name"])), _p(_num(category["claimed"]), "number"),
            _p(_num(category["cap"]) or _("none"), "number"), _p(_num(category["counted"]), "number"),
        ])  # fmt: skip
    totals.append([_p(_("Total"), "cell_bold"), _p(_num(snap["claimed"]), "number"), _p(""),
                   _p(_num(snap["counted"]), "number")])  # fmt: skip
    totals_table = Table(totals, repeatRows=1, colWidths=[100 * mm, 26 * mm, 24 * mm, 28 * mm])
    totals_table.setStyle(GRID)

    if snap["exempt"]:
        outcome = _("This membership category is exempt from the yearly CPD target.")
    elif snap["target"] is None:
        outcome = no_target_reason(member) or ""
    elif snap["target_met"]:
        outcome = _("Target: %(target)s counted points. Counted: %(counted)s. Target met.",
                    target=_num(snap["target"]), counted=_num(snap["counted"]))  # fmt: skip
    else:
        outcome = _("Target: %(target)s counted points. Counted: %(counted)s. Target not met.",
                    target=_num(snap["target"]), counted=_num(snap["counted"]))  # fmt: skip
    closing = [_p(_("Totals by category"), "heading"), totals_table, Spacer(1, 3 * mm),
               _p(outcome, "outcome")]  # fmt: skip
    if snap["domains"]:
        closing += [
            _p(_("Competency domains covered"), "heading"),
            _p(", ".join(policy_text(name) for name in snap["domains"]), "body"),
        ]
    closing += [
        Spacer(1, 3 * mm),
        _p(_("Points over a category's cap are shown as earned but do not count towards the "
             "target. This statement can be checked by anyone at the address above, with its "
             "code."), "body"),
        Spacer(1, 6 * mm),
        signatory_block(details, show_date(statement.issued_at)),
    ]  # fmt: skip
    # The totals, the outcome and the signature travel together: the last page never holds
    # only a signature or a closing sentence.
    story.append(KeepTogether(closing))

    left = _("%(association)s · CPD statement %(code)s", association=snap["association"], code=code)

    def first_page(canvas, doc):
        letterhead_details = Issuer(snap["association"], details.address, "", "", "")
        draw_letterhead(canvas, margin + PAD, A4[1] - 14 * mm, width - 2 * PAD, FONT, FONT_BOLD,
                        letterhead_details)  # fmt: skip

    def later_page(canvas, doc):
        draw_mark(canvas, margin + PAD, A4[1] - 20 * mm, 8 * mm)
        canvas.setFont(FONT, 8)
        canvas.drawString(margin + PAD + 11 * mm, A4[1] - 15 * mm, left)
        canvas.setStrokeColor(BRAND)
        canvas.line(margin + PAD, A4[1] - 23 * mm, margin + width - PAD, A4[1] - 23 * mm)

    def footer(canvas, number, total):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(margin + PAD, 10 * mm, left)
        canvas.drawRightString(A4[0] - margin - PAD, 10 * mm, page_of(number, total))
        canvas.restoreState()

    document.build(story, onFirstPage=first_page, onLaterPages=later_page,
                   canvasmaker=numbered(footer))  # fmt: skip
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
    writer.writerow(list(issued_membership(member)))
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
    if snap["target"] is None and not snap["exempt"]:
        writer.writerow([_("Target"), no_target_reason(member) or ""])
    else:
        writer.writerow([_("Target"), snap["target"] if not snap["exempt"] else _("exempt"),
                         _("met") if snap["target_met"] else _("not met")])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
