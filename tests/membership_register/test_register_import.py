"""The register import: every row checked, a report by CSV line, all or nothing."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from bench.register_csv import HEADER, register_rows, spoil, to_csv
from tests.conftest import submit
from tests.membership_register.conftest import login
from wired4ex.auth.models import User
from wired4ex.auth.passwords import verify_password
from wired4ex.extensions import db
from wired4ex.membership.import_apply import apply_import
from wired4ex.membership.imports import plan_import
from wired4ex.membership.invitations import send_invitations
from wired4ex.membership.models import Membership
from wired4ex.timeutil import local_today

ROWS = 240


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def csv_of(*rows, header=HEADER) -> bytes:
    return to_csv([list(row) for row in rows]).replace(
        ",".join(HEADER).encode(), ",".join(header).encode(), 1
    )


def test_a_file_with_12_bad_rows_is_refused_whole_and_imports_once_fixed(app, admin, outbox):
    rows = register_rows(ROWS)
    bad_lines = spoil(rows, 12)
    users_before = count(User)

    report = apply_import(to_csv(rows), by=admin)

    assert not report.applied
    assert report.refused_lines == bad_lines
    assert all(row.reasons for row in report.refused)
    assert count(User) == users_before and count(Membership) == 0

    fixed = register_rows(ROWS)
    report = apply_import(to_csv(fixed), by=admin)
    assert report.applied, report.problems + [r.reasons for r in report.refused]
    assert count(Membership) == ROWS and count(User) == users_before + ROWS
    given = {row[1]: row[3] for row in fixed}
    numbers = dict(db.session.execute(
        sa.select(User.email, Membership.number).join(Membership, Membership.user_id == User.id)
    ).all())  # fmt: skip
    for email, number in given.items():
        if number:
            assert numbers[email] == number  # kept from the old register
        else:
            assert re.fullmatch(r"HSM-\d{4}-\d{5}", numbers[email])
    assert len(set(numbers.values())) == ROWS


def test_the_report_names_each_line_and_reason(app, admin):
    good = ["Wanjiru Kamau", "w.kamau@county.example", "professional", "", "2024-01-15",
            "2027-01-15", "Kenya"]  # fmt: skip
    report = plan_import(csv_of(
        good,
        ["Otieno", "W.KAMAU@county.example", "student", "", "2024-01-15", "", "KE"],
        ["Achieng", "achieng@county.example", "platinum", "", "15/01/2024", "", "Atlantis"],
        ["Mushi", "mushi@county.example", "life", "", "2024-01-15", "2030-01-01", "TZ"],
        ["Deng", "deng@county.example", "student", "HSM 1#2", "2024-02-30", "", "SS"],
    ))  # fmt: skip
    reasons = {row.line: " ".join(row.reasons) for row in report.rows}
    assert report.created[0].line == 2 and reasons[2] == ""
    assert "also on line 2" in reasons[3]
    assert "category" in reasons[4] and "YYYY-MM-DD" in reasons[4] and "Atlantis" in reasons[4]
    assert "never lapses" in reasons[5]
    assert "letters, digits" in reasons[6] and "start_date" in reasons[6]
    assert report.refused_lines == [3, 4, 5, 6]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (",".join(HEADER).encode() + b"\r\n", "no rows"),
        (b"name,email,phone\r\nA,a@b.example,1\r\n", "unknown column(s) phone"),
        (b"name,email\r\nA,a@b.example\r\n", "are missing"),
        ("\ufeffname".encode("utf-16"), "UTF-16"),
        (
            (",".join(HEADER) + "\r\nJos\u00e9,j@b.example,student,,2024-01-01,,KE\r\n").encode(
                "cp1252"
            ),
            "Line 2 is not UTF-8",
        ),
        (b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
    ],
)
def test_unreadable_files_get_a_clear_message(app, data, message):
    report = plan_import(data)
    assert not report.ok
    assert message in " ".join(report.problems)


def test_excel_quirks_are_read(app):
    """A BOM, semicolons, CRLF, blank rows, empty trailing columns, quoted commas and line
    breaks, names with accents, countries by name in any case."""
    text = ("\ufeffName;Email;Category;Membership Number;Start_Date;Renewal_Date;Country;;\r\n"
            '"Odhiambo, Jr.";o@x.example;Professional;;2024-01-01;2026-01-01;tanzania;;\r\n'
            ";;;;;;;;\r\n"
            '"M\u0169thoni\r\nWanj\u0129ru";m@x.example;honorary;hsm-2020-00007;2020-05-05;;'
            "Democratic Republic of the Congo;;\r\n")  # fmt: skip
    report = plan_import(text.encode())
    assert report.ok, report.problems + [r.reasons for r in report.refused]
    first, second = report.rows
    assert (first.line, first.name, first.country, first.category) == (
        2,
        "Odhiambo, Jr.",
        "TZ",
        "professional",
    )
    assert (second.line, second.number, second.country) == (4, "HSM-2020-00007", "CD")
    assert second.name == "M\u0169thoni Wanj\u0129ru"


def test_existing_accounts_are_updated_and_numbers_checked_against_the_database(
    app, admin, make_user, grant
):
    held = make_user(email="held@county.example", membership=None)
    grant(held, number="HSM-2021-00003", started_on=date(2021, 3, 1))
    plain = make_user(email="plain@county.example", language="sw", membership=None)
    report = plan_import(csv_of(
        ["Held", "held@county.example", "life", "", "2021-03-01", "", "KE"],
        ["Plain", "plain@county.example", "professional", "HSM-2022-00010", "2022-01-01",
         "2027-01-01", "KE"],
        ["New", "new@county.example", "student", "HSM-2021-00003", "2023-01-01", "", "KE"],
        ["Held again", "HELD@county.example", "life", "HSM-2020-00001", "2021-03-01", "", "KE"],
    ))  # fmt: skip
    assert [row.action for row in report.rows] == ["update", "update", "refuse", "refuse"]
    assert report.rows[0].changes == [
        "category: professional \u2192 life",
        "renewal_date: 2022-03-01 \u2192 -",
    ]
    assert "already held by another member" in " ".join(report.rows[2].reasons)
    assert "also on line 2" in " ".join(report.rows[3].reasons)
    report = apply_import(csv_of(
        ["Held", "held@county.example", "life", "", "2021-03-01", "", "KE"],
        ["Plain", "plain@county.example", "professional", "HSM-2022-00010", "2022-01-01",
         "2027-01-01", "KE"],
    ), by=admin)  # fmt: skip
    assert report.applied and report.invited == []
    db.session.expire_all()
    memberships = {m.user_id: m for m in db.session.scalars(sa.select(Membership))}
    assert memberships[held.id].category == "life" and memberships[held.id].renews_on is None
    assert memberships[held.id].number == "HSM-2021-00003"
    assert memberships[plain.id].number == "HSM-2022-00010"
    assert memberships[plain.id].renews_on == date(2027, 1, 1)


def test_numbers_kept_from_the_register_are_never_assigned_again(app, admin, make_user, grant):
    year = local_today().year
    report = apply_import(csv_of(
        ["Kept", "kept@county.example", "professional", f"HSM-{year}-00005", f"{year}-01-01", "", "KE"],
    ), by=admin)  # fmt: skip
    assert report.applied
    numbers = {grant(make_user(membership=None)).number for _ in range(6)}
    assert f"HSM-{year}-00005" not in numbers and len(numbers) == 6


def test_invited_members_get_a_set_your_password_mail_in_their_language(app, admin, client, outbox):
    header = [*HEADER, "language"]
    report = apply_import(csv_of(
        ["Amani Said", "amani@county.example", "professional", "", "2024-01-01", "", "KE", "sw"],
        ["Grace Nakato", "grace@county.example", "associate", "", "2024-01-01", "", "UG", ""],
        header=header,
    ), by=admin)  # fmt: skip
    assert report.applied and len(report.invited) == 2
    amani = db.session.scalar(sa.select(User).where(User.email == "amani@county.example"))
    assert not verify_password(amani.password_hash, "anything at all")
    assert send_invitations(report.invited) == 2
    mails = {str(m["To"]): m for m in outbox.messages()}
    swahili, english = mails["amani@county.example"], mails["grace@county.example"]
    assert "uanachama" in swahili["Subject"].lower()
    assert "membership" in english["Subject"]
    link = re.search(r"https?://\S+/password/reset/\S+", english.get_content()).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    new_password = "a long and new passphrase 2026"
    response = submit(client, "/" + path, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    grace = db.session.scalar(sa.select(User).where(User.email == "grace@county.example"))
    db.session.refresh(grace)
    assert verify_password(grace.password_hash, new_password)


def test_the_command_reports_refused_lines_and_imports_nothing(app, admin, runner, tmp_path):
    rows = register_rows(40)
    bad = spoil(rows, 3)
    path = tmp_path / "register.csv"
    path.write_bytes(to_csv(rows))
    result = runner.invoke(args=["members", "import", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert f"Refused lines: {', '.join(map(str, bad))}" in result.output
    assert count(Membership) == 0
    path.write_bytes(to_csv(register_rows(40)))
    result = runner.invoke(args=["members", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "40 to create" in result.output and count(Membership) == 0
    result = runner.invoke(args=["members", "import", str(path), "--by", admin.email])
    assert result.exit_code == 0, result.output
    assert "40 created" in result.output and "40 invitation(s) sent" in result.output
    assert count(Membership) == 40


def _upload(client, data: bytes, name="register.csv"):
    from io import BytesIO

    return submit(client, "/admin/memberships/import",
                  {"csv_file": (BytesIO(data), name)}, content_type="multipart/form-data")  # fmt: skip


def test_the_upload_page_previews_then_imports_once(app, admin, make_user, outbox):
    client = login(app, admin.email)
    page = client.get("/admin/memberships/import").get_data(as_text=True)
    assert "CSV file of the register" in page and "Check the file" in page
    rows = register_rows(30)
    bad = spoil(rows, 2)
    response = _upload(client, to_csv(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Refused lines: {', '.join(map(str, bad))}" in page
    assert "Import 30 members" not in page
    response = _upload(client, b"\xff\xfe" + "name".encode("utf-16-le"))
    assert response.status_code == 400 and "UTF-16" in response.get_data(as_text=True)

    response = _upload(client, to_csv(register_rows(30)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Import 30 members" in page
    assert count(Membership) == 0
    confirm = re.search(r'action="(/admin/memberships/import/\d+)"', page).group(1)
    response = submit(client, confirm, {}, page="/admin/memberships/import")
    assert response.status_code == 302
    assert count(Membership) == 30 and len(outbox.messages()) == 30
    response = submit(client, confirm, {}, page="/admin/memberships/import")
    assert count(Membership) == 30
    page = client.get("/admin/memberships/import").get_data(as_text=True)
    assert "already been imported" in page
    assert "Files imported before" in page and "register.csv" in page


def test_a_file_checked_more_than_a_day_ago_must_be_uploaded_again(app, admin):
    from datetime import timedelta

    from wired4ex.dbtypes import utcnow
    from wired4ex.membership.register_models import MembershipImport

    client = login(app, admin.email)
    page = _upload(client, to_csv(register_rows(3))).get_data(as_text=True)
    confirm = re.search(r'action="(/admin/memberships/import/\d+)"', page).group(1)
    batch = db.session.get(MembershipImport, int(confirm.rsplit("/", 1)[1]))
    batch.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    response = submit(client, confirm, {}, page="/admin/memberships/import")
    assert response.status_code == 302 and count(Membership) == 0
    assert "upload it again" in client.get("/admin/memberships/import").get_data(as_text=True)
    _upload(client, to_csv(register_rows(3)))  # a new upload clears the stale one
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipImport)) == 1


def test_only_the_secretariat_imports(app, make_user):
    member = make_user(email="someone@county.example")
    client = login(app, member.email)
    assert client.get("/admin/memberships/import").status_code == 403
    assert client.get("/admin/memberships/renewals/import").status_code == 403


def test_an_oversized_upload_is_refused_with_a_message(app, admin):
    client = login(app, admin.email)
    data = ",".join(HEADER).encode() + b"\r\n" + b"x" * (5 * 1024 * 1024)
    response = _upload(client, data)
    assert response.status_code == 400
    assert "larger than 5 MB" in response.get_data(as_text=True)
    response = _upload(client, b"x" * (9 * 1024 * 1024))  # beyond MAX_CONTENT_LENGTH
    assert response.status_code == 413
    assert count(Membership) == 0
