"""Event pages through the client: creating events and sessions with the forms, the public page,
registration, the code screen and who sees it, check-in by typed code and by the QR address
(also signed out, then signing in), the attendance list with mark and undo."""

from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import submit
from tests.events.conftest import session_input
from wired4ex.catalog.models import Institution
from wired4ex.dbtypes import utcnow
from wired4ex.events import codes, services
from wired4ex.events import registration as event_registration
from wired4ex.events.models import Attendance, Event, EventSession
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import association_zone, local_date


def code_now(session, periods_back=0):
    number = codes.period_number(utcnow(), session.code_period) - periods_back
    return codes.code_for(session.secret, number)


def test_an_admin_creates_an_event_and_a_session_with_the_forms(client, auth, admin, policy):
    auth.login(admin.email)
    today = local_date(utcnow())
    response = submit(client, "/events/new", {
        "title": "Workshop on county budgets", "organiser_name": "HeSMA East Africa",
        "description": "", "venue": "Nakuru", "start_date": today.isoformat(),
        "end_date": today.isoformat(), "capacity": "", "institution": "0",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(sa.select(Event))
    form = {
        "title": "Reading a budget", "day": today.isoformat(), "start_time": "09:00",
        "end_time": "10:30", "points": "1.5", "category": "conference", "competencies": ["FM1"],
        "code_period": "60", "window_before": "15", "window_after": "30",
    }  # fmt: skip
    url = f"/events/{event.id}/sessions/new"
    assert submit(client, url, form).status_code == 302
    session = db.session.scalar(sa.select(EventSession))
    assert session.starts_at.astimezone(association_zone()).strftime("%H:%M") == "09:00"
    # Bad input: a clear message beside the field, what was typed kept, nothing saved.
    for changes, message in [
        ({"end_time": "08:00"}, "must end after it starts"),
        ({"start_time": "10:00", "end_time": "11:00"}, "overlaps Reading a budget"),
        ({"start_time": "12:00", "end_time": "13:00", "points": "12"}, "At most 10 points"),
        ({"start_time": "12:00", "end_time": "13:00", "points": "two"}, "Enter a number"),
        ({"start_time": "25:00"}, "Enter a time"),
    ]:
        page = submit(client, url, {**form, "title": "Second", **changes})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert message in text and 'value="Second"' in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSession)) == 1


def test_the_public_page_shows_the_programme(client, make_session):
    session = make_session()
    page = client.get(f"/events/{session.event_id}").get_data(as_text=True)
    assert "HeSMA Annual Scientific Conference" in page
    assert "Financing primary health care" in page and "2 CPD points" in page
    assert "Conferences, workshops and seminars" in page
    assert session.key not in page and "Check-in screen" not in page
    assert client.get("/events/").status_code == 200
    assert client.get("/events/999").status_code == 404


def test_registering_when_full_puts_the_member_on_the_waiting_list(client, auth, make_user,
                                                                   make_event):  # fmt: skip
    event = make_event(capacity=1)
    event_registration.register(make_user(), event)
    member = make_user(email="late@example.org")
    auth.login(member.email)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Join the waiting list" in page and "1 of 1 taken" in page
    response = submit(client, f"/events/{event.id}/register", {}, page=f"/events/{event.id}",
                      follow_redirects=True)  # fmt: skip
    assert "you are on the waiting list" in response.get_data(as_text=True)


