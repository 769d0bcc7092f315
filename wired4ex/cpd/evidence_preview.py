"""The reviewer's in-page look at a claim's evidence: pages of a PDF drawn as PNG images on the
server (PDFium), so the page shows them with plain <img> on any phone or desktop, without a PDF
plugin, a frame or a script. Images are shown as they are.

Evidence is a member's upload, so it is handled as hostile: at most MAX_PAGES pages are drawn, each
at most MAX_WIDTH pixels wide, and a file PDFium cannot read gives no preview (the reviewer still
downloads it). The responses that carry evidence are sandboxed (see SANDBOX_POLICY).
"""

import io
import math
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


def _drawn_size(page) -> tuple[float, int, int]:
    """(scale, width, height) of a page drawn for the preview: what render_page makes of it
    (PDFium rounds each side up)."""
    width, height = page.get_width(), page.get_height()
    scale = min(SCALE, MAX_WIDTH / width) if width > 0 else SCALE
    return scale, math.ceil(width * scale), math.ceil(height * scale)


def preview_pages(path: Path) -> tuple[int, list[tuple[int, int]]]:
    """(page count, (width, height) of each page drawn for the preview, MAX_PAGES at most), so
    the page gives each image its size before it loads; PreviewError when PDFium cannot open it."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise PreviewError(str(error)) from error
    try:
        total = len(document)
        sizes = []
        for index in range(min(total, MAX_PAGES)):
            _scale, width, height = _drawn_size(document[index])
            sizes.append((width, height))
        return total, sizes
    except pdfium.PdfiumError as error:
        raise PreviewError(str(error)) from error
    finally:
        document.close()


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of image evidence from its header, or None when it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None


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
        scale, _width, _height = _drawn_size(page)
        image = page.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    except pdfium.PdfiumError as error:
        raise PreviewError(str(error)) from error
    finally:
        document.close()
