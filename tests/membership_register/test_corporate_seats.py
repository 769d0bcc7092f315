"""Corporate seats: the contact invites staff up to the seats, the staff accept, and only the
contact sees the staff's progress and CPD standing."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import submit
from tests.membership_register.conftest import login
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today


@pytest.fixture
def organisation(synced_content, make_user, grant):
    contact = make_user(email="hr@kisumu-hospital.example", full_name="Kisumu HR", membership=None)
    membership = grant(contact, "corporate", organisation_name="Kisumu County Hospital", seats=2,
                       started_on=local_today() - timedelta(days=10))  # fmt: skip
    return contact, membership


def test_the_contact_invites_staff_up_to_the_seats(app, organisation, make_user, outbox):
    contact, _membership = organisation
    client = login(app, contact.email)
    page = client.get("/membership/staff").get_data(as_text=True)
    assert "0 of 2 seats taken" in page, page
    assert "e-mail address" in page
    for address in ("nurse@kisumu.example", "Clerk@Kisumu.example"):
        response = submit(client, "/membership/staff", {"email": address})
        assert response.status_code == 302
    assert [str(m["To"]) for m in outbox.messages()] == [
        "nurse@kisumu.example",
        "clerk@kisumu.example",
    ]
    response = submit(client, "/membership/staff", {"email": "third@kisumu.example"})
    assert response.status_code == 400
    assert "All 2 seats are taken" in response.get_data(as_text=True)
    response = submit(client, "/membership/staff", {"email": "not an address"})
    assert response.status_code == 400


def test_staff_accept_and_the_contact_sees_their_standing_and_a_safe_csv(
    app, organisation, make_user
):
    contact, _membership = organisation
    client = login(app, contact.email)
    submit(client, "/membership/staff", {"email": "nurse@kisumu.example"})
    nurse = make_user(email="nurse@kisumu.example", full_name='=HYPERLINK("http://x")')
    db.session.add(LedgerEntry(user_id=nurse.id, source="adjustment", category="structured",
                               points=Decimal("4"), activity_date=local_today(), title="Course",
                               provider="Provider", reason="test"))  # fmt: skip
    db.session.commit()
    page = client.get("/membership/staff").get_data(as_text=True)
    assert "Invitation sent" in page and "HYPERLINK" not in page  # nothing shared before accepting

    staff_client = login(app, nurse.email)
    page = staff_client.get("/membership/seats").get_data(as_text=True)
    assert "Accept the seat of Kisumu County Hospital" in page
    seat_form = re.search(r'action="(/membership/seats/\d+/accept)"', page).group(1)
    assert submit(staff_client, seat_form, {}, page="/membership/seats").status_code == 302

    page = client.get("/membership/staff").get_data(as_text=True)
    assert "Seat taken" in page and "HYPERLINK" in page
    response = client.get("/membership/staff.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["name", "email", "seat"]
    assert rows[1][0].startswith("'=HYPERLINK")  # formula injection defused
    assert rows[1][1:3] == ["nurse@kisumu.example", "active"] and Decimal(rows[1][6]) == 4


def test_nobody_else_sees_the_staff(app, organisation, make_user, grant):
    contact, _membership = organisation
    client = login(app, contact.email)
    submit(client, "/membership/staff", {"email": "nurse@kisumu.example"})
    other = make_user(email="other@county.example")
    other_client = login(app, other.email)
    assert other_client.get("/membership/staff").status_code == 404
    assert other_client.get("/membership/staff.csv").status_code == 404
    # The contact of another organisation cannot remove this one's seats either.
    rival = make_user(email="hr@rival.example", membership=None)
    grant(rival, "corporate", organisation_name="Rival Clinic", seats=1)
    rival_client = login(app, rival.email)
    assert "nurse@kisumu.example" not in rival_client.get("/membership/staff").get_data(
        as_text=True
    )
    page = client.get("/membership/staff").get_data(as_text=True)
    remove = page.split('/remove"')[0].rsplit('action="', 1)[1] + "/remove"
    assert submit(rival_client, remove, {}, page="/membership/staff").status_code == 404
    # Someone with another address cannot accept the invitation.
    seat_id = remove.split("/")[-2]
    accept = f"/membership/seats/{seat_id}/accept"
    assert submit(other_client, accept, {}, page="/membership/seats").status_code == 404


def test_a_lapsed_organisation_cannot_invite(app, synced_content, make_user, grant):
    contact = make_user(email="hr@lapsed.example", membership=None)
    long_ago = local_today() - timedelta(days=900)
    grant(contact, "corporate", organisation_name="Lapsed Clinic", seats=3, started_on=long_ago,
          renews_on=long_ago + timedelta(days=365))  # fmt: skip
    client = login(app, contact.email)
    response = submit(client, "/membership/staff", {"email": "nurse@lapsed.example"})
    assert response.status_code == 400
    assert "not current" in response.get_data(as_text=True)


def test_the_contacts_forms_refuse_missing_and_oversized_fields(app, organisation):
    """The POST-form walker (tests/test_post_forms.py) signs in as the standard roles only; the
    contact is a person outside them, so their two forms are walked here."""
    contact, _membership = organisation
    client = login(app, contact.email)
    for data in ({}, {"email": ""}, {"email": "a" * 10_000 + "@kisumu.example"}, {"x": "y"}):
        response = submit(client, "/membership/staff", data)
        assert response.status_code == 400, data
    assert "0 of 2 seats taken" in client.get("/membership/staff").get_data(as_text=True)
    for seat_id in ("999999", "0"):
        response = submit(client, f"/membership/staff/{seat_id}/remove", {})
        assert response.status_code == 404
