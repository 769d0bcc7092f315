"""Certification from end to end: a member one course short of AHSM sees exactly what is missing,
finishes the course's last module on a phone, applies; the secretariat approves in a second
browser; the member downloads the certificate and opens its public verification page."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in, main_nav
from tests.certification.conftest import require
from wired4ex.catalog.models import Course, Institution, Module
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today

MEMBER_NAME = "Njeri Wambui Kamau"
PROGRAMME = "Associate in Health Systems Management"
REGION = f"{PROGRAMME} (AHSM)"
COURSE_TITLE = "Leadership and Governance in County Health Systems"
COURSE_URL = "/courses/lake-region-university/county-health-leadership/"
STATEMENT = (
    "I am the health administrative officer of Homa Bay County Referral Hospital and lead the "
    "hospital management team; the leadership course changed how we prepare board meetings."
)


def right_answers(quiz: list[dict]) -> dict[str, list[str]]:
    return {
        question["id"]: [option["id"] for option in question["options"] if option["correct"]]
        for question in quiz
    }


def one_module_short(member) -> tuple[str, list[dict]]:
    """Complete 3 of the 4 modules through the learning services and give the member enough other
    CPD points; return the last module's title and knowledge check."""
    course = db.session.scalars(
        sa.select(Course)
        .join(Institution)
        .where(
            Institution.slug == "lake-region-university", Course.slug == "county-health-leadership"
        )
    ).one()
    modules = list(
        db.session.scalars(
            sa.select(Module)
            .where(Module.course_id == course.id, Module.status == "active")
            .order_by(Module.position)
        )
    )
    assert len(modules) == 4
    learning.enrol(member, course)
    for module in modules[:3]:
        version = module.current_version
        outcome = learning.submit_attempt(
            member, module, version, right_answers(version.quiz), learning.new_attempt_nonce()
        )
        assert outcome.passed and outcome.newly_completed
    # 3 x 1.5 structured points towards LG from the modules, and 16 from two conferences: 20.5
    # counted points in 24 months, 4.5 in Leadership and governance; only the course is missing.
    today = local_today()
    for days_ago in (10, 40):
        db.session.add(
            LedgerEntry(
                user_id=member.id,
                source="claim",
                category="conference",
                points=Decimal("8"),
                activity_date=today - timedelta(days=days_ago),
                title="East African Health Systems Conference",
                provider="HeSMA",
                competencies=[],
            )
        )
    db.session.commit()
    last = modules[3].current_version
    title, quiz = last.title, last.quiz
    assert quiz, "the last module of the course has no knowledge check"
    db.session.rollback()  # end the test's read: the server writes while the test runs
    return title, quiz


def pdf_text(path) -> str:
    return subprocess.run(
        [require("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_a_member_completes_the_last_course_applies_and_is_certified(
    page, desktop_page, make_user, synced_content, outbox, tmp_path
):
    member = make_user(email="njeri.kamau@example.org", full_name=MEMBER_NAME)
    admin = make_user(
        email="secretariat@example.org", full_name="HeSMA Secretariat", roles=("member", "admin")
    )
    last_title, quiz = one_module_short(member)

    # -- the member, on a phone: one course short --------------------------------------------------
    log_in(page, member.email)
    main_nav(page).get_by_role("link", name="Certifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My certifications")
    ahsm = page.get_by_role("region", name=REGION)
    expect(ahsm).to_contain_text("Not yet eligible")
    expect(ahsm).to_contain_text("1 requirement still missing")
    expect(ahsm).to_contain_text(f"Missing: complete {COURSE_TITLE}")
    expect(ahsm.get_by_role("link", name=f"Apply for {PROGRAMME}")).to_have_count(0)
    assert_no_horizontal_scroll(page)

    # -- the last module, its knowledge check passed -------------------------------------------------
    page.goto(COURSE_URL)
    page.locator(".module-list").get_by_role("link", name=last_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(last_title)
    for question in quiz:
        group = page.locator("section.quiz form fieldset").filter(
            has=page.locator("legend", has_text=question["text"])
        )
        for option in question["options"]:
            if option["correct"]:
                group.get_by_label(option["text"], exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Module complete: CPD points added to your record."
    )

    # -- eligible now: apply --------------------------------------------------------------------------
    main_nav(page).get_by_role("link", name="Certifications").click()
    expect(ahsm.locator(".programme-status .status")).to_have_text("Eligible")
    expect(ahsm).not_to_contain_text("Missing:")
    ahsm.get_by_role("link", name=f"Apply for {PROGRAMME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Apply for {PROGRAMME}")
    page.get_by_label("Your statement: why you are applying and how you meet the standard").fill(
        STATEMENT
    )
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Your application has been submitted. The secretariat will review it."
    )
    expect(ahsm.locator(".programme-status")).to_contain_text("Application under review")

    # -- the secretariat, in a second browser ---------------------------------------------------------
    log_in(desktop_page, admin.email)
    main_nav(desktop_page).get_by_role("link", name="Applications").click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Certification applications")
    row = desktop_page.get_by_role("row").filter(has_text=MEMBER_NAME)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=PROGRAMME).click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text(
        f"{MEMBER_NAME} applies for {PROGRAMME}"
    )
    expect(desktop_page.get_by_text(STATEMENT)).to_be_visible()
    desktop_page.get_by_label("Approve and issue the certificate").check()
    desktop_page.get_by_role("button", name="Record decision").click()
    expect(desktop_page.get_by_role("status").first).to_contain_text(
        "Decision recorded and the member notified."
    )
    expect(desktop_page.get_by_text("No applications are waiting.")).to_be_visible()
    # Two mails to the member: the decision, then the certificate with its code and links.
    mails = outbox.messages()
    assert [message["To"] for message in mails] == [member.email, member.email]
    assert f"Your certificate {PROGRAMME} has been issued" in [m["Subject"].strip() for m in mails]

    # -- the member again: the certificate and its verification page ---------------------------------
    main_nav(page).get_by_role("link", name="Certifications").click()
    expect(ahsm.locator(".programme-status")).to_contain_text("Certified")
    with page.expect_download() as download_info:
        ahsm.get_by_role("link", name="Download the certificate (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"certificate-[0-9A-Z]{12}\.pdf", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = pdf_text(saved)
    assert MEMBER_NAME in text and PROGRAMME in text

    ahsm.get_by_role("link", name="Verification page").click()
    expect(page).to_have_url(re.compile(r"/verify/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    expect(page.locator(".verdict")).to_have_text(
        "Valid: this certificate was issued by HeSMA East Africa."
    )
    facts = page.locator("dl.summary-list")
    expect(facts).to_contain_text(MEMBER_NAME)
    expect(facts).to_contain_text(PROGRAMME)
    assert_no_horizontal_scroll(page)
