"""CPD statements: PDF and CSV read back, QR code, verification, snapshots, batch."""

import csv
import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests.conftest import PASSWORD, issue_statement, submit
from tests.documents import pdf_text, require
from wired4ex.cpd.models import Statement
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry

YEAR = 2026
NAME = "Wanjirũ Ng'ang'a"


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def add(
    user_id,
    points,
    title,
    category="structured",
    day=date(YEAR, 5, 4),
    source="module",
    competencies=(),
):
    db.session.add(
        LedgerEntry(user_id=user_id, points=Decimal(str(points)), category=category, source=source,
                    activity_date=day, title=title, provider="Lake Region University",
                    competencies=list(competencies))
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def member(make_user, policy):
    user = make_user(email="wanjiru@example.org", full_name=NAME, number="HSM/2026/014")
    db.session.commit()
    add(user.id, 1.5, "Budgeting for managers", competencies=["FM1"])
    # 25 conference points in three activities (one earns at most 10): 20 count, the cap.
    for day, points in ((1, 10), (2, 10), (3, 5)):
        add(
            user.id,
            points,
            "East African Health Managers Conference",
            "conference",
            date(YEAR, 6, day),
            "claim",
        )
    add(user.id, 3, "Last year's module", day=date(YEAR - 1, 12, 31))
    return user


def test_pdf_has_the_name_every_activity_and_the_totals(app, member, tmp_path):
    response = issue_statement(login(app, "wanjiru@example.org"), "pdf", cycle=YEAR)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.data, tmp_path)
    assert NAME in text and "HSM/2026/014" in text
    assert "Budgeting for managers" in text and "Conference" in text
    assert "Last year's module" not in text
    assert "26.5" in text and "21.5" in text  # earned 1.5 + 25; counted 1.5 + 20 (cap)
    assert "Target: 40 counted points. Counted: 21.5. Target not met." in text
    assert "Financial management" in text  # competency domain covered
    statement = db.session.scalar(sa.select(Statement))
    code = f"{statement.code[:4]}-{statement.code[4:8]}-{statement.code[8:]}"
    assert code in text


def test_qr_code_in_the_pdf_opens_the_verify_page(app, member, tmp_path):
    data = issue_statement(login(app, "wanjiru@example.org"), "pdf", cycle=YEAR).data
    (tmp_path / "s.pdf").write_bytes(data)
    subprocess.run([require("pdftoppm"), "-r", "150", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "s.pdf"), str(tmp_path / "page")], check=True)  # fmt: skip
    (image,) = tmp_path.glob("page*.png")
    decoded = subprocess.run(
        [require("zbarimg"), "--raw", "-q", str(image)], capture_output=True, text=True
    ).stdout.strip()
    statement = db.session.scalar(sa.select(Statement))
    assert decoded.endswith(
        f"/verify/{statement.code[:4]}-{statement.code[4:8]}-{statement.code[8:]}"
    )
    verify = app.test_client().get(decoded.replace("http://localhost", ""))
    assert verify.status_code == 200 and str(escape(NAME)) in verify.get_data(as_text=True)


def test_names_with_markup_print_literally(app, make_user, policy, tmp_path):
    odd = '<b>Ama</b> & "Jo" (O\'Neil) \\ % ) ('
    make_user(email="odd@example.org", full_name=odd)
    data = issue_statement(login(app, "odd@example.org"), "pdf", cycle=YEAR).data
    assert odd in pdf_text(data, tmp_path)


def test_csv_has_the_same_rows_and_neutralises_formulas(app, make_user, policy):
    user = make_user(email="csv@example.org", full_name='=HYPERLINK("http://evil")')
    add(user.id, 2, "+cmd|' /C calc'!A0")
    response = issue_statement(login(app, "csv@example.org"), "csv", cycle=YEAR)
    assert response.headers["Content-Type"].startswith("text/csv")
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert ["Name", '\'=HYPERLINK("http://evil")'] in rows
    activity = next(row for row in rows if row and row[0] == f"{YEAR}-05-04")
    assert activity[1] == "'+cmd|' /C calc'!A0" and activity[4] == "2.0"
    assert ["Total", "2.0", "", "2.0"] in rows


def test_same_figures_reuse_the_code_and_changes_issue_a_new_one(app, member):
    client = login(app, "wanjiru@example.org")
    issue_statement(client, "pdf", cycle=YEAR)
    issue_statement(client, "csv", cycle=YEAR)
    assert db.session.scalar(sa.select(sa.func.count(Statement.id))) == 1
    add(member.id, 1, "Another module", day=date(YEAR, 7, 1))
    issue_statement(client, "pdf", cycle=YEAR)
    assert db.session.scalar(sa.select(sa.func.count(Statement.id))) == 2


