"""The association's own pages (help, contact, privacy, terms) from content/pages/*.md, through
the one Markdown pipeline, in the reader's language; the footer links every one of them."""

import os

import pytest

from wired4ex.catalog.pages import PAGE_NAMES, load_page

TITLES = {
    "help": ("Help", "Msaada"),
    "contact": ("Contact", "Mawasiliano"),
    "privacy": ("Privacy", "Faragha"),
    "terms": ("Terms of use", "Masharti ya matumizi"),
}


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_each_page_is_written_in_both_languages_and_linked_from_the_footer(client, name):
    english, swahili = TITLES[name]
    page = client.get(f"/pages/{name}")
    assert page.status_code == 200
    assert f"<h1>{english}</h1>" in page.text
    assert f'href="/pages/{name}"' in client.get("/").text  # the footer, on every page
    page = client.get(f"/pages/{name}", headers={"Accept-Language": "sw"})
    assert f"<h1>{swahili}</h1>" in page.text
    assert '<article class="content page-text" lang="sw">' in page.text


def test_the_footer_links_verification_and_the_competency_framework(client):
    footer = client.get("/pages/help").text.split('<footer class="site-footer">')[1]
    assert 'href="/verify"' in footer and 'href="/competencies"' in footer


@pytest.mark.parametrize("path", ["/pages/nope", "/pages/..%2Fpolicy%2Fcpd", "/pages/help.md"])
def test_other_names_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_an_edited_page_shows_at_once_and_its_html_is_sanitised(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "help.md").write_text("# Help\n\nFirst text.\n", encoding="utf-8")
    first = load_page(folder, "help", "en")
    assert first.title == "Help" and "First text." in first.html
    (folder / "help.md").write_text(
        "# Help desk\n\nNew text <script>alert(1)</script> [x](javascript:alert(1))\n",
        encoding="utf-8",
    )
    os.utime(folder / "help.md", ns=(1, 10**18))  # a different modification time
    second = load_page(folder, "help", "en")
    assert second.title == "Help desk" and "New text" in second.html
    assert "<script" not in second.html and "javascript:" not in second.html


def test_a_language_without_its_own_file_falls_back_to_english(tmp_path):
    (tmp_path / "terms.md").write_text("# Terms\n\nText.\n", encoding="utf-8")
    page = load_page(tmp_path, "terms", "sw")
    assert page.title == "Terms" and page.language == "en"
    assert load_page(tmp_path, "privacy", "en") is None