def test_only_organisers_see_the_code_screen(client, auth, admin, make_user, make_session):
    session = make_session()
    url = f"/events/sessions/{session.id}/screen"
    assert client.get(url).status_code == 302  # to the login page
    member = make_user()
    auth.login(member.email)
    assert client.get(url).status_code == 403
    assert client.get(f"/events/sessions/{session.id}/qr.svg").status_code == 403
    assert client.get(f"/events/sessions/{session.id}/attendance").status_code == 403
    auth.logout()
    auth.login(admin.email)
    page = client.get(url).get_data(as_text=True)
    code = code_now(session)
    assert f"{code[:3]} {code[3:]}" in page or code_now(session, -1)[:3] in page
    assert '<meta http-equiv="refresh" content="' in page
    assert "/checkin" in page
    svg = client.get(f"/events/sessions/{session.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_a_partners_check_in_organiser_sees_codes_but_not_lists(client, auth, admin, make_user,
                                                                make_session):  # fmt: skip
    session = make_session()
    partner = make_user(email="organiser@partner.example")
    services.add_organiser(admin, session.event, partner.email, "checkin")
    auth.login(partner.email)
    assert client.get(f"/events/sessions/{session.id}/screen").status_code == 200
    manage = client.get(f"/events/{session.event_id}/manage")
    assert manage.status_code == 200
    assert partner.email not in manage.get_data(as_text=True)  # no registration list
    assert client.get(f"/events/sessions/{session.id}/attendance").status_code == 403
    assert client.get(f"/events/{session.event_id}/edit").status_code == 403


def test_check_in_by_typed_code_and_see_it_on_my_cpd(client, auth, make_user, make_session):
    session = make_session()
    member = make_user()
    auth.login(member.email)
    response = submit(client, "/checkin", {"code": code_now(session).lower()})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 CPD points are on My CPD" in page
    cpd = client.get("/cpd/").get_data(as_text=True)
    assert "HeSMA Annual Scientific Conference: Financing primary health care" in cpd
    assert "Event attendance" in cpd
    # Twice: a clear message, nothing added.
    again = submit(client, "/checkin", {"code": code_now(session)}, follow_redirects=True)
    assert "already checked in" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 1


def test_a_stale_code_is_refused_and_kept_in_the_form(client, auth, make_user, make_session):
    session = make_session()
    auth.login(make_user().email)
    stale = code_now(session, 3)
    response = submit(client, "/checkin", {"code": stale})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This code has expired" in page and f'value="{stale}"' in page
    assert "try again when" not in page or "back online" in page
    assert submit(client, "/checkin", {"code": ""}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0


def test_the_qr_address_signed_out_then_signing_in(client, auth, make_user, make_session):
    session = make_session()
    member = make_user()
    token = f"{session.key}-{code_now(session)}"
    response = client.get(f"/checkin/{token}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    login = auth.login(member.email, next_url=f"/checkin/{token}")
    assert login.headers["Location"].endswith(f"/checkin/{token}")
    done = client.get(login.headers["Location"], follow_redirects=True)
    assert "2 CPD points are on My CPD" in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Attendance.method)) == "qr"
    # A QR address for a session whose code is not that one.
    other = client.get(f"/checkin/{session.key}-ABCDEF")
    assert other.status_code == 422
    assert client.get("/checkin/nonsense").status_code == 422


def test_the_organiser_marks_and_undoes_from_the_list(client, auth, admin, make_user,
                                                      make_session):  # fmt: skip
    session = make_session()
    member = make_user(full_name="Wanjirũ Ng'ang'a")
    event_registration.register(member, session.event)
    auth.login(admin.email)
    url = f"/events/sessions/{session.id}/attendance"
    assert "Wanjirũ Ng&#39;ang&#39;a" in client.get(url).get_data(as_text=True)
    marked = submit(client, url, {"member_id": str(member.id)}, follow_redirects=True)
    assert "is marked present" in marked.get_data(as_text=True)
    undo = f"/events/sessions/{session.id}/undo"
    refused = submit(client, undo, {"member_id": str(member.id), "reason": ""}, page=url,
                     follow_redirects=True)  # fmt: skip
    assert "Give the reason" in refused.get_data(as_text=True)
    done = submit(client, undo, {"member_id": str(member.id), "reason": "Wrong person"},
                  page=url, follow_redirects=True)  # fmt: skip
    assert "points were taken back" in done.get_data(as_text=True)
    points = db.session.scalars(sa.select(LedgerEntry.points).order_by(LedgerEntry.id)).all()
    assert [str(p) for p in points] == ["2.0", "-2.0"]
    assert submit(client, url, {"member_id": "x"}).status_code == 400
    assert submit(client, url, {"member_id": "99999"}).status_code == 404


