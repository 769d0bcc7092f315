"""The certificate of attendance: a one-page A4 PDF drawn from its snapshot, with the sessions
and points, the verification code and a QR code; and the attendance CSV of a session."""

import csv
import io
from datetime import date, datetime
from xml.sax.saxutils import escape

from flask_babel import format_decimal
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from wired4ex.cpd.documents import FONT, FONT_BOLD, _qr, _register_fonts
from wired4ex.cpd.verifiable import format_code
from wired4ex.csvsafe import safe_cell
from wired4ex.i18n import show_date, show_datetime
from wired4ex.timeutil import association_zone

STYLES = {
    "association": ParagraphStyle("association", fontName=FONT, fontSize=11, leading=14),
    "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=20, leading=25, spaceBefore=6 * mm, spaceAfter=4 * mm),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=2 * mm),
    "name": ParagraphStyle("name", fontName=FONT_BOLD, fontSize=17, leading=22, spaceAfter=2 * mm),
    "event": ParagraphStyle("event", fontName=FONT_BOLD, fontSize=13, leading=17, spaceAfter=2 * mm),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11.5),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11),
}  # fmt: skip


def _p(text, style="body") -> Paragraph:
    """Literal text: markup characters in names and titles print as themselves."""
    return Paragraph(escape(str(text)), STYLES[style])


def _points(value: str) -> str:
    return format_decimal(value, format="#,##0.#")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=association_zone())


def render_certificate(certificate, verify_url: str, category_name) -> bytes:
    """The certificate as a one-page A4 PDF, in the language of the request."""
    _register_fonts()
    snap = certificate.snapshot
    code = format_code(certificate.code)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=_("Certificate of attendance %(code)s", code=code),
        author=snap["association"],
    )  # fmt: skip
    event = snap["event"]
    start, end = date.fromisoformat(event["start"]), date.fromisoformat(event["end"])
    dates = show_date(start) if start == end else f"{show_date(start)} – {show_date(end)}"
    place = _("Online") if event["online"] else event["venue"]
    rows = [[_p(_("Session"), "cell"), _p(_("Time"), "cell"), _p(_("Category"), "cell"),
             _p(_("Points"), "cell")]]  # fmt: skip
    for session in snap["sessions"]:
        starts, ends = _moment(session["start"]), _moment(session["end"])
        when = f"{show_date(starts)} {starts:%H:%M}–{ends:%H:%M}"
        rows.append([_p(session["title"], "cell"), _p(when, "cell"),
                     _p(category_name(session["category"]), "cell"),
                     _p(_points(session["points"]), "cell")])  # fmt: skip
    rows.append([_p(_("Total"), "cell"), "", "", _p(_points(snap["total_points"]), "cell")])
    table = Table(rows, colWidths=[70 * mm, 45 * mm, 38 * mm, 17 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    member = snap["member"]
    story = [
        _p(snap["association"], "association"),
        _p(_("Certificate of attendance"), "title"),
        _p(_("This certifies that"), "body"),
        _p(member["name"], "name"),
    ]
    if member["membership_number"]:
        story.append(_p(_("Membership number: %(number)s", number=member["membership_number"])))
    story += [
        _p(_("attended the following sessions of"), "body"),
        _p(event["title"], "event"),
        _p(
            _(
                "organised by %(organiser)s · %(dates)s · %(place)s",
                organiser=event["organiser"],
                dates=dates,
                place=place,
            )
        ),  # fmt: skip
    ]
    if event["external"]:
        story.append(_p(_("An event accredited by HeSMA East Africa for CPD.")))
    story += [Spacer(1, 4 * mm), table, Spacer(1, 6 * mm)]
    story.append(
        Table(
            [
                [
                    [
                        _p(
                            _(
                                "Attendance was recorded at each session with a rotating attendance code "
                                "and the points were added to the member's CPD record."
                            ),
                            "small",
                        ),
                        _p(
                            _("Issued %(date)s", date=show_datetime(certificate.issued_at)), "small"
                        ),
                        _p(_("Verification code: %(code)s", code=code), "small"),
                        _p(_("Verify at %(url)s", url=verify_url), "small"),
                    ],
                    _qr(verify_url, size=30 * mm),
                ]
            ],
            colWidths=[135 * mm, 35 * mm],
        )  # fmt: skip
    )
    document.build(story)
    return buffer.getvalue()


def render_attendance_csv(session, rows) -> str:
    """The attendance list of a session, every cell safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Email address"), _("Membership number"), _("Status"),
                     _("Checked in at"), _("How"), _("Points")])  # fmt: skip
    how = {"qr": _("QR code"), "code": _("Typed code"), "organiser": _("Marked by an organiser")}
    for record in rows:
        member = record.member
        writer.writerow([safe_cell(value) for value in (
            member.full_name, member.email, member.membership_number or "",
            _("Present") if record.present else _("Removed"),
            record.checked_in_at.astimezone(association_zone()).strftime("%Y-%m-%d %H:%M"),
            how.get(record.method, record.method),
            session.points if record.present else 0,
        )])  # fmt: skip
    return "\ufeff" + out.getvalue()
