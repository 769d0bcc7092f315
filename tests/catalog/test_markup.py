"""The Markdown pipeline (wired4ex/markup.py): what authors may write, and what never gets out."""

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import DATA
from wired4ex.catalog.quiz import parse_quiz
from wired4ex.catalog.sources import read_markdown
from wired4ex.markup import render_markdown, sanitize

XSS_DIR = DATA / "xss"
FORBIDDEN_ELEMENTS = {"script", "iframe", "object", "embed", "form", "style", "svg", "math"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster",
                  "srcset", "data", "codebase", "cite", "longdesc", "dynsrc", "lowsrc"}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")


class Elements(HTMLParser):
    """Every start tag of an HTML fragment with its attributes, as a browser would see them."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def text_of(self, tag: str) -> list[dict[str, str | None]]:
        return [dict(attrs) for name, attrs in self.tags if name == tag]


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in an attribute value that HTMLParser has already
    unescaped once (as a browser does), once whitespace and control characters are dropped."""
    cleaned = INVISIBLE.sub("", value).lower()
    match = SCHEME.match(cleaned)
    return match.group(1) if match else None


def dangers(markup: str) -> list[str]:
    """What in this HTML could run script, restyle the page or load a forbidden URL."""
    found = []
    for tag, attrs in Elements(markup).tags:
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{name} attribute on <{tag}>")
            if name == "style":
                found.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    found.append(f"{name}={value!r} on <{tag}>")
    return found


def xss_lines() -> list[tuple[str, str]]:
    return [
        (f"{path.name}:{number}", line)
        for path in sorted(XSS_DIR.glob("*.txt"))
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
        if line.strip()
    ]


XSS_LINES = xss_lines()


def test_the_xss_corpus_is_there():
    assert len(XSS_LINES) > 700, f"expected the XSS payload files in {XSS_DIR}"


