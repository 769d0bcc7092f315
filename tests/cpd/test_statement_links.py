"""A statement's printed link and QR code use PUBLIC_BASE_URL, whatever Host the request named."""

from datetime import date

import sqlalchemy as sa

from tests.conftest import CSRF_FIELD, PASSWORD
from tests.cpd.test_statements import YEAR, add
from tests.documents import pdf_text, qr_of
from wired4ex.cpd.models import Statement
from wired4ex.extensions import db

BASE = "https://cpd.hesma.example"


def test_statement_pdf_and_qr_carry_the_configured_address(app, make_user, policy, tmp_path):
    app.config["PUBLIC_BASE_URL"] = BASE
    user = make_user(email="wanjiru@example.org")
    add(user.id, 2, "Budgeting for managers", day=date(YEAR, 5, 4))
    client = app.test_client()
    evil = {"Host": "evil.example"}  # the whole visit goes to that host, cookies and all
    token = CSRF_FIELD.search(client.get("/login", headers=evil).get_data(as_text=True))
    credentials = {"email": "wanjiru@example.org", "password": PASSWORD}
    credentials["csrf_token"] = token.group(1) or token.group(2)
    assert client.post("/login", data=credentials, headers=evil).status_code == 302
    page = client.get("/cpd/statements", headers=evil).get_data(as_text=True)
    token = CSRF_FIELD.search(page)
    issue = {"cycle": str(YEAR), "csrf_token": token.group(1) or token.group(2)}
    response = client.post("/cpd/statement.pdf", data=issue, headers=evil, follow_redirects=True)
    assert response.status_code == 200
    statement = db.session.scalar(sa.select(Statement))
    code = f"{statement.code[:4]}-{statement.code[4:8]}-{statement.code[8:]}"
    text = pdf_text(response.data, tmp_path)
    assert f"{BASE}/verify/{code}" in text
    assert "evil.example" not in text
    assert qr_of(response.data, tmp_path) == f"{BASE}/verify/{code}"
