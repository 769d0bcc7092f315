"""Staff pages never show what a programmer would (issue 16): no `None`, no `author_id: 2`, no
`module_version 19`, no raw YAML or JSON, no field names with underscores. Every faculty and admin
page of the screenshot book (bench/journeys.py) is fetched in both languages and its visible
text checked."""

import html
import re

import pytest

from bench import journeys
from tests.browser.test_design import book  # noqa: F401  (the screenshot book's pages)
from tests.conftest import submit

RAW = [
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\b[a-z]+_id\b"), "an id field"),
    (re.compile(r"\b(module_version|audit_sample|ledger_entry|event_session)\b"), "a table name"),
    (re.compile(r"\b[a-z]+_[a-z_]+: "), "a raw field: value"),
    (re.compile(r"@@ -\d"), "a raw diff header"),
    (re.compile(r"\{'|\['"), "a Python list or dict"),
]


def visible_text(page: str) -> str:
    """The text a person reads: without scripts, styles, tags and attribute values."""
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("language", ["en", "sw"])
def test_staff_pages_show_names_and_words_not_ids(app, book, language):  # noqa: F811
    journeys.set_language(language)
    problems = []
    for role in ("faculty", "admin"):
        account = journeys.ACCOUNTS[role]
        client = app.test_client()
        login = {"email": account.email, "password": account.password}
        assert submit(client, "/login", login).status_code == 302
        for shot in (s for s in book if s.role == role):
            response = client.get(shot.path, follow_redirects=True)
            assert response.status_code == 200, f"{shot.path}: {response.status_code}"
            text = visible_text(response.get_data(as_text=True))
            for pattern, what in RAW:
                for found in pattern.finditer(text):
                    context = text[max(found.start() - 40, 0) : found.end() + 40]
                    problems.append(f"{role} {shot.name} ({shot.path}): {what}: {context!r}")
    assert not problems, "\n".join(problems)