def test_the_checker_catches_what_it_is_meant_to():
    """The detector itself: unsafe HTML must be flagged, or the corpus test proves nothing."""
    assert dangers("<p><script>alert(1)</script></p>") == ["<script> element"]
    assert dangers('<img src="x" onerror="alert(1)">') == ["onerror attribute on <img>"]
    assert dangers('<a href="&#x6A;ava&#09;script:alert(1)">x</a>')
    assert dangers('<a href=" JaVaScRiPt:alert(1)">x</a>')
    assert dangers('<img src="data:image/svg+xml;base64,PHN2Zz4=">')
    assert dangers('<p style="color:red">x</p>') == ["style attribute on <p>"]
    assert dangers('<a href="/courses/x">x</a><a href="https://who.int">y</a>') == []
    assert dangers("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []


@pytest.mark.parametrize(("where", "payload"), XSS_LINES, ids=[w for w, _ in XSS_LINES])
def test_no_payload_survives_rendering(where, payload):
    sources = {
        "as-is": payload,
        "in a paragraph": f"Before the payload\n{payload}\nafter it.\n\nA second paragraph.",
        "in a list": f"- first\n- {payload}\n",
        "as a heading": f"## {payload}\n\nText.",
        "as a link": f"[read more]({payload})",
        "as an image": f"![chart]({payload})",
    }
    problems = []
    for context, source in sources.items():
        rendered = render_markdown(source)
        for danger in dangers(rendered.html) + dangers(rendered.toc_html):
            problems.append(f"{context}: {danger}")
    assert problems == []


def test_sanitize_drops_unknown_tags_and_authors_attributes_and_keeps_the_allowlist():
    cleaned = sanitize(
        '<p class="lead" style="color:red" id="x" onclick="x()">Hi <script>alert(1)</script>'
        '<a href="https://who.int" class="button" rel="opener" onmouseover="x()">WHO</a></p>'
    )
    elements = Elements(cleaned)
    assert [tag for tag, _ in elements.tags] == ["p", "a", "span"]
    assert elements.text_of("p") == [{}]
    assert elements.text_of("a") == [
        {"href": "https://who.int", "rel": "noopener noreferrer nofollow"}
    ]
    assert "<script" not in cleaned and "&lt;script" not in cleaned
    assert "(external site)" in cleaned


def test_raw_html_in_markdown_is_dropped_and_its_text_kept():
    rendered = render_markdown('Click <b onclick="steal()">here</b>.\n\n<iframe src="//evil">')
    assert [tag for tag, _ in Elements(rendered.html).tags] == ["p"]
    assert "Click here." in rendered.html
    assert "iframe" not in rendered.html and "onclick" not in rendered.html


def test_tables_render_with_alignment():
    rendered = render_markdown(
        "| Item | Cost |\n|:---|---:|\n| Drugs | 100 |\n| Transport | 40 |\n"
    )
    elements = Elements(rendered.html)
    tags = [tag for tag, _ in elements.tags]
    # In a box of its own that scrolls sideways on a phone and takes keyboard focus.
    assert tags[:4] == ["div", "table", "thead", "tr"]
    assert rendered.html.startswith('<div class="table-scroll" tabindex="0"><table>')
    assert rendered.html.rstrip().endswith("</table></div>")
    assert tags.count("tr") == 3
    assert elements.text_of("th") == [{"align": "left"}, {"align": "right"}]
    assert '<td align="left">Transport</td>' in rendered.html


def test_footnotes_link_both_ways():
    rendered = render_markdown("Quality has dimensions.[^who]\n\n[^who]: WHO, 2018.\n")
    anchors = Elements(rendered.html).text_of("a")
    assert {"class": "footnote-ref", "href": "#fn:who"} in anchors
    assert any(a.get("href") == "#fnref:who" for a in anchors)
    assert '<li id="fn:who">' in rendered.html
    assert "WHO, 2018." in rendered.html


def test_headings_get_anchors_and_a_table_of_contents():
    rendered = render_markdown(
        "## Why budgets matter\n\nText.\n\n### Cost lines\n\nMore.\n\n## Budgets & audit\n"
    )
    assert '<h2 id="why-budgets-matter">Why budgets matter</h2>' in rendered.html
    assert '<h3 id="cost-lines">Cost lines</h3>' in rendered.html
    toc_links = [a["href"] for a in Elements(rendered.toc_html).text_of("a")]
    assert toc_links == ["#why-budgets-matter", "#cost-lines", "#budgets-audit"]
    assert 'id="budgets-audit"' in rendered.html


def test_a_page_without_headings_has_no_table_of_contents():
    assert render_markdown("Just a paragraph.").toc_html == ""


def test_admonitions_render_as_titled_boxes():
    rendered = render_markdown('!!! warning "Check the totals"\n    Totals must match.\n')
    elements = Elements(rendered.html)
    assert {"class": "admonition warning"} in elements.text_of("div")
    assert '<p class="admonition-title">Check the totals</p>' in rendered.html
    assert "<p>Totals must match.</p>" in rendered.html


def test_fenced_code_is_escaped_and_kept_verbatim():
    rendered = render_markdown('```python\nprint("<b>hi</b>")\n```\n')
    assert '<pre><code class="language-python">' in rendered.html
    assert 'print("&lt;b&gt;hi&lt;/b&gt;")' in rendered.html
    assert "b" not in [tag for tag, _ in Elements(rendered.html).tags]


def test_images_keep_alt_title_and_relative_src():
    rendered = render_markdown('![The budget cycle](media/cycle.png "Budget cycle")')
    assert Elements(rendered.html).text_of("img") == [
        {"alt": "The budget cycle", "src": "media/cycle.png", "title": "Budget cycle"}
    ]
    assert rendered.links == [("image", "media/cycle.png")]


def test_external_links_are_marked_and_module_links_resolved():
    def resolve(url, kind):
        return "costs#lines" if url == "02-costs.md#lines" else None

    rendered = render_markdown(
        "See [costs](02-costs.md#lines), [WHO](https://www.who.int) "
        "and [write](mailto:info@hesma.example).",
        resolve,
    )
    assert Elements(rendered.html).text_of("a") == [
        {"href": "costs#lines"},
        {"href": "https://www.who.int", "rel": "noopener noreferrer nofollow"},
        {"href": "mailto:info@hesma.example"},
    ]
    assert ("link", "02-costs.md#lines") in rendered.links


QUIZ_MODULE = """---
title: Budgets
---

## Budgets

Text before the quiz.

```quiz
? What does a budget turn a plan into?
- [x] Money for each activity
- [ ] A duty roster
> A budget is a plan expressed in money.

? Which are budget documents? (choose all that apply)
- [x] The annual work plan budget
- [X] The procurement plan
- [ ] The staff duty roster
```

Text after the quiz.
"""


def test_quiz_block_is_taken_out_of_the_body_and_parsed():
    parsed = read_markdown(QUIZ_MODULE)

    html = render_markdown(parsed.body).html
    assert "Text before the quiz." in html
    assert "Text after the quiz." in html
    assert "duty roster" not in html
    assert "[x]" not in html
    assert parsed.quiz_line == 10
    assert parsed.body.count("\n") == QUIZ_MODULE.split("---", 2)[2].count("\n") - 1

    questions, problems = parse_quiz(parsed.quiz_lines, parsed.quiz_line)
    assert problems == []
    assert questions == [
        {
            "id": "q1",
            "type": "choice",
            "text": "What does a budget turn a plan into?",
            "multiple": False,
            "explanation": "A budget is a plan expressed in money.",
            "options": [
                {"id": "q1a", "text": "Money for each activity", "correct": True},
                {"id": "q1b", "text": "A duty roster", "correct": False},
            ],
        },
        {
            "id": "q2",
            "type": "choice",
            "text": "Which are budget documents? (choose all that apply)",
            "multiple": True,
            "explanation": "",
            "options": [
                {"id": "q2a", "text": "The annual work plan budget", "correct": True},
                {"id": "q2b", "text": "The procurement plan", "correct": True},
                {"id": "q2c", "text": "The staff duty roster", "correct": False},
            ],
        },
    ]


def test_a_code_block_that_is_not_a_quiz_stays_in_the_body():
    parsed = read_markdown("---\ntitle: T\n---\n\n```\n? not a question\n```\n")
    assert parsed.quiz_lines is None
    assert "? not a question" in render_markdown(parsed.body).html
