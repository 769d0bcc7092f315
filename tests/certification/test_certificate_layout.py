"""The certificate as an employer reads it (issue 16): one landscape page with the
association's mark and name, the holder's name and designation letters large, the signatory from
the configuration, and the code and QR code; it prints in black and white."""

import re
import subprocess
from datetime import date

import pytest
from PIL import Image

from tests.certification.conftest import login
from tests.conftest import issue_statement
from tests.documents import pdf_pages, pdf_text, qr_of, require
from wired4ex.extensions import db

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


def test_the_certificate_is_one_landscape_page_with_name_letters_signatory_and_qr(
    issuer_config,
    make_user,
    give_certificate,
    tmp_path,
):
    member = make_user(email="wanjiru@example.org", full_name=NAME)
    certificate = give_certificate(member, "AHSM", issued_on=date(2026, 1, 10))
    db.session.commit()
    data = (
        login(issuer_config, "wanjiru@example.org")
        .get(f"/certification/certificates/{certificate.id}.pdf")
        .data
    )
    count, width, height = pdf_pages(data, tmp_path)
    assert count == 1 and width > height
    text = pdf_text(data, tmp_path)
    for expected in (
        "HeSMA East Africa (Health Systems Management Association)",
        "Certificate of Professional Certification",
        "P.O. Box 4321-00200, Kisumu, Kenya",  # the letterhead's address, from the configuration
        NAME,
        "and may use the designation letters",
        "AHSM",
        "Dr Halima Mwinyi",
        "Registrar of Professional Standards",
        "Certificate code:",
    ):
        assert expected in text, expected
    code = re.search(r"Certificate code: (\S+)", text).group(1)
    assert qr_of(data, tmp_path).endswith(f"/verify/{code}")


def test_the_certificate_prints_in_black_and_white(
    app,
    make_user,
    give_certificate,
    tmp_path,
):
    """Rendered in grey, the name and the letters stay dark: nothing is pale colour on white."""
    member = make_user(email="wanjiru@example.org", full_name=NAME)
    certificate = give_certificate(member, "AHSM", issued_on=date(2026, 1, 10))
    data = (
        login(app, "wanjiru@example.org")
        .get(f"/certification/certificates/{certificate.id}.pdf")
        .data
    )
    (tmp_path / "c.pdf").write_bytes(data)
    subprocess.run([require("pdftoppm"), "-gray", "-r", "40", "-png", "-singlefile",
                    str(tmp_path / "c.pdf"), str(tmp_path / "grey")], check=True)  # fmt: skip
    image = Image.open(tmp_path / "grey.png").convert("L")
    shades = sorted(set(image.getdata()))
    # Ink is black or the dark teal (about 30% grey); paper is white. Anti-aliasing fills the
    # range in between, but the darkest ink is near black.
    assert shades[0] < 40 and shades[-1] == 255


def test_the_default_address_is_the_nairobi_secretariat_on_both_documents(
    app, make_user, give_certificate, tmp_path
):
    """Out of the box the letterhead names a real-looking Nairobi address (no placeholder), and
    the longer default address fits the statement's letterhead (wrapped, not cut)."""
    member = make_user(email="wanjiru@example.org", full_name=NAME)
    certificate = give_certificate(member, "AHSM", issued_on=date(2026, 1, 10))
    db.session.commit()
    client = login(app, "wanjiru@example.org")
    certificate_text = pdf_text(
        client.get(f"/certification/certificates/{certificate.id}.pdf").data, tmp_path
    )
    statement_text = pdf_text(issue_statement(client, cycle=2026).data, tmp_path)
    for text in (certificate_text, statement_text):
        assert "P.O. Box 47620-00100, Nairobi, Kenya" in text
        assert "secretariat@hesma.example" in text
        assert "00000" not in text
