"""The Open Badge JSON and the certificate PDF carry PUBLIC_BASE_URL, whatever Host was asked."""

import base64
import json

from tests.certification.test_certificates import admin, issued, member  # noqa: F401
from tests.conftest import CSRF_FIELD, PASSWORD
from tests.documents import pdf_text, qr_of

BASE = "https://cpd.hesma.example"
EVIL = {"Host": "evil.example"}


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _jwt_payload(token: bytes) -> dict:
    """The claims of a compact JWS, read without checking the signature (that is
    tests/records/test_open_badges.py's job): only the links inside matter here."""
    payload = token.split(b".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))


def test_badge_links_use_the_configured_address(app, issued):  # noqa: F811
    app.config["PUBLIC_BASE_URL"] = BASE
    client = app.test_client()
    response = client.get(f"/certification/badges/{issued.code}.jwt", headers=EVIL)
    assert response.status_code == 200
    links = [text for text in _strings(_jwt_payload(response.data)) if text.startswith("http")]
    jwks = client.get("/.well-known/jwks.json", headers=EVIL).get_json()
    links += [text for text in _strings(jwks) if text.startswith("http")]
    assert any(link.startswith(BASE + "/certification/badges/") for link in links)
    assert any(link.startswith(BASE + "/verify/") for link in links)
    assert not any("evil.example" in link for link in links)
    assert not any(link.startswith("http://localhost") for link in links)


def test_certificate_pdf_and_qr_use_the_configured_address(app, issued, tmp_path):  # noqa: F811
    app.config["PUBLIC_BASE_URL"] = BASE
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/login", headers=EVIL).get_data(as_text=True))
    credentials = {"email": issued.member.email, "password": PASSWORD}
    credentials["csrf_token"] = token.group(1) or token.group(2)
    assert client.post("/login", data=credentials, headers=EVIL).status_code == 302
    pdf = client.get(f"/certification/certificates/{issued.id}.pdf", headers=EVIL).data
    code = f"{issued.code[:4]}-{issued.code[4:8]}-{issued.code[8:]}"
    assert f"{BASE}/verify/{code}" in pdf_text(pdf, tmp_path).replace("\n", "")
    assert qr_of(pdf, tmp_path) == f"{BASE}/verify/{code}"