def test_faculty_of_another_institution_cannot_manage(client, auth, make_user, make_event):
    lru = Institution(slug="lru", name="Lake Region University", short_name="LRU", country="Kenya")
    db.session.add(lru)
    db.session.commit()
    event = make_event(institution_id=lru.id)
    own = make_user(email="own@lru.example", roles=("member", "faculty"), institution_id=lru.id)
    stranger = make_user(email="f@other.example", roles=("member", "faculty"))
    auth.login(stranger.email)
    assert client.get(f"/events/{event.id}/manage").status_code == 403
    auth.logout()
    auth.login(own.email)
    assert client.get(f"/events/{event.id}/manage").status_code == 200
    assert client.get(f"/events/{event.id}/sessions/new").status_code == 200
    assert client.get("/events/new").status_code == 200


def test_an_admin_accredits_a_partners_event_and_names_its_check_in_organiser(
    client, auth, admin, make_user, policy
):
    partner = make_user(email="organiser@kemri.example", full_name="Partner Organiser")
    today = local_date(utcnow())
    auth.login(admin.email)
    created = submit(client, "/events/new", {
        "title": "KEMRI scientific day", "organiser_name": "KEMRI", "venue": "Nairobi",
        # from yesterday, so a session ten minutes ago fits also just after midnight
        "start_date": (today - timedelta(days=1)).isoformat(), "end_date": today.isoformat(),
        "institution": "0", "external": "y",
    })  # fmt: skip
    assert created.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.external
    manage = f"/events/{event.id}/manage"
    unknown = submit(client, f"/events/{event.id}/organisers",
                     {"email": "nobody@example.org", "role": "checkin"}, page=manage,
                     follow_redirects=True)  # fmt: skip
    assert "No account has this e-mail address." in unknown.get_data(as_text=True)
    given = submit(client, f"/events/{event.id}/organisers",
                   {"email": "ORGANISER@kemri.example", "role": "checkin"}, page=manage,
                   follow_redirects=True)  # fmt: skip
    assert "Partner Organiser" in given.get_data(as_text=True)
    auth.logout()
    public = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Accredited by HeSMA East Africa" in public
    auth.login(partner.email)
    assert "KEMRI scientific day" in client.get("/events/").get_data(as_text=True)
    session = services.add_session(admin, policy, event, session_input())
    assert client.get(f"/events/sessions/{session.id}/screen").status_code == 200
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    grab = {"email": partner.email, "role": "organiser"}
    assert (
        submit(client, f"/events/{event.id}/organisers", grab, page="/events/").status_code == 403
    )


def test_a_code_kept_offline_is_accepted_with_its_time(client, auth, make_user, make_event,
                                                       make_session):  # fmt: skip
    """No service worker yet: the form takes the time the phone kept (typed_at); the server
    accepts it within 24 hours only if the code was valid at that time."""
    session = make_session(start_minutes=-23 * 60, length_minutes=60)
    typed = session.starts_at + timedelta(minutes=5)
    code = codes.code_for(session.secret, codes.period_number(typed, session.code_period))
    auth.login(make_user().email)
    wrong_time = submit(client, "/checkin", {"code": code,
                                             "typed_at": (typed + timedelta(minutes=9)).isoformat()})  # fmt: skip
    assert wrong_time.status_code == 422
    assert submit(client, "/checkin", {"code": code, "typed_at": "garbage"}).status_code == 422
    done = submit(client, "/checkin", {"code": code, "typed_at": typed.isoformat()})
    assert done.status_code == 302
    assert db.session.scalar(sa.select(Attendance.code_seen_at)) == typed


