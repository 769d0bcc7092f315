"""CSV exports: UTF-8, formula-safe cells, streamed."""

import csv
import io

import sqlalchemy as sa

from tests.admin.conftest import login
from wired4ex.admin.exports import ROWS_PER_WRITE, csv_chunks
from wired4ex.auth.models import User
from wired4ex.csvsafe import safe_cell
from wired4ex.extensions import db


def rows(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_safe_cell():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in "+-@":
        assert safe_cell(start + "1") == "'" + start + "1"
    assert safe_cell(-2) == "-2" and safe_cell(None) == "" and safe_cell("Wanjirũ") == "Wanjirũ"


def test_member_export_is_formula_safe_and_utf8(app, figures):
    figures.people["brian"].full_name = "=cmd|' /C calc'!A0"
    figures.people["amina"].full_name = "Wanjirũ Ng'ang'a"
    db.session.commit()
    admin = login(app, "admin@example.org")
    response = admin.get(
        f"/admin/members.csv?country=KE&category=professional&cycle={figures.last_year}"
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = rows(response)
    assert table[0][:3] == ["id", "full_name", "email"]
    names = {row[1]: row for row in table[1:]}
    assert "'=cmd|' /C calc'!A0" in names and "Wanjirũ Ng'ang'a" in names
    assert names["Wanjirũ Ng'ang'a"][8] == "met"
    assert names["Carol Wanjiru"][8] == "not_met"
    assert names["Carol Wanjiru"][6] == "member"


def test_course_exports(app, figures):
    admin = login(app, "admin@example.org")
    base = f"/admin/courses/{figures.financing.id}"
    learners = rows(admin.get(base + "/learners.csv"))
    assert [row[1] for row in learners[1:]] == ["Amina Otieno", "Brian Kiprop", "Carol Wanjiru",
                                                "David Okello"]  # fmt: skip
    completed = {row[1]: row[9] for row in learners[1:]}
    assert completed["Brian Kiprop"] == "" and completed["Amina Otieno"].startswith(
        str(figures.last_year)
    )
    months = rows(admin.get(base + "/completions.csv?country=KE"))
    assert months[1:] == [[f"{figures.last_year}-03", "1"], [f"{figures.last_year}-04", "1"]]
    questions = rows(admin.get(base + "/questions.csv"))
    assert questions[0] == ["module", "question", "attempts", "answered_right", "pass_rate_percent"]
    assert questions[1][2:] == ["2", "", ""]  # shares from 5 attempts on, as on the page
    checks = rows(admin.get(base + "/checks.csv"))
    assert checks[0] == ["module", "attempts", "passed", "pass_rate_percent"]
    assert ["2", "2", "100"] in [row[1:] for row in checks[1:]]


def test_exports_stream_in_chunks():
    many = ([n, f"Member {n}"] for n in range(3 * ROWS_PER_WRITE + 1))
    chunks = list(csv_chunks(["id", "name"], many))
    assert len(chunks) == 4
    assert chunks[0].startswith("\ufeffid,name\r\n0,Member 0")


def test_a_large_member_export_is_read_in_chunks(app, figures):
    db.session.execute(
        sa.insert(User),
        [{"email": f"bulk{n}@example.org", "full_name": f"Bulk {n:04d}", "password_hash": "x",
          "membership_category": "associate", "country": "RW"} for n in range(2500)],
    )  # fmt: skip
    db.session.commit()
    table = rows(login(app, "admin@example.org").get("/admin/members.csv?country=RW"))
    assert len(table) == 2501 and table[1][1] == "Bulk 0000" and table[-1][1] == "Bulk 2499"
