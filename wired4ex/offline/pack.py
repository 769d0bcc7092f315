"""The printable pack: a course as one PDF (its overview, every module with its images, and the
knowledge-check questions without their answers), made with ReportLab when the course is published
or synced, and stored with its size.

Module HTML comes from the Markdown pipeline (wired4ex/markup.py), already cleaned; it is turned
into ReportLab flowables here: headings, paragraphs with bold, italics and code, lists, tables,
quotes, code blocks and images (PNG, JPEG, GIF, WebP from the course's media; SVG figures print
their description). Which options are right never enters the PDF.
"""

import hashlib
import io
from html import escape
from html.parser import HTMLParser

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wired4ex.catalog.models import Course, CourseMedia
from wired4ex.catalog.quiz import question_type
from wired4ex.cpd.documents import FONT, FONT_BOLD, _register_fonts
from wired4ex.documents import BRAND, draw_mark, issuer, numbered, page_of

MONO = "Courier"
WIDTH = A4[0] - 36 * mm
STYLES = {
    "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=4 * mm, textColor=BRAND),
    "h1": ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=16, leading=20, spaceBefore=2 * mm, spaceAfter=3 * mm, textColor=BRAND),
    "h2": ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm),
    "h3": ParagraphStyle("h3", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=2.5 * mm, alignment=TA_LEFT),
    "meta": ParagraphStyle("meta", fontName=FONT, fontSize=9, leading=12, textColor=colors.Color(0.25, 0.25, 0.25), spaceAfter=3 * mm),
    "item": ParagraphStyle("item", fontName=FONT, bulletFontName=FONT, fontSize=10, leading=14, leftIndent=6 * mm, bulletIndent=1.5 * mm, spaceAfter=1 * mm),
    "quote": ParagraphStyle("quote", fontName=FONT, fontSize=10, leading=14, leftIndent=6 * mm, textColor=colors.Color(0.2, 0.2, 0.2), spaceAfter=2.5 * mm),
    "code": ParagraphStyle("code", fontName=MONO, fontSize=8.5, leading=11, spaceAfter=2.5 * mm, backColor=colors.Color(0.95, 0.96, 0.97)),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11),
    "caption": ParagraphStyle("caption", fontName=FONT, fontSize=8.5, leading=11, textColor=colors.Color(0.25, 0.25, 0.25), spaceAfter=3 * mm),
}  # fmt: skip

BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td", "th",
          "figcaption", "dt", "dd", "summary"}  # fmt: skip
INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "sub": "sub", "sup": "super",
          "del": "strike", "s": "strike", "u": "u"}  # fmt: skip
SKIP = {"script", "style", "svg", "math", "button", "input", "nav"}


class _Flow(HTMLParser):
    """Module HTML to flowables. Text is gathered into the innermost block; a block ends in a
    Paragraph of its style. Images become flowables of their own."""

    def __init__(self, images: dict[str, CourseMedia]):
        super().__init__(convert_charrefs=True)
        self.images = images
        self.out: list = []
        self.text: list[str] = []
        self.block: str | None = None
        self.lists: list[list] = []  # per open list: ["ul"|"ol", counter]
        self.quote = 0
        self.skip = 0
        self.skipped: list[str] = []  # tags whose content is left out (scripts, back-links)
        self.pre = False
        self.table: list[list[str]] | None = None
        self.row: list[str] | None = None

    # -- text ---------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            inner = " ".join(data.split())
            before = " " if data[:1].isspace() else ""
            after = " " if data[-1:].isspace() and inner else ""
            data = before + inner + after
            if data.strip() == "" and not self.text:
                return
        self.text.append(escape(data) if not self.pre else data)

    def _flush(self) -> None:
        text = "".join(self.text).strip()
        self.text = []
        if not text:
            return
        if self.row is not None:
            self.row.append(text)
            return
        if self.pre:
            self.out.append(Preformatted(text, STYLES["code"]))
            return
        kind = self.block or "p"
        if kind in ("h1", "h2"):
            style = STYLES["h2"]
        elif kind in ("h3", "h4", "h5", "h6", "summary", "dt"):
            style = STYLES["h3"]
        elif kind == "li" and self.lists:
            kind_, counter = self.lists[-1]
            style = ParagraphStyle(
                "li", parent=STYLES["item"], leftIndent=6 * mm * len(self.lists),
                bulletIndent=6 * mm * (len(self.lists) - 1) + 1.5 * mm,
            )  # fmt: skip
            bullet = f"{counter}." if kind_ == "ol" else "•"
            self.out.append(Paragraph(text, style, bulletText=bullet))
            return
        elif kind == "figcaption":
            style = STYLES["caption"]
        elif self.quote:
            style = STYLES["quote"]
        else:
            style = STYLES["body"]
        self.out.append(Paragraph(text, style))

    # -- tags ---------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs) -> None:
        values = dict(attrs)
        if tag in SKIP or (tag == "a" and "footnote-backref" in (values.get("class") or "")):
            self.skip += 1
            self.skipped.append(tag)
            return
        if self.skip:
            return
        if tag in INLINE:
            self.text.append(f"<{INLINE[tag]}>")
        elif tag == "code" and not self.pre:
            self.text.append(f'<font face="{MONO}">')
        elif tag == "br":
            self.text.append("<br/>")
        elif tag == "img":
            self._flush()
            self._image(values.get("src") or "", values.get("alt") or "")
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag, int(values.get("start") or 1) - 1])
        elif tag == "li":
            self._flush()
            if self.lists:
                self.lists[-1][1] += 1
            self.block = "li"
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag == "pre":
            self._flush()
            self.pre = True
        elif tag == "table":
            self._flush()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in BLOCKS:
            self._flush()
            self.block = tag

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skipped and tag == self.skipped[-1]:
            self.skipped.pop()
            self.skip -= 1
            return
        if self.skip:
            return
        if tag in INLINE:
            self.text.append(f"</{INLINE[tag]}>")
        elif tag == "code" and not self.pre:
            self.text.append("</font>")
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
            self.block = "li" if self.lists else None
        elif tag == "blockquote":
            self._flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self._flush()
            self.pre = False
        elif tag in ("td", "th") and self.row is not None:
            text = "".join(self.text).strip()
            self.text = []
            self.row.append(text)
        elif tag == "tr" and self.table is not None and self.row is not None:
            self.table.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None:
            self._table(self.table)
            self.table = None
        elif tag in BLOCKS:
            self._flush()
            self.block = "li" if self.lists and tag != "li" else None

    def close(self) -> None:
        super().close()
        self._flush()

    # -- pieces -------------------------------------------------------------------------------
    def _image(self, src: str, alt: str) -> None:
        name = src.split("media/", 1)[1] if "media/" in src else None
        media = self.images.get(name) if name else None
        if media is not None and not media.content_type.endswith("svg+xml"):
            try:
                reader = ImageReader(io.BytesIO(media.data))
                width, height = reader.getSize()
            except (OSError, ValueError):
                media = None
            else:
                scale = min(1.0, WIDTH / width, 110 * mm / height)
                self.out.append(Spacer(1, 2 * mm))
                self.out.append(
                    Image(io.BytesIO(media.data), width=width * scale, height=height * scale)
                )
                self.out.append(Spacer(1, 2 * mm))
                return
        if alt:  # an SVG figure or a missing image: its description stands in for it
            self.out.append(Paragraph(f"[{escape(alt)}]", STYLES["caption"]))

    def _table(self, rows: list[list[str]]) -> None:
        if not rows:
            return
        columns = max(len(row) for row in rows)
        cells = [[Paragraph(cell, STYLES["cell"]) for cell in row + [""] * (columns - len(row))]
                 for row in rows]  # fmt: skip
        table = Table(cells, colWidths=[WIDTH / columns] * columns, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.6, 0.6, 0.6)),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.95, 0.95)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))  # fmt: skip
        self.out.append(table)
        self.out.append(Spacer(1, 3 * mm))


