"""Renewals from a CSV: checked row by row, recorded through record_renewal, all or nothing."""

import re
from datetime import date, timedelta
from io import BytesIO

import sqlalchemy as sa

from tests.conftest import submit
from tests.membership_register.conftest import login
from wired4ex.extensions import db
from wired4ex.membership.models import MembershipRenewal
from wired4ex.membership.renewal_imports import run_renewals
from wired4ex.timeutil import local_today

HEADER = "membership_number,renewed_on,amount,reference\r\n"


def renewals() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(MembershipRenewal))


def members(make_user, grant, count=3):
    start = local_today() - timedelta(days=300)
    return [grant(make_user(membership=None), started_on=start) for _ in range(count)]


def test_bad_rows_are_named_by_line_and_nothing_is_recorded(
    synced_content, admin, make_user, grant
):
    first, second, third = members(make_user, grant)
    today = local_today().isoformat()
    data = (HEADER
            + f"{first.number},{today},2500,QJK3XYZ12\r\n"
            + f"HSM-1999-99999,{today},2500,QJK3XYZ13\r\n"
            + f"{second.number},31/12/2026,2500,QJK3XYZ14\r\n"
            + f"{third.number},{today},-5,QJK3XYZ15\r\n"
            + f"{third.number},{today},2500,qjk3xyz12\r\n").encode()  # fmt: skip
    report = run_renewals(data, by=admin, apply=True)
    assert not report.applied and renewals() == 0
    reasons = {row.line: " ".join(row.reasons) for row in report.refused}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "no membership has this number" in reasons[3]
    assert "YYYY-MM-DD" in reasons[4]
    assert "amount" in reasons[5]
    assert "also on line 2" in reasons[6]


def test_a_good_file_records_every_renewal_once(synced_content, admin, make_user, grant):
    first, second, _third = members(make_user, grant)
    today = local_today().isoformat()
    data = (HEADER + f"{first.number.lower()},{today},2500,RCPT-001\r\n"
            + f'{second.number},{today},"3000.50",MPESA-QX12\r\n').encode()  # fmt: skip
    preview = run_renewals(data, by=admin, apply=False)
    assert preview.ok and renewals() == 0
    assert all(row.renews_on and row.renews_on > local_today() for row in preview.rows)
    report = run_renewals(data, by=admin, apply=True)
    assert report.applied and renewals() == 2
    again = run_renewals(data, by=admin, apply=True)
    assert not again.applied and renewals() == 2
    assert "already recorded" in " ".join(again.refused[0].reasons)


def test_the_page_previews_and_confirms(synced_content, app, admin, make_user, grant):
    (first,) = members(make_user, grant, 1)
    client = login(app, admin.email)
    page = client.get("/admin/memberships/renewals/import").get_data(as_text=True)
    assert "CSV file of renewals" in page
    data = (HEADER + f"{first.number},{local_today().isoformat()},2500,RCPT-9\r\n").encode()
    response = submit(client, "/admin/memberships/renewals/import",
                      {"csv_file": (BytesIO(data), "renewals.csv")},
                      content_type="multipart/form-data")  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Record 1 renewal" in page and renewals() == 0
    confirm = re.search(r'action="(/admin/memberships/renewals/import/\d+)"', page).group(1)
    response = submit(client, confirm, {}, page="/admin/memberships/renewals/import")
    assert response.status_code == 302 and renewals() == 1
    response = submit(client, "/admin/memberships/renewals/import",
                      {"csv_file": (BytesIO(b"membership_number;renewed_on\r\n"), "r.csv")},
                      content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    assert "amount, reference are missing" in response.get_data(as_text=True)
    assert date.today()  # the page never answers 500 on a bad file


def test_a_renewal_the_policy_refuses_stops_the_whole_file(synced_content, admin, make_user, grant):
    """A professional who missed the last cycle's CPD target cannot renew (record_renewal says
    what is missing): that line is named, and the other, valid renewal is not recorded either."""
    long_ago = local_today().replace(month=1, day=1) - timedelta(days=800)
    missed = grant(make_user(membership=None), "professional", started_on=long_ago)
    fine = grant(make_user(membership=None), "associate", started_on=long_ago)
    today = local_today().isoformat()
    data = (HEADER + f"{fine.number},{today},2500,RCPT-100\r\n"
            + f"{missed.number},{today},2500,RCPT-101\r\n").encode()  # fmt: skip
    report = run_renewals(data, by=admin, apply=True)
    assert not report.applied and renewals() == 0
    assert [row.line for row in report.refused] == [3]
    assert "CPD target" in " ".join(report.refused[0].reasons)
