"""A module from the browser editor to a learner who passes it.

A lecturer of a partner university creates a course, writes a module with a heading, a paragraph,
an image she uploads and a knowledge check of two questions, watches the live preview follow her
typing, previews it with the Preview button and submits it for review. An admin, in a second
browser, approves and publishes it. A member, on a phone, enrols, reads the module with its image
and passes the knowledge check.
"""

import re

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    _open_page,
    assert_no_horizontal_scroll,
    log_in,
    main_nav,
)
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db

INSTITUTION = "lake-region-university"
COURSE_SLUG = "community-outreach"
COURSE_TITLE = "Planning Community Outreach"
MODULE_TITLE = "Costing an outreach day"
MODULE_KEY = "costing-an-outreach-day"
HEADING = "What an outreach day costs"
PARAGRAPH = "Every outreach day needs fuel, allowances for the team and medical supplies."
Q1 = "Which is a direct cost of an outreach day?"
Q2 = "Which items belong in the outreach budget? (choose all that apply)"
QUIZ = [
    (Q1, [("Fuel for the vehicle", True), ("The county's annual audit fee", False)]),
    (
        Q2,
        [
            ("Allowances for the team", True),
            ("Medical supplies", True),
            ("The hospital's new wing", False),
        ],
    ),
]


def module_text(image_line: str = "") -> str:
    quiz = "```quiz\n"
    for question, options in QUIZ:
        quiz += f"? {question}\n"
        quiz += "".join(f"- [{'x' if right else ' '}] {text}\n" for text, right in options)
        quiz += "> Costs caused by the outreach itself belong in its budget.\n\n"
    quiz = quiz.rstrip("\n") + "\n```\n"
    image = f"{image_line}\n\n" if image_line else ""
    return f"## {HEADING}\n\n{PARAGRAPH}\n\n{image}{quiz}"


def natural_width(locator) -> int:
    locator.scroll_into_view_if_needed()
    locator.page.wait_for_function(
        "(img) => img.complete", arg=locator.element_handle(), timeout=10_000
    )
    return locator.evaluate("(img) => img.naturalWidth")


