"""After the event, through the client: the attendance CSV (formula cells neutralised), the
certificate of attendance PDF read back with pdftotext and zbarimg and verified at /verify, and
the evaluation form with its aggregate for the organiser."""

import csv
import io
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.conftest import submit
from tests.documents import pdf_text, qr_of
from wired4ex.dbtypes import utcnow
from wired4ex.events import checkin, codes
from wired4ex.events.models import AttendanceCertificate, Evaluation
from wired4ex.extensions import db


def check_in(member, session):
    code = codes.code_for(session.secret, codes.period_number(utcnow(), session.code_period))
    return checkin.check_in(member, code)


def test_the_attendance_csv_is_safe_for_spreadsheets(client, auth, admin, make_user, make_session):
    session = make_session()
    sly = make_user(full_name='=HYPERLINK("http://evil.example","x")')
    plain = make_user(full_name="Achieng Odhiambo")
    check_in(sly, session)
    checkin.mark_present(admin, session, plain)
    record = checkin.session_attendance(session)[1]
    checkin.undo_attendance(admin, record, "Wrong person")
    url = f"/events/sessions/{session.id}/attendance.csv"
    auth.login(sly.email)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(admin.email)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Name", "Email address", "Membership number", "Status"]
    assert rows[1][0] == "'" + '=HYPERLINK("http://evil.example","x")'
    assert rows[1][3] == "Present" and rows[1][5] == "Typed code" and rows[1][6] == "2.0"
    assert rows[2][0] == "Achieng Odhiambo" and rows[2][3] == "Removed" and rows[2][6] == "0"


def test_a_certificate_of_attendance_read_back_and_verified(client, auth, admin, make_user,
                                                            make_event, make_session, tmp_path):  # fmt: skip
    event = make_event()
    first = make_session(event=event)
    second = make_session(event=event, title="Supply chains <b>that</b> work", start_minutes=50,
                          points=Decimal("1.5"))  # fmt: skip
    member = make_user(full_name="Wanjirũ Ng'ang'a")
    check_in(member, first)
    checkin.mark_present(admin, second, member)  # no phone
    auth.login(member.email)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Certificate of attendance (PDF)" in page
    response = client.get(f"/events/{event.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Certificate of attendance" in text and "Wanjirũ Ng'ang'a" in text
    assert "HeSMA Annual Scientific Conference" in text
    assert "Financing primary health care" in text and "Conferences," in text
    assert "Supply chains <b>that</b> work" in text
    assert re.search(r"Total\s+3\.5", text)
    code = re.search(r"Verification code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)
    assert qr_of(response.data, tmp_path).endswith(f"/verify/{code}")
    # The same figures: the same certificate.
    again = pdf_text(client.get(f"/events/{event.id}/certificate.pdf").data, tmp_path)
    assert code in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceCertificate)) == 1
    auth.logout()
    verified = client.get(f"/verify/{code.lower().replace('-', '')}")
    assert verified.status_code == 200
    body = verified.get_data(as_text=True)
    assert "Valid: this certificate of attendance" in body and "Wanjirũ Ng&#39;ang&#39;a" in body
    assert client.get("/verify/AAAA-BBBB-CCCC").status_code == 404


def test_no_certificate_without_attendance(client, auth, make_user, make_session):
    session = make_session()
    auth.login(make_user().email)
    assert client.get(f"/events/{session.event_id}/certificate.pdf").status_code == 404


def test_the_evaluation_and_its_aggregate(client, auth, admin, make_user, make_session):
    session = make_session()
    url = f"/events/{session.event_id}/evaluation"
    outsider = make_user()
    auth.login(outsider.email)
    assert client.get(url).status_code == 404
    auth.logout()
    answers = [("5", "4", "yes", "The costing exercise was useful."), ("3", "2", "no", "")]
    for relevance, quality, apply, comment in answers:
        member = make_user()
        check_in(member, session)
        auth.login(member.email)
        bad = submit(client, url, {"relevance": "9", "quality": quality, "will_apply": apply})
        assert bad.status_code == 200 and "Not a valid choice" in bad.get_data(as_text=True)
        done = submit(client, url, {"relevance": relevance, "quality": quality,
                                    "will_apply": apply, "comment": comment})  # fmt: skip
        assert done.status_code == 302
        again = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "already evaluated" in again
        auth.logout()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 2
    auth.login(admin.email)
    manage = client.get(f"/events/{session.event_id}/manage").get_data(as_text=True)
    assert "<dd>2</dd>" in manage  # answers
    assert "<dd>4</dd>" in manage  # relevance (5 + 3) / 2
    assert "<dd>3</dd>" in manage  # quality (4 + 2) / 2
    assert "1 of 2" in manage and "The costing exercise was useful." in manage
