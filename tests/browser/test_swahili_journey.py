"""A health manager who reads Kiswahili, on a phone: switches the site to Kiswahili from the header
(no JavaScript needed), registers, takes the Kiswahili course through its knowledge checks, and
finds her CPD points and dates in Kiswahili. On every page she sees, no sentence of the English
interface is left."""

import re
from functools import cache

import sqlalchemy as sa
from babel.dates import format_date
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    confirm_by_mail,
    main_nav,
    read_long_enough,
)
from tests.conftest import ROOT
from wired4ex.catalog.models import Course, Institution, Module
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

NAME = "Mwanaisha Salim"
EMAIL = "mwanaisha.salim@example.org"
PASSWORD = "zanzibar-afya-bora-2026"
INSTITUTION, COURSE = "eaihm", "takwimu-kwa-maamuzi"
COURSE_URL = f"/courses/{INSTITUTION}/{COURSE}/"
CATALOGUE = ROOT / "wired4ex" / "translations" / "sw" / "LC_MESSAGES" / "messages.po"


@cache
def catalogue():
    with CATALOGUE.open("rb") as po:
        return read_po(po)


def sw(english: str, **values) -> str:
    """The Swahili of an interface string, as the catalogue has it (it must be translated)."""
    entry = catalogue().get(english)
    assert entry is not None and entry.string, f"not translated: {english!r}"
    text = entry.string if isinstance(entry.string, str) else entry.string[0]
    assert text != english
    return text % values if values else text


@cache
def english_sentences() -> list[str]:
    """Interface sentences whose Swahili differs: any of them on a Swahili page is a leftover."""
    found = []
    for message in catalogue():
        if not message.id or isinstance(message.id, tuple) or message.string == message.id:
            continue
        # The fixed words between placeholders: "You scored %(score)d%" gives "You scored".
        for piece in re.split(r"%\(\w+\)[sd]%?|%[sd]|\{\w*\}", message.id):
            piece = piece.strip(" .,:;()·")
            if len(piece.split()) >= 3:
                found.append(piece)
    return sorted(set(found), key=len, reverse=True)


def assert_all_swahili(page) -> None:
    """No English interface sentence in the page's visible text (course text, and text marked as
    another language, aside)."""
    page.wait_for_load_state("load")
    text = page.evaluate(
        """() => {
            const copy = document.body.cloneNode(true);
            // Course text, and links marked as being in another language ("Read the English
            // edition" names the English edition in English, with lang="en").
            copy.querySelectorAll(".content, .quiz-results .explanation, [lang]:not([lang=sw])")
                .forEach((el) => el.remove());
            return copy.innerText;
        }"""
    )
    leftovers = [sentence for sentence in english_sentences() if sentence in text]
    assert not leftovers, f"{page.url} shows English: {leftovers[:5]}"
    assert page.locator("html").get_attribute("lang") == "sw"


def stored_quizzes() -> list[tuple[str, list[dict]]]:
    course = db.session.scalars(
        sa.select(Course)
        .join(Institution)
        .where(Institution.slug == INSTITUTION, Course.slug == COURSE)
    ).one()
    modules = [
        (module.current_version.title, module.current_version.quiz or [])
        for module in db.session.scalars(
            sa.select(Module)
            .where(Module.course_id == course.id, Module.status == "active")
            .order_by(Module.position)
        )
    ]
    db.session.rollback()
    return modules


def answer_right(page, quiz: list[dict]) -> None:
    for question in quiz:
        group = page.locator("section.quiz form fieldset").filter(
            has=page.locator("legend", has_text=question["text"])
        )
        for option in question["options"]:
            if option["correct"]:
                group.get_by_label(option["text"], exact=True).check()
    page.get_by_role("button", name=sw("Submit answers")).click()


def test_a_member_takes_a_course_entirely_in_kiswahili(page, live_server, synced_content, outbox):
    modules = stored_quizzes()
    assert modules

    # An English page first; the header switch names the other language in that language.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    expect(page.get_by_role("heading", level=1)).to_have_text(sw("Course catalogue"))
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert_all_swahili(page)
    assert_no_horizontal_scroll(page)

    # Register, with every field found by its Swahili label.
    main_nav(page).get_by_role("link", name=sw("Register")).click()
    assert_all_swahili(page)
    page.get_by_label(sw("Full name (as it should appear on certificates)")).fill(NAME)
    page.get_by_label(sw("Email address")).fill(EMAIL)
    page.get_by_label(sw("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(sw("Repeat password")).fill("a-different-password-2026")
    page.get_by_label(sw("Country")).select_option("TZ")
    page.get_by_role("button", name=sw("Create account")).click()
    # A mistake is explained in Kiswahili too, and nothing typed is lost.
    expect(page.get_by_label(sw("Full name (as it should appear on certificates)"))).to_have_value(
        NAME
    )
    assert_all_swahili(page)
    page.get_by_label(sw("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(sw("Repeat password")).fill(PASSWORD)
    page.get_by_role("button", name=sw("Create account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(sw("Check your e-mail"))
    assert_all_swahili(page)
    # The confirmation mail is in Kiswahili; its link confirms, then the member logs in.
    (mail,) = outbox.messages()
    assert mail["Subject"] == sw("Confirm your e-mail address for Wired4EX")
    confirm_by_mail(page, outbox, EMAIL)
    expect(page.get_by_role("status").first).to_contain_text(
        sw("Thank you: your e-mail address is confirmed.")
    )
    page.get_by_label(sw("Email address")).fill(EMAIL)
    page.get_by_label(sw("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=sw("Log in")).click()
    expect(main_nav(page).get_by_role("button", name=sw("Log out"))).to_be_visible()
    assert_all_swahili(page)
    page.get_by_role("navigation", name=sw("Main")).get_by_role("link", name=sw("Courses")).click()

    # The catalogue filtered to Kiswahili courses, then the course.
    page.get_by_label(sw("Language")).select_option("sw")
    page.get_by_role("button", name=sw("Filter courses")).click()
    page.locator(f'a[href="{COURSE_URL}"]').first.click()
    expect(page).to_have_url(live_server + COURSE_URL)
    assert_all_swahili(page)
    page.get_by_role("button", name=sw("Enrol in this course")).click()

    for title, quiz in modules:
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        assert_all_swahili(page)
        assert_no_horizontal_scroll(page)
        if quiz:
            answer_right(page, quiz)
            expect(page.locator("#quiz-results")).to_be_visible()
            assert_all_swahili(page)
        else:
            read_long_enough(EMAIL)  # the module's reading time, as if the member had read it
            page.get_by_role("button", name=sw("Mark this module as done")).click()
            continue
        pager = page.get_by_role("navigation", name=sw("Modules"))
        nexts = pager.get_by_role("link", name=re.compile("→"))
        if nexts.count():
            nexts.first.click()
        else:
            pager.get_by_role("link", name=sw("Back to the course")).click()

    # Her CPD: the course's points, today's date written the Swahili way.
    main_nav(page).get_by_role("link", name=sw("My CPD")).click()
    assert_all_swahili(page)
    today = format_date(local_today(), "long", locale="sw")
    expect(page.locator("main")).to_contain_text(today)
    assert re.search(
        r"(Januari|Februari|Machi|Aprili|Mei|Juni|Julai|Agosti|Septemba|Oktoba|Novemba|Desemba)",
        today,
    )

    # Her profile remembers the language.
    main_nav(page).get_by_role("link", name=sw("Profile")).click()
    expect(page.get_by_label(sw("Language"))).to_have_value("sw")
    assert_all_swahili(page)
