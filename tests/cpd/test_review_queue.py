"""The secretariat's claim queue (issue 16): waiting time, filters by category and age from the
query string (a bad value is ignored and said, never a 500), and the evidence previewed in the
review page: images inline, PDF pages drawn as images, both served sandboxed to admins only."""

import io
from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from werkzeug.datastructures import FileStorage

from tests.conftest import PASSWORD, page_scripts, submit
from tests.cpd.conftest import claim_input
from wired4ex.cpd import services
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db


def real_pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for number in range(pages):
        canvas.drawString(72, 720, f"Certificate of attendance, page {number + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def real_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (10, 90, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def claim_with(policy):
    def build(user, data: bytes, filename: str, days_ago: int = 0, **changes):
        claim = services.save_claim(
            user, claim_input(**changes), upload=FileStorage(BytesIO(data), filename=filename),
            submit=True,
        )  # fmt: skip
        claim.submitted_at = utcnow() - timedelta(days=days_ago, hours=1)
        db.session.commit()
        return claim

    return build


def test_the_queue_shows_waiting_time_and_filters_by_category_and_age(
    admin_client, make_user, claim_with
):
    claim_with(make_user(full_name="Old Claimant"), real_pdf(1), "a.pdf", 20,
               title="County health summit")  # fmt: skip
    claim_with(make_user(full_name="New Claimant"), real_pdf(1), "b.pdf", 2,
               title="Committee work", category="association")  # fmt: skip
    page = admin_client.get("/cpd/review").get_data(as_text=True)
    assert "20 days" in page and "2 days" in page and "2 claims waiting" in page
    assert page.index("County health summit") < page.index("Committee work")
    older = admin_client.get("/cpd/review?age=14").get_data(as_text=True)
    assert "County health summit" in older and "Committee work" not in older
    by_category = admin_client.get("/cpd/review?category=association").get_data(as_text=True)
    assert "Committee work" in by_category and "County health summit" not in by_category
    none = admin_client.get("/cpd/review?category=association&age=30").get_data(as_text=True)
    assert "No claims waiting match these filters." in none
    for query in ("age=banana", "category=%3Cscript%3E", "age=-1&category=nope", "page=x"):
        response = admin_client.get(f"/cpd/review?{query}")
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert "2 claims waiting" in html, query
        if "page=" not in query:
            assert "was not one of the choices and was left out" in html
        assert "<script>" not in html


def test_pdf_evidence_is_previewed_in_the_page_as_images(admin_client, make_user, claim_with):
    claim = claim_with(make_user(full_name="Pdf Claimant"), real_pdf(5), "cert.pdf", 3)
    page = admin_client.get(f"/cpd/review/{claim.id}").get_data(as_text=True)
    assert "The first 3 of 5 pages are shown here" in page
    for number in (1, 2, 3):
        assert f"/cpd/review/{claim.id}/evidence/page-{number}.png" in page
    assert "<iframe" not in page and page_scripts(page) == []
    image = admin_client.get(f"/cpd/review/{claim.id}/evidence/page-1.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    drawn = Image.open(io.BytesIO(image.data))
    assert 400 < drawn.width <= 900 and drawn.height > drawn.width  # an A4 page, portrait
    assert admin_client.get(f"/cpd/review/{claim.id}/evidence/page-4.png").status_code == 404
    whole = admin_client.get(f"/cpd/review/{claim.id}/evidence")
    assert whole.mimetype == "application/pdf"
    assert whole.headers["Content-Disposition"].startswith("inline")
    # Chromium's PDF viewer will not start in a sandboxed document: the PDF is fenced by the
    # rest of the policy (nothing loads, nothing frames it elsewhere) and its sniffed type.
    policy = whole.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    assert whole.headers["Cache-Control"] == "private, no-store"


def test_image_evidence_is_shown_inline_and_a_damaged_pdf_is_not_drawn(
    admin_client, make_user, claim_with
):
    photo = claim_with(make_user(full_name="Photo Claimant"), real_png(), "photo.png", 1)
    page = admin_client.get(f"/cpd/review/{photo.id}").get_data(as_text=True)
    assert f'src="/cpd/review/{photo.id}/evidence"' in page
    assert "The evidence image: photo.png" in page
    shown = admin_client.get(f"/cpd/review/{photo.id}/evidence")
    assert shown.mimetype == "image/png" and "sandbox" in shown.headers["Content-Security-Policy"]
    assert admin_client.get(f"/cpd/review/{photo.id}/evidence/page-1.png").status_code == 404
    damaged = claim_with(make_user(), b"%PDF-1.4\nnot really a pdf\n", "broken.pdf", 1)
    page = admin_client.get(f"/cpd/review/{damaged.id}")
    assert page.status_code == 200
    assert "cannot be shown in the page" in page.get_data(as_text=True)
    assert admin_client.get(f"/cpd/review/{damaged.id}/evidence/page-1.png").status_code == 404


def test_only_admins_see_the_preview(app, make_user, claim_with):
    member = make_user(email="member@example.org", full_name="Member Claimant")
    claim = claim_with(member, real_pdf(1), "cert.pdf", 1)
    client = app.test_client()
    submit(client, "/login", {"email": "member@example.org", "password": PASSWORD})
    for path in (f"/cpd/review/{claim.id}/evidence", f"/cpd/review/{claim.id}/evidence/page-1.png"):
        assert client.get(path).status_code == 403
    assert app.test_client().get(f"/cpd/review/{claim.id}/evidence").status_code in (302, 401)
