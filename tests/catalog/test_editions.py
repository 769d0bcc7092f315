"""Language editions: `edition_of` in course.md, checked with file and line, stored by the sync."""

import pytest
import sqlalchemy as sa

from tests.catalog.conftest import COURSE, COURSE_MD, lines
from wired4ex.catalog.content import load_content
from wired4ex.catalog.models import Course
from wired4ex.catalog.sync import ContentInvalid, sync_content
from wired4ex.extensions import db

EDITION = "institutions/acme/misingi"
EDITION_MD = lines(
    "---",
    'title: "Misingi ya Bajeti"',
    'summary: "Jinsi bajeti ya kituo inavyoandaliwa na kufuatwa."',
    "language: sw",
    "edition_of: acme/basics",
    "---",
    "",
    "Wafawidhi wa vituo.",
)
# The same module as 01-intro.md of acme/basics (same id, same points), in Swahili.
INTRO_SW = lines(
    "---",
    'title: "Kwa Nini Bajeti ni Muhimu"',
    "id: intro",
    "minutes: 30",
    "cpd_points: 1.5",
    "---",
    "",
    "Bajeti hugeuza mpango kuwa fedha.",
)


def course_md(*front: str) -> str:
    return lines(
        "---", 'title: "Misingi"', 'summary: "Muhtasari."', *front, "---", "", "Maandishi."
    )


@pytest.fixture
def editions(make_content):
    folder = make_content()
    folder.write(f"{EDITION}/course.md", EDITION_MD)
    folder.write(f"{EDITION}/01-utangulizi.md", INTRO_SW)
    return folder


def test_two_linked_editions_are_valid(editions):
    tree = editions.load()

    assert [str(p) for p in tree.problems] == []
    edition = next(course for course in tree.courses if course.key == "acme/misingi")
    assert edition.edition_of == "acme/basics"
    assert edition.language == "sw"


@pytest.mark.parametrize(
    ("front", "message"),
    [
        (("language: sw", "edition_of: acme/nothing"), "edition_of: unknown course 'acme/nothing'"),
        (("language: sw", "edition_of: acme/misingi"), "a course cannot be an edition of itself"),
        (("language: en", "edition_of: acme/basics"), "is in the same language (en)"),
        (("language: sw", "edition_of: [acme/basics]"), "edition_of must be one course id"),
        (("language: sw", "edition_of: basics"), "edition_of must be one course id"),
    ],
    ids=["unknown course", "itself", "same language", "a list", "not a course id"],
)
def test_bad_links_are_reported_at_their_line(editions, front, message):
    editions.write(f"{EDITION}/course.md", course_md(*front))

    problems = editions.problems()

    assert len(problems) == 1, problems
    path, line, text = problems[0]
    assert (path, line) == (f"{EDITION}/course.md", 5)
    assert message in text


def test_a_chain_of_editions_is_refused(editions):
    # basics -> misingi -> basics: each side must not be an edition itself.
    editions.write(
        f"{COURSE}/course.md",
        COURSE_MD.replace("language: en", "language: en\nedition_of: acme/misingi"),
    )

    problems = editions.problems()

    assert {(path, line) for path, line, _ in problems} == {
        (f"{COURSE}/course.md", 5),
        (f"{EDITION}/course.md", 5),
    }
    assert all("is itself an edition of" in text for _, _, text in problems)


def test_a_third_edition_of_the_same_course_is_refused(editions):
    editions.write(
        "institutions/acme/msingi-mwingine/course.md",
        course_md("language: sw", "edition_of: acme/basics"),
    )
    editions.write("institutions/acme/msingi-mwingine/01-utangulizi.md", INTRO_SW)

    problems = editions.problems()

    assert len(problems) == 1, problems
    assert problems[0][:2] == ("institutions/acme/msingi-mwingine/course.md", 5)
    assert "already has another edition (acme/misingi)" in problems[0][2]


def test_paired_modules_must_give_the_same_points(editions):
    editions.write(
        f"{EDITION}/01-utangulizi.md", INTRO_SW.replace("cpd_points: 1.5", "cpd_points: 2")
    )

    problems = editions.problems()

    assert len(problems) == 1, problems
    path, line, text = problems[0]
    assert (path, line) == (f"{EDITION}/01-utangulizi.md", 3)  # the id line
    assert "paired with" in text and "same CPD points and category (1.5, structured)" in text


def test_editions_without_a_shared_module_id_are_refused(editions):
    editions.write(f"{EDITION}/01-utangulizi.md", INTRO_SW.replace("id: intro", "id: utangulizi"))

    problems = editions.problems()

    assert [(path, line) for path, line, _ in problems] == [(f"{EDITION}/course.md", 5)]
    assert "give the same module the same id in both editions" in problems[0][2]


def test_an_edition_may_have_fewer_modules_than_the_original(editions):
    tree = editions.load()

    assert tree.problems == []
    sizes = {course.key: len(course.modules) for course in tree.courses}
    assert sizes == {"acme/basics": 3, "acme/misingi": 1}


def course(slug: str) -> Course:
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def test_the_sync_stores_the_link_both_ways(app, editions):
    sync_content(editions.load())
    db.session.remove()

    english, swahili = course("basics"), course("misingi")
    assert swahili.edition_of_id == english.id and english.edition_of_id is None
    assert english.other_edition == swahili and swahili.other_edition == english

    # A second sync changes nothing; removing the key removes the link.
    assert not sync_content(editions.load()).changed
    editions.write(f"{EDITION}/course.md", EDITION_MD.replace("edition_of: acme/basics\n", ""))
    sync_content(editions.load())
    db.session.remove()
    assert course("misingi").edition_of_id is None
    assert course("basics").other_edition is None


def test_syncing_one_course_folder_links_to_a_course_already_imported(app, editions):
    sync_content(editions.load())
    db.session.remove()
    known = {"acme/basics", "acme/misingi"}

    tree = load_content(editions.path(EDITION), known_course_keys=known)
    assert tree.problems == []
    sync_content(tree)
    db.session.remove()

    assert course("misingi").edition_of_id == course("basics").id


def test_the_sync_refuses_a_link_to_an_imported_course_in_the_same_language(app, editions):
    sync_content(editions.load())
    db.session.remove()
    other = "institutions/acme/nyingine"
    editions.write(f"{other}/course.md", course_md("language: sw", "edition_of: acme/misingi"))
    editions.write(f"{other}/01-utangulizi.md", INTRO_SW)

    # Checked alone, the folder cannot see the other course's language: the sync refuses it.
    tree = load_content(editions.path(other), known_course_keys={"acme/basics", "acme/misingi"})
    assert tree.problems == []
    with pytest.raises(ContentInvalid, match="same language"):
        sync_content(tree)
    db.session.remove()
    assert course("nyingine") is None
