"""An external CPD claim from end to end: a member claims points with a PDF as evidence on a phone,
an admin verifies it in a second browser, asks the member a question, the member answers on the
phone, and the admin approves fewer points with a reason; the member's CPD page then counts the
approved points."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, main_nav
from wired4ex.dbtypes import utcnow
from wired4ex.timeutil import local_date

MEMBER_NAME = "Baraka Mwangi"
TITLE = "East African Health Systems Conference 2026"
PROVIDER = "HeSMA East Africa, Kisumu chapter"
CATEGORY = "Conferences, workshops and seminars"
COMPETENCY = "LG3 Stakeholder engagement and partnerships"
REFLECTION = (
    "Two sessions on county health committees changed how I prepare our quarterly review: "
    "community representatives now get the figures a week before the meeting."
)
QUESTION = "Your certificate shows three days; which of them did you attend sessions on?"
ANSWER = "The first two days; on the third day I joined the excursion only."
REASON = "Only the two conference days with sessions you attended count; the excursion does not."
TARGET = 40  # the professional category's yearly target in content/policy/cpd.yml


def minimal_pdf() -> bytes:
    """A small but valid one-page PDF: header, objects, a cross-reference table with the right
    byte offsets, and a trailer."""
    stream = b"BT /F1 18 Tf 72 720 Td (Certificate of attendance) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_member_claims_external_points_and_an_admin_approves_fewer(
    page, desktop_page, live_server, make_user, synced_content, outbox, tmp_path
):
    member = make_user(email="baraka.mwangi@example.org", full_name=MEMBER_NAME)
    admin = make_user(
        email="secretariat@example.org", full_name="HeSMA Secretariat", roles=("member", "admin")
    )
    evidence = tmp_path / "attendance-certificate.pdf"
    evidence.write_bytes(minimal_pdf())
    # Both days inside the current cycle (a calendar year in Nairobi), so the claim shows on the
    # default "My CPD" page.
    end = local_date(utcnow())
    start = max(end - timedelta(days=1), end.replace(month=1, day=1))

    # -- the member, on a phone ------------------------------------------------------------------
    log_in(page, member.email)
    main_nav(page).get_by_role("link", name="My CPD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My CPD")
    standing = page.locator("section.standing")
    expect(standing.locator(".big-number")).to_have_text(f"0 of {TARGET} points")
    expect(page.get_by_text("No claims in this cycle.")).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Claim points for an external activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Claim CPD points for an external activity"
    )
    page.get_by_label("Activity title").fill(TITLE)
    page.get_by_label("Provider or organiser").fill(PROVIDER)
    page.get_by_label("CPD category").select_option(label=CATEGORY)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill(end.isoformat())
    page.get_by_label("Hours of learning").fill("14")
    page.get_by_label("Points claimed").fill("6")
    page.get_by_label("Reflection: what changed in your practice?").fill(REFLECTION)
    page.get_by_label(COMPETENCY, exact=True).check()
    page.get_by_label("Evidence (PDF, JPEG or PNG, up to 5 MB)").set_input_files(evidence)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Submit for verification").click()

    expect(page).to_have_url(re.compile(r"/cpd/claims/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Your claim has been submitted for verification."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".status-submitted")).to_have_text("Waiting for verification")
    expect(page.get_by_role("link", name="attendance-certificate.pdf")).to_be_visible()
    claim_url = page.url

    main_nav(page).get_by_role("link", name="My CPD").click()
    card = page.locator("ul.cards > li", has=page.get_by_role("link", name=TITLE))
    expect(card).to_contain_text("6 points claimed")
    expect(card).to_contain_text("Waiting for verification")
    expect(standing.locator(".big-number")).to_have_text(f"0 of {TARGET} points")

    # -- the admin, in a second browser context ----------------------------------------------------
    log_in(desktop_page, admin.email)
    main_nav(desktop_page).get_by_role("link", name="Verify claims").click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Claims to verify")
    row = desktop_page.get_by_role("row").filter(has_text=MEMBER_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(CATEGORY)
    expect(row).to_contain_text("6")
    row.get_by_role("link", name=TITLE).click()

    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(f"Verify: {TITLE}")
    facts = desktop_page.locator("dl.summary-list")
    expect(facts).to_contain_text(MEMBER_NAME)
    expect(facts).to_contain_text(PROVIDER)
    expect(desktop_page.get_by_text(REFLECTION)).to_be_visible()
    evidence_link = desktop_page.get_by_role("link", name="attendance-certificate.pdf")
    expect(evidence_link).to_be_visible()
    # The link serves the very file the member uploaded, to the admin.
    served = desktop_page.request.get(evidence_link.get_attribute("href"))
    assert served.status == 200, served.status
    assert served.headers["content-type"] == "application/pdf"
    assert served.body() == evidence.read_bytes()

    # The evidence's pages are drawn as images; let them arrive before typing, or the form
    # moves under the pointer on a slow machine.
    desktop_page.wait_for_load_state("load")

    # -- one round of "more information asked" -----------------------------------------------------
    desktop_page.get_by_label("Your question to the member").fill(QUESTION)
    desktop_page.get_by_role("button", name="Ask the member").click()
    expect(desktop_page.get_by_role("status").first).to_contain_text(
        "Your question has been sent to the member."
    )
    expect(desktop_page.get_by_text("No claims are waiting for verification.")).to_be_visible()
    expect(desktop_page.get_by_text("1 claim waits for its member's answer")).to_be_visible()
    assert [message["To"] for message in outbox.messages()] == [member.email]
    assert QUESTION in outbox.messages()[0].get_content()

    page.goto(claim_url)
    expect(page.locator(".status-info-requested")).to_have_text("Information asked for")
    asked = page.locator("section.info-asked")
    expect(asked.get_by_role("heading")).to_have_text("The secretariat needs more information")
    expect(asked).to_contain_text(QUESTION)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send answer and resubmit").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Your answer has been sent and the claim is back with the secretariat."
    )
    expect(page.locator(".status-submitted")).to_have_text("Waiting for verification")
    thread = page.locator("section.claim-thread")
    expect(thread).to_contain_text(QUESTION)
    expect(thread).to_contain_text(ANSWER)

    desktop_page.reload()
    row = desktop_page.get_by_role("row").filter(has_text=MEMBER_NAME)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=TITLE).click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(f"Verify: {TITLE}")
    thread = desktop_page.locator("section.claim-thread")
    expect(thread).to_contain_text(QUESTION)
    expect(thread).to_contain_text(ANSWER)
    desktop_page.wait_for_load_state("load")
    desktop_page.get_by_label("Approve", exact=True).check()
    points_approved = desktop_page.get_by_label("Points approved")
    expect(points_approved).to_have_value(re.compile(r"^6(\.0)?$"))
    points_approved.fill("4")
    desktop_page.get_by_label("Reason (required to reject or to approve fewer points)").fill(REASON)
    desktop_page.get_by_role("button", name="Record decision").click()
    expect(desktop_page.get_by_role("status").first).to_contain_text(
        "Decision recorded and the member notified."
    )
    expect(desktop_page.get_by_text("No claims are waiting for verification.")).to_be_visible()
    assert [message["To"] for message in outbox.messages()] == [member.email] * 2

    # -- the member again: the approved points count -----------------------------------------------
    main_nav(page).get_by_role("link", name="My CPD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My CPD")
    expect(standing.locator(".big-number")).to_have_text(f"4 of {TARGET} points")
    expect(standing).to_contain_text(f"Still needed: {TARGET - 4} points.")
    card = page.locator("ul.cards > li", has=page.get_by_role("link", name=TITLE))
    expect(card.locator(".status-approved")).to_have_text("Approved")
    expect(card).to_contain_text("6 points claimed")
    expect(card).to_contain_text("4 approved")
    expect(card).to_contain_text(REASON)
    category_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(f"^{re.escape(CATEGORY)}"))
    )
    expect(category_row.get_by_role("cell")).to_have_text(["4", "20", "4"])
    ledger_row = page.locator("table.ledger tbody tr").filter(has_text=TITLE)
    expect(ledger_row).to_have_count(1)
    expect(ledger_row).to_contain_text("Approved claim")
    expect(ledger_row.get_by_role("cell").nth(3)).to_have_text("4")
    assert_no_horizontal_scroll(page)

    page.goto(claim_url)
    expect(page.locator(".status-approved")).to_have_text("Approved")
    facts = page.locator("dl.summary-list")
    expect(facts).to_contain_text("Points approved")
    expect(facts).to_contain_text(REASON)
    expect(page.get_by_role("link", name="Edit claim")).to_have_count(0)
    assert_no_horizontal_scroll(page)
