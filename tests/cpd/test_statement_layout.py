"""The CPD statement as an employer reads it (issue 16): the association's letterhead and
signatory from the configuration, "Page 1 of 3", the closing block never alone on a last page,
columns that do not wrap to five lines, the verification code and QR code at the top. Read back
with pdftotext, pdfinfo, pdfimages and zbarimg."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from PIL import Image
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from tests.conftest import issue_statement
from tests.cpd.test_statements import add, login
from tests.documents import pdf_pages, pdf_text, qr_of, require
from wired4ex.cpd.documents import STYLES

YEAR = 2026
NAME = "Wanjirũ Ng'ang'a"


@pytest.fixture
def issuer_config(app, tmp_path):
    signature = tmp_path / "signature.png"
    Image.new("RGB", (300, 90), "white").save(signature)
    app.config.update(
        ASSOCIATION_ADDRESS="P.O. Box 4321-00200, Kisumu, Kenya",
        SIGNATORY_NAME="Dr Halima Mwinyi",
        SIGNATORY_TITLE="Registrar of Professional Standards",
        SIGNATURE_IMAGE=str(signature),
    )
    return app


@pytest.fixture
def busy_member(make_user, policy):
    """A member with 70 activities in the year: a statement of several pages."""
    user = make_user(email="wanjiru@example.org", full_name=NAME)
    for number in range(70):
        add(user.id, Decimal("1.5"), f"Module number {number + 1} on county health systems",
            day=date(YEAR, 1 + number % 12, 1 + number % 28), competencies=["FM1"])  # fmt: skip
    add(user.id, 6, "East African Health Managers Conference", "conference", date(YEAR, 6, 1),
        "claim")  # fmt: skip
    return user


def test_a_long_statement_has_the_letterhead_page_numbers_and_a_signed_last_page(
    issuer_config, busy_member, tmp_path
):
    data = issue_statement(login(issuer_config, "wanjiru@example.org"), cycle=YEAR).data
    count, width, height = pdf_pages(data, tmp_path)
    assert count >= 3 and height > width  # A4 portrait
    texts = pdf_text(data, tmp_path).split("\f")
    first, last = texts[0], texts[count - 1]
    assert "HeSMA East Africa (Health Systems Management Association)" in first
    assert "P.O. Box 4321-00200, Kisumu, Kenya" in first  # the address from the configuration
    for number in range(1, count + 1):
        assert f"Page {number} of {count}" in texts[number - 1]
    # The closing block travels together: the last page has the totals, the outcome and the
    # signatory, never a signature alone.
    assert "Totals by category" in last and "Target not met." in last
    assert "Dr Halima Mwinyi" in last and "Registrar of Professional Standards" in last
    assert "Dr Halima Mwinyi" not in "".join(texts[: count - 1])
    # Points in one format: 1.5 and 6, never 6.0 beside 1.5.
    assert re.search(r"\b6\.0\b", "".join(texts)) is None and "Target: 40 counted" in last
    # The verification code under the QR code, at the top of page 1, and the QR opens it.
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", first).group(0)
    assert first.index("Verification code") < first.index("Activities counted")
    assert qr_of(data, tmp_path).endswith(f"/verify/{code}")


def test_the_signature_image_is_printed_when_configured(issuer_config, busy_member, tmp_path):
    client = login(issuer_config, "wanjiru@example.org")
    with_image = issue_statement(client, cycle=YEAR).data
    issuer_config.config["SIGNATURE_IMAGE"] = str(tmp_path / "missing.png")
    add(busy_member.id, 1, "One more module", day=date(YEAR, 2, 2))  # a new statement
    without = issue_statement(client, cycle=YEAR).data
    images = []
    for number, data in enumerate((with_image, without)):
        path = tmp_path / f"images-{number}.pdf"
        path.write_bytes(data)
        listing = subprocess.run([require("pdfimages"), "-list", str(path)], capture_output=True,
                                 text=True, check=True).stdout  # fmt: skip
        images.append(len(listing.strip().splitlines()) - 2)  # minus the two header lines
    assert images == [1, 0]  # a missing file prints the line without an image, no error


def test_statement_columns_do_not_wrap_to_five_lines(app, policy):
    """The category column (44 mm) holds every category name of the policy, in both languages,
    in at most three lines."""
    for language in ("en", "sw"):
        with force_locale(language):
            for category in policy.categories.values():
                name = category.name
                paragraph = Paragraph(name, STYLES["cell"])
                _width, height = paragraph.wrap(44 * mm - 12, 1000)
                lines = round(height / STYLES["cell"].leading)
                assert lines <= 3, (language, name, lines)
