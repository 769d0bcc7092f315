"""Statements, CPD e-mails and CLI files in the member's language: Swahili members get Swahili
documents (labels, long dates, membership category, how each activity was verified), English
readers of the same statement get English, and a decision mail follows the member, not the admin."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, issue_statement, submit
from tests.documents import pdf_text
from wired4ex.cpd.models import Statement
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry

YEAR = 2026
ENGLISH_LABELS = (
    "Verification code",
    "Membership category",
    "Activities counted",
    "How verified",
    "Totals by category",
    "Points",
    "Counted",
    "Target",
    "Page 1",
    "Completed on Wired4EX",
    "Professional",
    "November",
    " to ",
)


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def add(user_id, points, title, day, source="module", category="structured"):
    db.session.add(
        LedgerEntry(user_id=user_id, points=Decimal(str(points)), category=category, source=source,
                    activity_date=day, title=title, provider="Lake Region University")
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def mwanachama(make_user, policy):
    """A member who reads Wired4EX in Swahili, with a module in November and an approved claim."""
    user = make_user(email="neema@example.org", full_name="Neema Mushi", language="sw",
                     number="HSM/2026/021")  # fmt: skip
    db.session.commit()
    add(user.id, 2, "Budgeting for managers", date(YEAR, 11, 4))
    add(user.id, 5, "Health Managers Summit", date(YEAR, 6, 1), "claim", "conference")
    return user


@pytest.fixture(autouse=True)
def _english_admin(make_user):
    make_user(email="admin@example.org", roles=("member", "admin"), language="en")


def _statement() -> Statement:
    return db.session.scalar(sa.select(Statement))


def test_a_swahili_member_downloads_a_swahili_pdf(app, mwanachama, tmp_path):
    response = issue_statement(login(app, "neema@example.org"), "pdf", cycle=YEAR)
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    for swahili in (
        "Taarifa ya Maendeleo Endelevu ya Kitaaluma (CPD)",
        "Msimbo wa uthibitisho",
        "Kundi la uanachama",
        "Mtaalamu",  # the membership category, not "Professional"
        "Kipindi",
        "1 Januari 2026 hadi 31 Desemba 2026",
        "4 Novemba",  # the module's date, written out in Swahili
        "Shughuli zilizohesabiwa",
        "Pointi",
        "Imekamilishwa",  # how the module was verified
        "Jumla kwa kila kundi",
        "Lengo: pointi",
        "halijafikiwa",
        "Ukurasa 1",
        "Thibitisha kwenye",
    ):
        assert swahili in text, swahili
    for english in ENGLISH_LABELS:
        assert english not in text, english
    assert "Neema Mushi" in text and "Budgeting for managers" in text  # data stays as written


def test_a_swahili_member_downloads_a_swahili_csv(app, mwanachama):
    response = issue_statement(login(app, "neema@example.org"), "csv", cycle=YEAR)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Taarifa ya CPD"
    assert rows[1][0] == "Jina" and rows[3] == ["Kundi la uanachama", "Mtaalamu"]
    assert rows[5][0] == "Msimbo wa uthibitisho"
    assert rows[7] == ["Tarehe", "Shughuli", "Mtoaji", "Kundi", "Pointi", "Jinsi ilivyohakikiwa"]
    sources = {row[1]: row[5] for row in rows[8:10]}
    assert sources == {
        "Health Managers Summit": "Dai lililoidhinishwa, limehakikiwa na sekretarieti",
        "Budgeting for managers": "Imekamilishwa kwenye Wired4EX",
    }
    assert ["Kundi", "Zilizopatikana", "Kikomo", "Zilizohesabiwa"] in rows
    assert rows[-1][0] == "Lengo" and rows[-1][2] == "halijafikiwa"
    flat = " ".join(" ".join(row) for row in rows)
    for english in ("Verification code", "Membership", "How verified", "Target", "not met"):
        assert english not in flat, english


def test_the_same_statement_is_english_for_an_english_admin(app, mwanachama, tmp_path):
    issue_statement(login(app, "neema@example.org"), "pdf", cycle=YEAR)
    statement = _statement()
    english_admin = login(app, "admin@example.org")
    pdf = english_admin.get(f"/cpd/statements/{statement.id}.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    for english in ("Verification code", "Membership category", "Professional", "Page 1",
                    "January 1, 2026 to December 31, 2026", "November", "Completed on",
                    "Target not met."):  # fmt: skip
        assert english in text, english
    assert "Msimbo wa uthibitisho" not in text and "Novemba" not in text
    rows = list(csv.reader(io.StringIO(
        english_admin.get(f"/cpd/statements/{statement.id}.csv").data.decode("utf-8-sig")
    )))  # fmt: skip
    assert rows[7] == ["Date", "Activity", "Provider", "Category", "Points", "How verified"]
    # One statement, read in two languages.
    assert db.session.scalar(sa.select(sa.func.count(Statement.id))) == 1


def test_old_snapshots_with_english_source_labels_render_in_swahili(app, mwanachama, tmp_path):
    """Statements issued before the source code was translated keep their stored (hashed)
    English text; the documents still show how each activity was verified in Swahili."""
    client = login(app, "neema@example.org")
    issue_statement(client, "pdf", cycle=YEAR)
    statement = _statement()
    labels = {a["title"]: a["verified"] for a in statement.snapshot["activities"]}
    assert labels["Budgeting for managers"] == "Completed on Wired4EX"  # stored as before
    rows = list(csv.reader(io.StringIO(
        client.get(f"/cpd/statements/{statement.id}.csv").data.decode("utf-8-sig")
    )))  # fmt: skip
    shown = [row[5] for row in rows if row[1:2] == ["Budgeting for managers"]]
    assert shown == ["Imekamilishwa kwenye Wired4EX"]


def test_batch_pdfs_are_in_each_members_language(app, runner, mwanachama, make_user, tmp_path):
    english = make_user(email="juma@example.org", full_name="Juma Otieno", language="en")
    add(english.id, 1, "Leading teams", date(YEAR, 3, 2))
    out = tmp_path / "out"
    result = runner.invoke(args=["cpd", "statements", "--cycle", str(YEAR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    texts = {}
    for path in out.glob("*.pdf"):
        text = pdf_text(path.read_bytes(), tmp_path)
        texts["Neema" if "Neema Mushi" in text else "Juma" if "Juma Otieno" in text else "?"] = text
    assert "Msimbo wa uthibitisho" in texts["Neema"] and "Novemba" in texts["Neema"]
    assert "Verification code" not in texts["Neema"]
    assert "Verification code" in texts["Juma"] and "Msimbo wa uthibitisho" not in texts["Juma"]


def test_an_english_admin_rejects_a_swahili_members_claim_in_swahili(
    app, make_user, make_claim, outbox
):
    member = make_user(email="zawadi@example.org", full_name="Zawadi Kimaro", language="sw")
    claim = make_claim(member)
    admin = login(app, "admin@example.org")
    response = submit(
        admin, f"/cpd/review/{claim.id}",
        {"decision": "reject", "reason": "Cheti ni cha mtu mwingine."},
    )  # fmt: skip
    assert response.status_code == 302
    (message,) = outbox.messages()
    assert message["To"] == "zawadi@example.org"
    assert message["Subject"] == "Dai lako la CPD limekataliwa"
    body = message.get_content()
    assert "Zawadi Kimaro" in body and "halikuidhinishwa" in body
    assert "Sababu: Cheti ni cha mtu mwingine." in body and "Tazama dai:" in body
    for english in ("Hello", "was not approved", "Reason:", "See the claim", "secretariat"):
        assert english not in body, english
    # The admin who decided still reads English.
    assert "Decision recorded" in admin.get("/cpd/review").get_data(as_text=True)


def test_category_names_follow_the_reader_and_the_figures_stay_one_statement(
    app, mwanachama, tmp_path
):
    """Category names come from the policy's name / name_sw; the stored statement keeps the
    English ones, so reading it in either language is the same statement with the same code."""
    swahili = login(app, "neema@example.org")
    text = pdf_text(issue_statement(swahili, "pdf", cycle=YEAR).data, tmp_path)
    assert "Makongamano, warsha na semina" in text
    assert "Conferences, workshops and seminars" not in text
    statement = _statement()
    assert {a["category"] for a in statement.snapshot["activities"]} == {
        "Conferences, workshops and seminars",
        "Structured learning (Wired4EX and accredited courses)",
    }

    # She switches to English and downloads again: the same statement, in English.
    submit(swahili, "/language", {"language": "en", "next": "/cpd/"}, page="/cpd/")
    english = pdf_text(issue_statement(swahili, "pdf", cycle=YEAR).data, tmp_path)
    assert "Conferences, workshops and seminars" in english
    assert "Makongamano" not in english
    assert db.session.scalar(sa.select(sa.func.count(Statement.id))) == 1

    verify = app.test_client().get(f"/verify/{statement.code}", headers={"Accept-Language": "sw"})
    assert "Makongamano, warsha na semina" in verify.get_data(as_text=True)