def test_a_lecturer_writes_a_module_an_admin_publishes_it_and_a_member_passes_it(
    browser, page, desktop_page, page_log, live_server, make_user, synced_content, tmp_path
):
    institution = db.session.scalars(
        sa.select(Institution).where(Institution.slug == INSTITUTION)
    ).one()
    lecturer = make_user(email="achieng.otieno@lru.example", full_name="Dr Achieng Otieno",
                         roles=("member", "faculty"), institution_id=institution.id)  # fmt: skip
    admin = make_user(email="secretariat@hesma.example", full_name="HeSMA Secretariat",
                      roles=("member", "admin"))  # fmt: skip
    member = make_user(email="wanjiru.kamau@example.org", full_name="Wanjiru Kamau")
    picture = tmp_path / "Outreach Costs.png"
    chart = Image.new("RGB", (64, 32), "white")
    for x in range(8, 56):
        for y in range(20 - x // 4, 28):
            chart.putpixel((x, y), (0, 90, 160))
    chart.save(picture, format="PNG")
    soft: list[str] = []  # what is wrong but does not stop the journey; reported at the end

    # -- the lecturer writes the module ----------------------------------------------------------
    lecturer_page = desktop_page
    log_in(lecturer_page, lecturer.email)
    main_nav(lecturer_page).get_by_role("link", name="Authoring").click()
    expect(lecturer_page.get_by_role("heading", level=1)).to_have_text("Authoring")
    lecturer_page.get_by_role("link", name="Create a course").click()
    expect(lecturer_page.get_by_role("heading", level=1)).to_have_text("Create a course")
    lecturer_page.get_by_label("Course id").fill(COURSE_SLUG)
    lecturer_page.get_by_label("Course title").fill(COURSE_TITLE)
    lecturer_page.get_by_label("Summary").fill("Plan, cost and run outreach days in a county.")
    lecturer_page.get_by_label("Language").select_option(label="English")
    lecturer_page.get_by_role("button", name="Save course").click()
    expect(lecturer_page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(lecturer_page.get_by_role("status").first).to_contain_text("Course created.")

    lecturer_page.get_by_role("button", name="Add a module").click()
    expect(lecturer_page.locator("main > h1")).to_have_text("New module")
    draft_url = lecturer_page.url
    assert re.search(r"/authoring/drafts/\d+$", draft_url), draft_url
    lecturer_page.get_by_label("Module title").fill(MODULE_TITLE)
    lecturer_page.get_by_label("Module id").fill(MODULE_KEY)
    lecturer_page.get_by_label("Learning time in minutes").fill("30")
    lecturer_page.get_by_label("CPD points").fill("1.5")
    lecturer_page.get_by_label("CPD category").select_option("structured")
    lecturer_page.get_by_label("FM1 Planning and budgeting").check()
    lecturer_page.get_by_label("Objectives").fill(
        "list the costs of an outreach day\nlink each cost to the work plan"
    )
    body = lecturer_page.get_by_label("Module text (Markdown)")
    body.fill(module_text())
    # Keep the fields before leaving the page to upload the image.
    lecturer_page.get_by_role("button", name="Save draft").click()
    expect(lecturer_page.get_by_role("status").first).to_contain_text("Draft saved.")
    expect(lecturer_page.get_by_label("Module title")).to_have_value(MODULE_TITLE)

    lecturer_page.get_by_label("Image (PNG or JPEG, up to 2 MB)").set_input_files(picture)
    lecturer_page.get_by_role("button", name="Upload image").click()
    uploaded = lecturer_page.get_by_role("status").first
    expect(uploaded).to_contain_text("Image uploaded.")
    found = re.search(r"!\[[^\]]*\]\(media/[a-z0-9.-]+\.png\)", uploaded.inner_text())
    assert found, uploaded.inner_text()
    image_line = found.group(0)
    assert lecturer_page.url == draft_url
    expect(body).to_have_value(module_text())  # the saved text is back in the editor

    # The live preview follows the typing (the editor's script posts it, debounced).
    live = lecturer_page.locator("#live-preview")
    expect(live.locator(".content img")).to_have_count(0)
    before = live.inner_html()
    body.fill(module_text(image_line))
    # Debounced, then a round trip to the server's renderer: slow on a busy machine.
    expect(live.locator(".content img")).to_have_count(1, timeout=20_000)
    assert live.inner_html() != before
    expect(live.get_by_role("heading", name=HEADING)).to_be_visible()

    # The Preview button (no script needed): the page as learners will see it.
    lecturer_page.get_by_role("button", name="Preview").click()
    expect(lecturer_page.get_by_label("Module text (Markdown)")).to_have_value(
        module_text(image_line)
    )
    preview = lecturer_page.locator("#live-preview .preview-frame")
    expect(preview.locator(".preview-title")).to_have_text(MODULE_TITLE)
    expect(preview.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(preview.get_by_text(PARAGRAPH)).to_be_visible()
    expect(preview.get_by_role("heading", name="Knowledge check")).to_be_visible()
    expect(preview.get_by_text(Q1)).to_be_visible()
    expect(preview.get_by_text(Q2)).to_be_visible()
    expect(lecturer_page.locator("#problems-title")).to_have_count(0)
    image = preview.locator(".content img")
    expect(image).to_have_count(1)
    width = natural_width(image)
    if width <= 0:
        soft.append(
            "the editor's preview shows a broken image: "
            f"{image.get_attribute('src')!r} resolves to "
            f"{image.evaluate('(img) => img.currentSrc || img.src')!r} (naturalWidth {width})"
        )

    lecturer_page.get_by_role("button", name="Submit for review").click()
    expect(lecturer_page.get_by_role("status").first).to_contain_text("Submitted for review.")
    expect(lecturer_page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(lecturer_page.get_by_text("Waiting for review")).to_be_visible()

    # -- the admin approves it, in a second browser ----------------------------------------------
    context, admin_page = _open_page(browser, live_server, DESKTOP, page_log)
    try:
        log_in(admin_page, admin.email)
        main_nav(admin_page).get_by_role("link", name="Authoring").click()
        admin_page.get_by_role("link", name="Drafts to review").click()
        expect(admin_page.get_by_role("heading", level=1)).to_have_text("Drafts to review")
        admin_page.get_by_role("link", name=MODULE_TITLE).click()
        expect(admin_page.locator("main > h1")).to_have_text(f"Review: {MODULE_TITLE}")
        expect(admin_page.locator(".preview-frame").get_by_text(Q1)).to_be_visible()
        review_image = admin_page.locator(".preview-frame .content img")
        expect(review_image).to_have_count(1)
        if natural_width(review_image) <= 0:
            soft.append(
                "the admin's review page shows a broken image: "
                f"{review_image.evaluate('(img) => img.currentSrc || img.src')!r}"
            )
        admin_page.get_by_role("button", name="Approve and publish").click()
        expect(admin_page.get_by_role("status").first).to_contain_text("Published as version 1.")
        expect(admin_page.get_by_text("Nothing is waiting for review.")).to_be_visible()
    finally:
        context.close()

    # -- a member reads and passes it, on a phone ------------------------------------------------
    log_in(page, member.email)
    course_url = f"/courses/{INSTITUTION}/{COURSE_SLUG}/"
    page.goto(course_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_role("status").first).to_contain_text(f"You are enrolled in {COURSE_TITLE}.")
    expect(page).to_have_url(re.compile(rf"{re.escape(course_url)}{MODULE_KEY}(\?|#|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE_TITLE)
    content = page.locator("article .content")
    expect(content.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(content.get_by_text(PARAGRAPH)).to_be_visible()
    published_image = content.locator("img")
    expect(published_image).to_have_count(1)
    assert natural_width(published_image) == 64, published_image.get_attribute("src")
    assert_no_horizontal_scroll(page)

    quiz = page.locator("section.quiz")
    expect(quiz.get_by_role("heading", name="Knowledge check")).to_be_visible()
    for question, options in QUIZ:
        group = quiz.locator("form fieldset").filter(has=page.locator("legend", has_text=question))
        expect(group).to_have_count(1)
        for text, right in options:
            if right:
                group.get_by_label(text, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    results = page.locator("#quiz-results")
    expect(results.get_by_role("heading", name="Passed: 100%")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("You passed with 100%.")
    expect(page.locator(".module-header .status-done")).to_contain_text("Completed")
    assert_no_horizontal_scroll(page)

    assert not soft, "\n".join(soft)
