"""The review page gives each evidence image its size (width and height attributes), the size of
the image the server sends, so the page does not move while the images load."""

import io
import re

from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from tests.cpd.test_review_queue import claim_with, real_png  # noqa: F401  (claim_with: fixture)


def mixed_pdf() -> bytes:
    """A portrait page, a landscape page (wider than the preview's cap) and a small page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for size in (A4, landscape(A4), (200, 100)):
        canvas.setPageSize(size)
        canvas.drawString(20, 20, "Certificate of attendance")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sizes_in(page: str) -> list[tuple[int, int]]:
    tags = re.findall(r'<img class="evidence-page"[^>]*>', page)
    return [(int(re.search(r'width="(\d+)"', t)[1]), int(re.search(r'height="(\d+)"', t)[1]))
            for t in tags]  # fmt: skip


def test_pdf_pages_are_given_the_size_of_the_image_sent(admin_client, make_user, claim_with):  # noqa: F811
    claim = claim_with(make_user(full_name="Pdf Claimant"), mixed_pdf(), "cert.pdf", 1)
    page = admin_client.get(f"/cpd/review/{claim.id}").get_data(as_text=True)
    sizes = sizes_in(page)
    assert len(sizes) == 3
    for number, size in enumerate(sizes, start=1):
        image = admin_client.get(f"/cpd/review/{claim.id}/evidence/page-{number}.png")
        assert Image.open(io.BytesIO(image.get_data())).size == size
    assert sizes[1][0] <= 901 and sizes[1][0] > sizes[1][1]  # the landscape page, capped


def test_image_evidence_is_given_its_size(admin_client, make_user, claim_with):  # noqa: F811
    photo = claim_with(make_user(full_name="Photo Claimant"), real_png(), "photo.png", 1)
    page = admin_client.get(f"/cpd/review/{photo.id}").get_data(as_text=True)
    assert sizes_in(page) == [(120, 80)]
