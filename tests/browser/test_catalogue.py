"""The catalogue on a phone: the sample courses, the language filter, module pages and images."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, form_field_problems, log_in
from wired4ex.catalog.content import load_content

CONTENT = Path(__file__).resolve().parents[2] / "content"
ENGLISH_COURSES = [
    "Leadership and Governance in County Health Systems",
    "Health Financing for County Managers",
    "Quality Improvement and Patient Safety",
]
SWAHILI_COURSES = [
    "Takwimu kwa Maamuzi ya Afya",
    "Uboreshaji wa Ubora wa Huduma na Usalama wa Wagonjwa",  # the Swahili edition of Quality
]


def course_titles(page) -> list[str]:
    return page.locator(".cards > li h2").all_inner_texts()


def images_loaded(page) -> list[dict]:
    """Every image of the page's content (the header's mark aside), once all have finished
    loading (or failing)."""
    page.wait_for_function("() => [...document.images].every((img) => img.complete)")
    return page.evaluate(
        """() => [...document.querySelectorAll("main img")].map((img) => ({
            src: img.currentSrc || img.src, alt: img.alt, naturalWidth: img.naturalWidth,
        }))"""
    )


def test_the_catalogue_lists_the_sample_courses(page, synced_content):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Course catalogue")
    for title in [*ENGLISH_COURSES, *SWAHILI_COURSES]:
        expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    assert sorted(course_titles(page)) == sorted([*ENGLISH_COURSES, *SWAHILI_COURSES])
    expect(page.get_by_text("5 courses", exact=True)).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_the_language_filter_shows_the_swahili_courses_only(page, live_server, synced_content):
    page.goto("/")
    page.get_by_label("Language").select_option(label="Kiswahili")
    page.get_by_role("button", name="Filter courses").click()

    expect(page).to_have_url(re.compile(r"[?&]language=sw(&|$)"))
    expect(page.get_by_text("2 courses", exact=True)).to_be_visible()
    assert sorted(course_titles(page)) == sorted(SWAHILI_COURSES)
    expect(page.get_by_label("Language")).to_have_value("sw")
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Show all courses").click()
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_text("5 courses", exact=True)).to_be_visible()


def test_the_competency_filter_finds_the_courses_that_teach_it(page, synced_content):
    page.goto("/")
    competency = page.get_by_label("Competency")
    options = competency.locator("option").all_inner_texts()
    assert "QS2 Patient safety and risk management" in options, options
    competency.select_option(label="QS2 Patient safety and risk management")
    page.get_by_role("button", name="Filter courses").click()

    expect(page).to_have_url(re.compile(r"[?&]competency=QS2(&|$)"))
    assert course_titles(page) == ["Quality Improvement and Patient Safety"]
    assert_no_horizontal_scroll(page)


def test_the_catalogue_filters_are_labelled_for_screen_readers(page, synced_content):
    page.goto("/")
    problems = form_field_problems(page)
    assert not problems, "form fields badly labelled:\n" + "\n".join(problems)


def enrol(page, course_title: str) -> None:
    """From the catalogue, open a course and enrol in it (which opens its first module)."""
    page.goto("/")
    page.get_by_role("link", name=course_title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course_title)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_text(f"You are enrolled in {course_title}.")).to_be_visible()


def test_a_module_page_shows_its_content_images_and_knowledge_check(
    page, make_user, synced_content
):
    log_in(page, make_user().email)
    enrol(page, "Quality Improvement and Patient Safety")
    expect(page).to_have_url(re.compile(r"/courses/eaihm/quality-improvement/what-is-quality$"))
    expect(page.get_by_text("Module 1 of 4")).to_be_visible()

    title = "Improvement Cycles: The Model for Improvement, PDSA and Run Charts"
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/courses/eaihm/quality-improvement/improvement-cycles$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Module 2 of 4")).to_be_visible()
    expect(page.get_by_role("heading", name="The three questions")).to_be_visible()
    expect(page.locator(".content strong", has_text="Model for Improvement").first).to_be_visible()

    module = next(
        m for c in load_content(CONTENT).courses for m in c.modules if m.key == "improvement-cycles"
    )
    quiz = page.locator("section.quiz")
    expect(quiz.get_by_role("heading", name="Knowledge check")).to_be_visible()
    for question in module.quiz:
        expect(quiz.get_by_text(question["text"]).first).to_be_visible()
        for option in question["options"]:
            expect(quiz.get_by_label(option["text"], exact=True)).to_be_visible()
    expect(quiz.get_by_role("button", name="Submit answers")).to_be_visible()

    images = images_loaded(page)
    assert len(images) == 2, images
    for image in images:
        assert image["naturalWidth"] > 0, f"image did not load: {image}"
        assert "/courses/eaihm/quality-improvement/media/" in image["src"]
    assert_no_horizontal_scroll(page)


def test_every_sample_module_fits_a_phone_and_loads_its_images(page, make_user, synced_content):
    """Every module page of content/: no sideways scroll at 360 px, every image loads."""
    log_in(page, make_user().email)
    checked = 0
    for course in load_content(CONTENT).courses:
        enrol(page, course.title)
        for module in course.modules:
            response = page.goto(f"/courses/{course.institution}/{course.slug}/{module.key}")
            assert response is not None and response.status == 200, page.url
            expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
            if module.quiz:
                quiz = page.locator("section.quiz")
                expect(quiz.get_by_role("heading", name="Knowledge check")).to_be_visible()
                for question in module.quiz:
                    expect(quiz.get_by_text(question["text"]).first).to_be_visible()
            for image in images_loaded(page):
                assert image["naturalWidth"] > 0, f"{page.url}: image did not load: {image}"
            assert_no_horizontal_scroll(page)
            checked += 1
    assert checked == 17


def test_a_member_switches_to_the_swahili_edition_of_a_module_on_a_phone(
    page, make_user, synced_content
):
    """The switch link sits in the module header, in the target edition's language (lang)."""
    log_in(page, make_user().email)
    enrol(page, "Quality Improvement and Patient Safety")
    expect(page).to_have_url(re.compile(r"/courses/eaihm/quality-improvement/what-is-quality$"))

    switch = page.locator(".module-header .edition-switch a")
    expect(switch).to_be_visible()
    expect(switch).to_have_attribute("lang", "sw")
    assert_no_horizontal_scroll(page)
    switch.click()

    expect(page).to_have_url(re.compile(r"/courses/eaihm/ubora-wa-huduma/what-is-quality$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ubora wa Huduma ni Nini?")
    back = page.locator(".module-header .edition-switch a")
    expect(back).to_have_text("Read the English edition")
    expect(back).to_have_attribute("lang", "en")
    assert_no_horizontal_scroll(page)
