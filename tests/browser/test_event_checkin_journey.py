"""A member checks in to a conference session on a phone: by the code typed from the hall's
screen, and by opening the address in its QR code (read back from the organiser's screen with
zbarimg); the points are on My CPD at once. Screenshots of the event pages at 360 and 1280 px
go to tmp_path/shots."""

import subprocess
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_no_horizontal_scroll, log_in, main_nav
from tests.cpd.conftest import policy  # noqa: F401  (the real policy files)
from tests.documents import require
from wired4ex.dbtypes import utcnow
from wired4ex.events import services
from wired4ex.timeutil import local_date


def make_conference(admin, policy):  # noqa: F811
    today = local_date(utcnow())
    event = services.create_event(admin, services.EventInput(
        title="HeSMA Annual Scientific Conference", description="Three days on county health.",
        organiser_name="HeSMA East Africa", venue="Kisumu, Acacia Hall", online=False,
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1), capacity=300,
        evaluation=True,
    ))  # fmt: skip
    now = utcnow().replace(second=0, microsecond=0)
    sessions = [
        services.add_session(
            admin,
            policy,
            event,
            services.SessionInput(
                title=title,
                starts_at=now + timedelta(minutes=start),
                ends_at=now + timedelta(minutes=start + 50),
                points=Decimal(points),
                category="conference",
                competencies=["FM1"],
            ),
        )  # fmt: skip
        for title, start, points in (
            ("Financing primary health care", -10, "2"),
            ("Supply chains that work", 60, "1.5"),
        )  # fmt: skip
    ]
    return event, sessions


def shoot(page, tmp_path, name):
    folder = tmp_path / "shots"
    folder.mkdir(exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_check_in_by_typed_code_and_by_qr(page, browser, live_server, make_user, policy,  # noqa: F811
                                          tmp_path):  # fmt: skip
    admin = make_user(email="admin@hesma.example", roles=("member", "admin"))
    member = make_user(email="achieng@example.org", full_name="Achieng Odhiambo")
    event, (first, second) = make_conference(admin, policy)

    # The organiser's screen (a laptop at the projector).
    organiser = browser.new_context(viewport=DESKTOP, base_url=live_server)
    screen = organiser.new_page()
    log_in(screen, admin.email)
    screen.goto(f"/events/sessions/{first.id}/screen")
    code = screen.locator(".attendance-code").inner_text().replace(" ", "")
    assert len(code) == 6
    assert screen.locator('meta[http-equiv="refresh"]').count() == 1
    qr_png = tmp_path / "qr.png"
    screen.locator("img.screen-qr").screenshot(path=str(qr_png))
    qr_url = subprocess.run([require("zbarimg"), "--raw", "-q", str(qr_png)],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert f"/checkin/{first.key}-" in qr_url
    shoot(screen, tmp_path, "screen")
    screen.goto(f"/events/{event.id}/manage")
    shoot(screen, tmp_path, "manage")

    # The member, on a phone: the event page, then Check in with the typed code.
    log_in(page, member.email)
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="HeSMA Annual Scientific Conference").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HeSMA Annual Scientific Conference")
    assert_no_horizontal_scroll(page)
    shoot(page, tmp_path, "event")
    page.goto("/checkin")
    page.get_by_label("Attendance code").fill(code.lower())
    shoot(page, tmp_path, "checkin")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("2 CPD points are on My CPD")
    assert_no_horizontal_scroll(page)
    shoot(page, tmp_path, "checked-in")
    page.get_by_role("link", name="My CPD").first.click()
    ledger = page.locator("table.ledger")
    expect(ledger).to_contain_text(
        "HeSMA Annual Scientific Conference: Financing primary health care"
    )
    expect(ledger).to_contain_text("Event attendance")
    # The event page now offers the certificate and the evaluation.
    page.goto(f"/events/{event.id}")
    expect(page.get_by_role("link", name="Certificate of attendance (PDF)")).to_be_visible()
    page.get_by_role("link", name="Evaluate this event").click()
    page.locator("input[name=relevance][value='5']").check()
    page.locator("input[name=quality][value='4']").check()
    page.get_by_label("Yes").check()
    assert_no_horizontal_scroll(page)
    shoot(page, tmp_path, "evaluation")
    page.get_by_role("button", name="Send evaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your evaluation.")
    # A stale code: refused with a clear message, the code kept in the form.
    page.goto("/checkin")
    page.get_by_label("Attendance code").fill("ABC234")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator(".field-invalid .error")).to_be_visible()
    expect(page.get_by_label("Attendance code")).to_have_value("ABC234")
    assert_no_horizontal_scroll(page)

    # By the QR: the second session opens in 45 minutes; a colleague's phone opens the first's
    # QR address while signed out, logs in, and is checked in.
    colleague = make_user(email="brian@example.org", full_name="Brian Kiprop")
    phone = browser.new_context(viewport=PHONE, base_url=live_server)
    try:
        other = phone.new_page()
        other.goto(qr_url)
        expect(other.get_by_role("status")).to_contain_text("your scan is kept for 10 minutes")
        other.get_by_label("Email address").fill(colleague.email)
        other.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
        other.get_by_role("button", name="Log in").click()
        expect(other.get_by_role("status")).to_contain_text("Checked in to Financing primary")
        other.get_by_role("link", name="My CPD").first.click()
        expect(other.locator("table.ledger")).to_contain_text("Financing primary health care")
        expect(other.locator(".standing .big-number")).to_contain_text("2")
        assert_no_horizontal_scroll(other)
    finally:
        phone.close()

    screen.goto(f"/events/sessions/{first.id}/attendance")
    expect(screen.locator(".attendance-list")).to_contain_text("Achieng Odhiambo")
    expect(screen.locator(".attendance-list")).to_contain_text("Brian Kiprop")
    shoot(screen, tmp_path, "attendance")
    screen.goto(f"/events/sessions/{second.id}/screen")
    expect(screen.locator(".screen-instructions")).to_contain_text("Check-in opens at")
    organiser.close()


def test_a_swahili_member_checks_in_on_a_phone(page, live_server, make_user, policy, tmp_path):  # noqa: F811
    admin = make_user(email="admin@hesma.example", roles=("member", "admin"))
    make_user(email="juma@example.org", full_name="Juma Mwinyi", language="sw")
    event, (first, _second) = make_conference(admin, policy)
    from wired4ex.events import codes

    log_in_sw(page, "juma@example.org")
    page.goto(f"/events/{event.id}")
    expect(page.get_by_role("heading", name="Ratiba ya vipindi")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.goto("/checkin")
    code = codes.code_for(first.secret, codes.period_number(utcnow(), first.code_period))
    page.get_by_label("Msimbo wa mahudhurio").fill(code)
    page.get_by_role("button", name="Rekodi mahudhurio").click()
    expect(page.get_by_role("status")).to_contain_text("ziko kwenye CPD yangu")
    assert_no_horizontal_scroll(page)
    shoot(page, tmp_path, "checked-in-sw")


def log_in_sw(page, email: str) -> None:
    """The login page is in the visitor's language (English); the member's pages in theirs."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()
    expect(main_nav(page).get_by_role("button", name="Toka")).to_be_visible()
