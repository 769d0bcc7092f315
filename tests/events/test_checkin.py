"""Attendance codes and check-in through the services, on the real database: the codes, the
window, stale and foreign codes, kept scans and offline codes, one ledger entry per member and
session (also with 20 parallel check-ins), marking by an organiser and undoing."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User
from wired4ex.cpd.verifiable import CODE_ALPHABET
from wired4ex.dbtypes import utcnow
from wired4ex.events import checkin, codes
from wired4ex.events.models import Attendance
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry


def code_at(session, at, periods_back=0):
    return codes.code_for(
        session.secret, codes.period_number(at, session.code_period) - periods_back
    )


def entries(user_id=None):
    query = sa.select(LedgerEntry).order_by(LedgerEntry.id)
    if user_id is not None:
        query = query.where(LedgerEntry.user_id == user_id)
    return db.session.scalars(query).all()


def test_codes_are_six_characters_of_the_verification_alphabet():
    secret = codes.new_secret()
    seen = {codes.code_for(secret, n) for n in range(2000)}
    assert len(seen) > 1990  # they rotate
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in seen)
    assert codes.code_for(secret, 7) == codes.code_for(secret, 7)  # derivable again (offline)
    assert codes.normalise(" abc-234 ") == "ABC234"
    assert codes.normalise("ABC0O1") is None


def test_hotp_truncation_of_rfc_4226():
    """The same HMAC-SHA1 and dynamic truncation as HOTP/TOTP: RFC 4226's test secret gives the
    31-bit values 1284755224 (counter 0) and 1094287082 (counter 1); the code writes that value
    in base 31 (its 6 lowest digits)."""
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    for counter, truncated in ((0, 1284755224), (1, 1094287082)):
        value = 0
        for ch in codes.code_for(secret, counter):
            value = value * len(CODE_ALPHABET) + CODE_ALPHABET.index(ch)
        assert value == truncated % len(CODE_ALPHABET) ** 6


def test_a_typed_code_checks_in_once_and_puts_the_points_on_the_ledger(make_user, make_session):
    member, session = make_user(), make_session()
    now = utcnow()
    result = checkin.check_in(member, code_at(session, now), at=now)
    assert result.new and result.session.id == session.id
    (entry,) = entries(member.id)
    assert entry.source == "event" and entry.points == Decimal("2")
    assert entry.title == "HeSMA Annual Scientific Conference: Financing primary health care"
    assert entry.provider == "HeSMA East Africa" and entry.event_session_id == session.id
    assert entry.category == "conference" and entry.competencies == ["FM1"]
    again = checkin.check_in(member, code_at(session, now), at=now + timedelta(seconds=5))
    assert not again.new
    assert len(entries(member.id)) == 1


def test_the_previous_period_is_accepted_and_older_codes_are_stale(make_user, make_session):
    member, session = make_user(), make_session()
    now = utcnow()
    assert checkin.accepts(session, code_at(session, now, 1), now)
    with pytest.raises(checkin.CheckinRefused, match="has expired"):
        checkin.check_in(member, code_at(session, now, 2), at=now)
    assert entries() == []


def test_codes_only_inside_the_window(make_user, make_session):
    member = make_user()
    later = make_session(start_minutes=60)  # opens 15 minutes before: 45 minutes from now
    now = utcnow()
    assert checkin.current_code(later, now) is None
    opens, closes = checkin.window(later)
    assert opens == later.starts_at - timedelta(minutes=15)
    assert closes == later.ends_at + timedelta(minutes=30)
    with pytest.raises(checkin.CheckinRefused):  # not a code of an open session yet
        checkin.check_in(member, code_at(later, now), at=now)
    with pytest.raises(checkin.CheckinRefused, match="opens at"):
        checkin.check_in(member, code_at(later, now), at=now, key=later.key)
    # A code shown during the window, typed after it closed.
    shown = closes - timedelta(seconds=30)
    with pytest.raises(checkin.CheckinRefused, match="closed at"):
        checkin.check_in(member, code_at(later, shown), at=closes + timedelta(minutes=5))
    assert entries() == []


def test_the_code_of_another_session(make_user, make_event, make_session):
    event = make_event()
    here = make_session(event=event, start_minutes=-10, length_minutes=30)
    there = make_session(event=make_event(title="Partner workshop"), title="Costing",
                         start_minutes=-5, length_minutes=30)  # fmt: skip
    now = utcnow()
    with pytest.raises(checkin.CheckinRefused, match=r"another session \(Costing\)"):
        checkin.check_in(make_user(), code_at(there, now), at=now, key=here.key)
    with pytest.raises(checkin.CheckinRefused, match="not the code of"):
        checkin.check_in(make_user(), "ABCDEF", at=now, key=here.key)
    with pytest.raises(checkin.CheckinRefused, match="not an attendance code"):
        checkin.check_in(make_user(), "ABCDEF", at=now)
    with pytest.raises(checkin.CheckinRefused, match="6 letters"):
        checkin.check_in(make_user(), "12", at=now)
    assert entries() == []


def test_a_kept_scan_completes_within_ten_minutes_after_the_code_rotated(make_user, make_session):
    member, session = make_user(), make_session(start_minutes=-20)
    scanned = utcnow() - timedelta(minutes=9)
    code = code_at(session, scanned)
    assert not checkin.accepts(session, code, utcnow())  # rotated since
    result = checkin.check_in(member, code, key=session.key, seen_at=scanned)
    assert result.new and result.attendance.code_seen_at == scanned
    with pytest.raises(checkin.CheckinRefused, match="kept too long"):
        old = utcnow() - timedelta(minutes=11)
        checkin.check_in(make_user(), code_at(session, old), key=session.key, seen_at=old)


def test_an_offline_code_is_accepted_with_its_time_within_24_hours(make_user, make_session):
    yesterday = make_session(start_minutes=-23 * 60, length_minutes=60)
    member = make_user()
    typed = yesterday.starts_at + timedelta(minutes=5)
    result = checkin.check_in(
        member, code_at(yesterday, typed), seen_at=typed, max_age=checkin.OFFLINE_AGE
    )
    assert result.new
    # The wrong time for the code: refused.
    with pytest.raises(checkin.CheckinRefused):
        checkin.check_in(make_user(), code_at(yesterday, typed), max_age=checkin.OFFLINE_AGE,
                         seen_at=typed + timedelta(minutes=10))  # fmt: skip
    with pytest.raises(checkin.CheckinRefused, match="future"):
        checkin.check_in(make_user(), "ABCDEF", seen_at=utcnow() + timedelta(hours=1))


def test_older_than_24_hours_is_refused(make_user, make_event, make_session):
    old = make_session(event=make_event(days=(-2, 0)), start_minutes=-26 * 60, length_minutes=60)
    typed = old.starts_at + timedelta(minutes=5)
    with pytest.raises(checkin.CheckinRefused, match="kept too long"):
        checkin.check_in(make_user(), code_at(old, typed), seen_at=typed,
                         max_age=checkin.OFFLINE_AGE)  # fmt: skip


def test_twenty_parallel_check_ins_give_one_entry(app, make_user, make_session):
    member, session = make_user(), make_session()
    member_id, code = member.id, code_at(session, utcnow())
    db.session.remove()
    barrier = threading.Barrier(20)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                person = db.session.get(User, member_id)
                db.session.commit()  # hand the connection back while waiting
                barrier.wait(timeout=30)
                results.append(checkin.check_in(person, code).new)
            except Exception as error:  # collected and asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False] * 19 + [True]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    assert len(entries()) == 1


def test_an_organiser_marks_and_undoes_with_a_correcting_entry(admin, make_user, make_session):
    member, session = make_user(language="sw"), make_session()
    assert checkin.mark_present(admin, session, member).new
    attendance = db.session.scalar(sa.select(Attendance))
    assert attendance.method == "organiser" and attendance.marked_by_id == admin.id
    with pytest.raises(checkin.EventError, match="reason"):
        checkin.undo_attendance(admin, attendance, " ")
    checkin.undo_attendance(admin, attendance, "Marked the wrong Achieng")
    award, correction = entries(member.id)
    assert award.points == Decimal("2") and correction.points == Decimal("-2")
    assert correction.source == "event" and correction.event_session_id == session.id
    assert "Marked the wrong Achieng" in correction.reason
    assert correction.reason.startswith("Mahudhurio")  # in the member's language
    with pytest.raises(checkin.EventError, match="already been removed"):
        checkin.undo_attendance(admin, db.session.get(Attendance, attendance.id), "again")
    # The member cannot check in again by themselves; the organiser can restore.
    with pytest.raises(checkin.CheckinRefused, match="removed your attendance"):
        checkin.check_in(member, code_at(session, utcnow()))
    checkin.mark_present(admin, session, member)
    assert sum(e.points for e in entries(member.id)) == Decimal("2")
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["event.attendance_marked", "event.attendance_undone",
                            "event.attendance_restored"]  # fmt: skip