def test_a_kept_scan_completes_after_logging_in_although_the_code_rotated(
    app, client, auth, make_user, make_session
):
    """The login starts a fresh session, so the scan is carried, signed, in the address it
    returns to; the code is checked against the time of the scan (here 8 minutes ago)."""
    from itsdangerous import URLSafeTimedSerializer

    session = make_session(start_minutes=-20)
    member = make_user()
    scanned = utcnow() - timedelta(minutes=8)
    old_code = codes.code_for(session.secret, codes.period_number(scanned, session.code_period))
    token = f"{session.key}-{old_code}"
    first = client.get(f"/checkin/{token}")  # signed out: sent to log in with the scan kept
    assert "scan%3D" in first.headers["Location"] or "scan=" in first.headers["Location"]
    signer = URLSafeTimedSerializer(app.secret_key, salt="events.checkin-scan")
    auth.login(member.email)
    # Without the kept scan the old code is stale.
    assert client.get(f"/checkin/{token}").status_code == 422
    forged = signer.dumps({"token": token, "at": scanned.isoformat()})[:-2] + "xx"
    assert client.get(f"/checkin/{token}?scan={forged}").status_code == 422
    too_old = signer.dumps({"token": token, "at": (utcnow() - timedelta(minutes=11)).isoformat()})
    assert client.get(f"/checkin/{token}?scan={too_old}").status_code == 422
    other = signer.dumps({"token": f"{session.key}-ABCDEF", "at": scanned.isoformat()})
    assert client.get(f"/checkin/{token}?scan={other}").status_code == 422
    kept = signer.dumps({"token": token, "at": scanned.isoformat()})
    done = client.get(f"/checkin/{token}?scan={kept}", follow_redirects=True)
    assert "2 CPD points are on My CPD" in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Attendance.code_seen_at)) == scanned


def test_the_code_screen_can_stop_refreshing(client, auth, admin, make_session):
    session = make_session()
    auth.login(admin.email)
    page = client.get(f"/events/sessions/{session.id}/screen").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Stop refreshing" in page
    still = client.get(f"/events/sessions/{session.id}/screen?still=1").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in still and "Show the current code" in still
    assert 'class="attendance-code"' in still


def test_faculty_edit_their_event_with_the_form_they_see(client, auth, make_user, make_event):
    lru = Institution(slug="lru", name="Lake Region University", short_name="LRU", country="Kenya")
    db.session.add(lru)
    db.session.commit()
    lecturer = make_user(
        email="own@lru.example", roles=("member", "faculty"), institution_id=lru.id
    )
    event = make_event(creator=lecturer)
    auth.login(lecturer.email)
    url = f"/events/{event.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="institution"' not in page and 'name="external"' not in page
    response = submit(client, url, {
        "title": "Renamed workshop", "organiser_name": "Lake Region University", "venue": "Kisumu",
        "start_date": event.start_date.isoformat(), "end_date": event.end_date.isoformat(),
        "external": "y", "institution": "0",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.title == "Renamed workshop"
    assert event.institution_id == lru.id and not event.external


def test_the_api_names_the_event_source_its_document_allows(client, auth, make_user,
                                                            make_session):  # fmt: skip
    """/api/v1/me/cpd lists the check-in with source "event", a value its OpenAPI schema lists."""
    session = make_session()
    member = make_user()
    auth.login(member.email)
    assert submit(client, "/checkin", {"code": code_now(session)}).status_code == 302
    body = client.get("/api/v1/me/cpd").get_json()
    (entry,) = [e for e in body["entries"] if e["source"] == "event"]
    assert entry["title"] == "HeSMA Annual Scientific Conference: Financing primary health care"
    document = client.get("/api/v1/openapi.json").get_json()
    allowed = document["components"]["schemas"]["LedgerEntry"]["properties"]["source"]["enum"]
    assert "event" in allowed
