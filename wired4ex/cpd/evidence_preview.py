"""The reviewer's in-page look at a claim's evidence: pages of a PDF drawn as PNG images on the
server (PDFium), so the page shows them with plain <img> on any phone or desktop, without a PDF
plugin, a frame or a script. Images are shown as they are.

Evidence is a member's upload, so it is handled as hostile: at most MAX_PAGES pages are drawn, each
at most MAX_WIDTH pixels wide, and a file PDFium cannot read gives no preview (the reviewer still
downloads it). The responses that carry evidence are sandboxed (see SANDBOX_POLICY).
"""

import io
from pathlib import Path

MAX_PAGES = 3
MAX_WIDTH = 900  # pixels: sharp in the review column, small to send
SCALE = 1.5  # 108 dpi before the width cap
# Evidence served to the reviewer: nothing in it may run, load or be framed elsewhere, and an
# image is a sandboxed document of its own. A PDF cannot be sandboxed: Chromium refuses to start
# its PDF viewer in a sandboxed document ("This page has been blocked"), so a PDF gets the same
# policy without `sandbox`; its type comes from its content (never HTML) and PDF scripts run in
# the viewer's own process, with no access to this site's pages or cookies.
SANDBOX_POLICY = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'self'"
PDF_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


class PreviewError(ValueError):
    """The file cannot be drawn (damaged, encrypted, or not a PDF)."""


def page_count(path: Path) -> int:
    """How many pages the PDF has; PreviewError when PDFium cannot open it."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise PreviewError(str(error)) from error
    try:
        return len(document)
    finally:
        document.close()


def render_page(path: Path, number: int) -> bytes:
    """Page `number` (1-based) of the PDF as PNG bytes; PreviewError when it cannot be drawn."""
    import pypdfium2 as pdfium

    if not 1 <= number <= MAX_PAGES:
        raise PreviewError(number)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise PreviewError(str(error)) from error
    try:
        if number > len(document):
            raise PreviewError(number)
        page = document[number - 1]
        width = page.get_width()
        scale = min(SCALE, MAX_WIDTH / width) if width > 0 else SCALE
        image = page.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    except pdfium.PdfiumError as error:
        raise PreviewError(str(error)) from error
    finally:
        document.close()