def html_flowables(html: str, images: dict[str, CourseMedia]) -> list:
    parser = _Flow(images)
    parser.feed(html or "")
    parser.close()
    return parser.out


def _questions(quiz: list[dict]) -> list:
    """The knowledge check as printed: questions and options, never which answer is right."""
    out = [Paragraph(escape(_("Knowledge check")), STYLES["h2"]),
           Paragraph(escape(_("Answer these questions online to complete the module and earn its "
                              "CPD points.")), STYLES["meta"])]  # fmt: skip
    for number, question in enumerate(quiz, start=1):
        kind = question_type(question)
        block = [Paragraph(f"{number}. {escape(question['text'])}", STYLES["body"])]
        if kind == "choice":
            for option in question.get("options", []):
                block.append(Paragraph(escape(option["text"]), STYLES["item"], bulletText="☐"))
        elif kind == "truefalse":
            for label in (_("True"), _("False")):
                block.append(Paragraph(escape(label), STYLES["item"], bulletText="☐"))
        else:
            block.append(Paragraph("_" * 40, STYLES["item"]))
        out.append(KeepTogether(block))
    return out


def fingerprint(course: Course) -> str:
    """What the pack depends on: the course text, its modules' current versions and its media."""
    parts = [course.title, course.summary, course.overview_html, course.language]
    for module in course.active_modules:
        version = module.current_version
        if version is not None:
            parts.append(f"{module.id}:{version.id}:{module.position}:{version.renderer_version}")
    parts += sorted(f"{m.name}:{m.sha256}" for m in course.media)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def build_pdf(course: Course) -> bytes:
    """The course as one PDF, in the course's language."""
    _register_fonts()
    details = issuer()
    images = {media.name: media for media in course.media}
    modules = [m for m in course.active_modules if m.current_version is not None]
    with force_locale(course.language):
        story = [Paragraph(escape(course.title), STYLES["title"]),
                 Paragraph(escape(course.summary), STYLES["body"]),
                 Paragraph(escape(f"{course.institution.name}"
                                  + (f" · {course.version}" if course.version else "")),
                           STYLES["meta"])]  # fmt: skip
        story += html_flowables(course.overview_html, images)
        for position, module in enumerate(modules, start=1):
            version = module.current_version
            story.append(PageBreak())
            story.append(Paragraph(escape(_("Module %(position)d of %(total)d", position=position,
                                            total=len(modules))), STYLES["meta"]))  # fmt: skip
            story.append(Paragraph(escape(version.title), STYLES["h1"]))
            if version.objectives:
                story.append(Paragraph(escape(_("By the end of this module you will be able to")),
                                       STYLES["h3"]))  # fmt: skip
                for objective in version.objectives:
                    story.append(Paragraph(escape(objective), STYLES["item"], bulletText="•"))
            story += html_flowables(version.html, images)
            if version.quiz:
                story += _questions(version.quiz)
        footer_text = f"{course.title} · {details.name}"

        def footer(canvas, number, total):
            canvas.saveState()
            draw_mark(canvas, 18 * mm, 9 * mm, 6 * mm)
            canvas.setFont(FONT, 7.5)
            canvas.drawString(26 * mm, 11 * mm, footer_text[:110])
            canvas.drawRightString(A4[0] - 18 * mm, 11 * mm, page_of(number, total))
            canvas.restoreState()

        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
            bottomMargin=20 * mm, title=course.title, author=details.name,
            subject=course.summary[:200], lang=course.language,
        )  # fmt: skip
        document.build(story, canvasmaker=numbered(footer))
    return buffer.getvalue()
