"""Signed CPD statements: the snapshot is signed at issue; the verify page says the figures are
those signed; the PDF carries the signed snapshot as an embedded file that poppler's pdfdetach
extracts and joserfc verifies against the published key; `flask verify FILE.pdf` reports it."""

import base64
import io
import json
import subprocess
import warnings
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from pypdf import PdfReader, PdfWriter

from tests.conftest import Auth, csrf_token
from wired4ex.cpd import statements
from wired4ex.cpd.verifiable import format_code
from wired4ex.extensions import db


def statement_pdf(client, records) -> bytes:
    Auth(client).login("wanjiru@example.org")
    response = client.get(f"/cpd/statements/{records.statement.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    return response.data


def detach(pdf: bytes, tmp_path) -> tuple[str, str]:
    """The embedded files of a PDF as poppler lists them, and the first one's contents."""
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    out = tmp_path / "embedded.jws"
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(out), str(path)], check=True)
    return listing, out.read_text()


def verified(client, token: str) -> dict:
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").get_json())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # RFC 9864 renames EdDSA
        return jwt.decode(token, keys, algorithms=["EdDSA"]).claims


def test_the_snapshot_is_signed_at_issue_and_the_pdf_carries_it(client, records, tmp_path):
    claims = verified(client, records.statement.signed_snapshot)
    assert claims["code"] == records.statement.code
    assert claims["snapshot"] == records.statement.snapshot
    assert claims["snapshot"]["counted"] == "10.5"
    listing, embedded = detach(statement_pdf(client, records), tmp_path)
    assert f"cpd-statement-{records.statement.code}.jws" in listing
    assert embedded == records.statement.signed_snapshot
    assert verified(client, embedded)["snapshot"]["member"]["name"] == "Wanjirũ Ng'ang'a"
    text = subprocess.run(["pdftotext", str(tmp_path / "statement.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert format_code(records.statement.code) in text  # still the same document


def test_the_verify_page_says_the_figures_are_those_signed(client, records):
    url = f"/verify/{format_code(records.statement.code)}"
    page = client.get(url).get_data(as_text=True)
    assert "The figures shown are the ones HeSMA East Africa signed" in page
    kiswahili = client.get(url, headers={"Accept-Language": "sw"}).get_data(as_text=True)
    assert "Takwimu zinazoonyeshwa ni zile HeSMA East Africa ilizosaini" in kiswahili


def test_flask_verify_reports_what_it_found(client, records, runner, tmp_path):
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(statement_pdf(client, records))
    result = runner.invoke(args=["verify", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "signature valid" in result.output
    assert format_code(records.statement.code) in result.output
    assert "Wanjirũ Ng'ang'a (HESMA-0042)" in result.output
    assert "10.5 counted" in result.output and "Status: valid" in result.output

    jwks = tmp_path / "jwks.json"
    jwks.write_text(client.get("/.well-known/jwks.json").get_data(as_text=True))
    offline = runner.invoke(args=["verify", str(pdf), "--jwks", str(jwks)])
    assert offline.exit_code == 0 and "signature valid" in offline.output

    statements.revoke_statement(records.statement, records.admin, "Issued in error")
    revoked = runner.invoke(args=["verify", str(pdf)])
    assert revoked.exit_code == 1 and "REVOKED" in revoked.output


def tampered_copy(pdf: bytes, tmp_path) -> str:
    """The same PDF with the counted points in its embedded statement raised to 99."""
    reader = PdfReader(tmp_path / "statement.pdf")
    ((name, (data,)),) = reader.attachments.items()
    header, payload, signature = data.decode().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["snapshot"]["counted"] = "99.0"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_attachment(name, f"{header}.{forged}.{signature}".encode())
    path = tmp_path / "tampered.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return str(path)


def test_flask_verify_refuses_a_tampered_or_unsigned_pdf(client, records, runner, tmp_path):
    pdf = statement_pdf(client, records)
    (tmp_path / "statement.pdf").write_bytes(pdf)
    result = runner.invoke(args=["verify", tampered_copy(pdf, tmp_path)])
    assert result.exit_code == 1 and "NOT signed by HeSMA East Africa's key" in result.output
    plain = tmp_path / "plain.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    with plain.open("wb") as handle:
        writer.write(handle)
    result = runner.invoke(args=["verify", str(plain)])
    assert result.exit_code == 1 and "no signed CPD statement" in result.output
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    assert runner.invoke(args=["verify", str(junk)]).exit_code == 1


def test_an_erased_statement_says_its_signed_copy_went_with_the_data(client, records, runner):
    result = runner.invoke(args=["members", "erase", "wanjiru@example.org", "--by",
                                 "secretariat@example.org", "--reason", "Request 9", "--yes"])  # fmt: skip
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    page = client.get(f"/verify/{format_code(records.statement.code)}").get_data(as_text=True)
    assert "its signed copy was removed when the member" in page
    assert "The figures shown are the ones" not in page


def upload(client, name: str, data: bytes):
    token = csrf_token(client, "/verify")
    return client.post(
        "/verify/document",
        data={"csrf_token": token, "document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_anyone_checks_a_statement_file_on_the_verify_page(app, records, tmp_path):
    pdf = statement_pdf(app.test_client(), records)
    (tmp_path / "statement.pdf").write_bytes(pdf)
    visitor = app.test_client()
    page = visitor.get("/verify").get_data(as_text=True)
    assert "Check a statement file" in page and 'enctype="multipart/form-data"' in page
    checked = upload(visitor, "statement.pdf", pdf)
    text = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Valid: this file carries a CPD statement signed by HeSMA East Africa" in text
    assert format_code(records.statement.code) in text and "10.5" in text

    forged = upload(visitor, "forged.pdf", Path(tampered_copy(pdf, tmp_path)).read_bytes())
    assert "Not valid: the statement inside this file was altered" in forged.get_data(as_text=True)
    assert "99.0" not in forged.get_data(as_text=True)

    statements.revoke_statement(records.statement, records.admin, "Issued in error")
    revoked = upload(visitor, "statement.pdf", pdf).get_data(as_text=True)
    assert "but revoked on" in revoked


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "Choose the PDF file of a CPD statement."),
        ("notes.txt", b"just some text", "That file is not a PDF of at most 5 MB."),
        (
            "huge.pdf",
            b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024),
            "That file is not a PDF of at most 5 MB.",
        ),
    ],
)
def test_a_bad_file_gets_a_clear_message(client, name, data, message):
    response = upload(client, name, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_pdf_without_a_signed_statement_says_so(client, tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buffer = io.BytesIO()
    writer.write(buffer)
    response = upload(client, "blank.pdf", buffer.getvalue())
    assert response.status_code == 200
    assert "This file carries no signed CPD statement." in response.get_data(as_text=True)
    broken = upload(client, "broken.pdf", b"%PDF-1.4\nnot really a pdf")
    assert broken.status_code == 200
    assert "This file carries no signed CPD statement." in broken.get_data(as_text=True)