def test_verify_page_shows_the_snapshot_after_the_ledger_changes(app, member):
    issue_statement(login(app, "wanjiru@example.org"), "pdf", cycle=YEAR)
    statement = db.session.scalar(sa.select(Statement))
    add(member.id, 10, "Added later", day=date(YEAR, 8, 1))
    member.full_name = "Someone Else"
    db.session.commit()
    visitor = app.test_client()
    page = visitor.get(f"/verify/{statement.code}").get_data(as_text=True)
    assert str(escape(NAME)) in page and "Someone Else" not in page
    assert "21.5" in page and "Valid" in page
    assert "Added later" not in page


@pytest.mark.parametrize("typed", ["lower", "nodash", "spaces"])
def test_codes_typed_differently_still_verify(app, member, typed):
    issue_statement(login(app, "wanjiru@example.org"), "pdf", cycle=YEAR)
    code = db.session.scalar(sa.select(Statement.code))
    variants = {
        "lower": f"{code[:4]}-{code[4:8]}-{code[8:]}".lower(),
        "nodash": code.lower(),
        "spaces": f"{code[:4]} {code[4:8]} {code[8:]}",
    }
    response = app.test_client().get(
        "/verify", query_string={"code": variants[typed]}, follow_redirects=True
    )
    assert response.status_code == 200 and "Valid: this CPD statement" in response.get_data(
        as_text=True
    )


def test_unknown_code_is_a_plain_not_found(app):
    for code in ("ABCD-EFGH-JKMN", "not-a-code", "0000-0000-0000", "x" * 300):
        response = app.test_client().get(f"/verify/{code}")
        assert response.status_code == 404
        assert "No document has this code" in response.get_data(as_text=True)


def test_revoked_statement_says_so_with_the_date(app, member, make_user):
    issue_statement(login(app, "wanjiru@example.org"), "pdf", cycle=YEAR)
    statement = db.session.scalar(sa.select(Statement))
    make_user(email="admin@example.org", roles=("member", "admin"))
    admin = login(app, "admin@example.org")
    url = f"/cpd/statements/{statement.id}/revoke"
    assert submit(admin, url, {"reason": ""}).status_code == 400
    assert submit(admin, url, {"reason": "Issued for the wrong member."}).status_code == 302
    page = app.test_client().get(f"/verify/{statement.code}").get_data(as_text=True)
    assert "Revoked on" in page and "no longer valid" in page


def test_members_cannot_revoke_or_read_others_statements(app, member, make_user):
    issue_statement(login(app, "wanjiru@example.org"), "pdf", cycle=YEAR)
    statement = db.session.scalar(sa.select(Statement))
    make_user(email="other@example.org")
    other = login(app, "other@example.org")
    assert other.get(f"/cpd/statements/{statement.id}.pdf").status_code == 404
    assert other.get(f"/cpd/statements/{statement.id}.csv").status_code == 404
    assert other.get(f"/cpd/statements/{statement.id}/revoke").status_code == 403
    own = login(app, "wanjiru@example.org").get(f"/cpd/statements/{statement.id}.pdf")
    assert own.status_code == 200


def test_date_range_statement_and_bad_ranges(app, member, tmp_path):
    client = login(app, "wanjiru@example.org")
    response = issue_statement(client, "pdf", start=f"{YEAR - 1}-12-01", end=f"{YEAR}-05-31")
    text = pdf_text(response.data, tmp_path)
    assert (
        "Last year's module" in text
        and "Budgeting for managers" in text
        and "Conference" not in text
    )
    for query in (
        "start=2026-05-01&end=2026-01-01",
        "start=yesterday&end=today",
        "cycle=99999",
        "start=2026-01-01",
    ):
        assert client.get(f"/cpd/statement.pdf?{query}").status_code == 400, query
        fields = dict(pair.split("=") for pair in query.split("&"))
        assert issue_statement(client, "pdf", **fields).status_code == 400, query


def test_verify_is_rate_limited(app, member):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    visitor = app.test_client()
    statuses = [visitor.get("/verify/ABCD-EFGH-JKMN").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_batch_writes_one_pdf_per_member_and_reuses_unchanged(
    app, runner, member, make_user, tmp_path
):
    make_user(email="student@example.org", category="student")
    out = tmp_path / "out"
    first = runner.invoke(args=["cpd", "statements", "--cycle", str(YEAR), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "2 members: 2 statements issued, 0 unchanged" in first.output
    files = sorted(p.name for p in out.glob("*.pdf"))
    assert len(files) == 2 and any(name.startswith("HSM-2026-014-") for name in files)
    again = runner.invoke(args=["cpd", "statements", "--cycle", str(YEAR), "--out", str(out)])
    assert "0 statements issued, 2 unchanged and reused" in again.output
    only = runner.invoke(
        args=[
            "cpd",
            "statements",
            "--cycle",
            str(YEAR),
            "--out",
            str(tmp_path / "s"),
            "--category",
            "student",
        ]
    )
    assert "1 members" in only.output
    bad = runner.invoke(args=["cpd", "statements", "--cycle", "nineteen", "--out", str(out)])
    assert bad.exit_code != 0
