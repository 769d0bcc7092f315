"""Faculty's Markdown on a phone (issue 20, item 8): tables and code scroll inside their box,
words in tables do not break mid-word, long URLs wrap, and the page never scrolls sideways."""

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_horizontal_scroll, log_in
from tests.browser.test_catalogue import enrol
from tests.conftest import ROOT
from wired4ex.catalog.content import load_content
from wired4ex.catalog.sync import sync_content
from wired4ex.extensions import db

TITLE = "Reading Wide Tables"
MODULE = """---
title: "Wide things"
---

## A wide table

| Indicator | Numerator | Denominator | Frequency | Responsibility | Verification |
|---|---|---|---|---|---|
| Immunisation coverage | Vaccinated | Population | Quarterly | Subcounty | Registers |

## Long code

```bash
sudo apt-get install --yes --no-install-recommends a-very-long-package-name-indeed another-one
```

1. Step with code:

   ```text
   inside the list
   ```
2. The next step, see https://www.example.org/a/really/long/path/that/keeps/going/on/and/on/forever

- [x] Checked with <kbd>Ctrl</kbd>+<kbd>S</kbd>
"""


@pytest.fixture
def wide_course(app, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "policy", root / "policy")
    (root / "policy" / "certifications.yml").write_text("programmes: []\n")
    course = root / "institutions" / "acme" / "wide"
    course.mkdir(parents=True)
    (course.parent / "institution.yml").write_text(
        'name: "Acme School"\nshort_name: "ACME"\ncountry: "Kenya"\n'
    )
    (course / "course.md").write_text(f'---\ntitle: "{TITLE}"\nsummary: "Wide."\n---\n\nText.\n')
    (course / "01-wide.md").write_text(MODULE)
    tree = load_content(root)
    assert tree.problems == []
    sync_content(tree)
    db.session.remove()


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_wide_markdown_scrolls_in_its_box_and_the_page_does_not(
    page, make_user, wide_course, width, tmp_path
):
    log_in(page, make_user().email)
    enrol(page, TITLE)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/courses/acme/wide/wide")
    expect(page.get_by_role("heading", name="A wide table")).to_be_visible()
    assert_no_horizontal_scroll(page, width)
    page.screenshot(path=str(tmp_path / f"markdown-{width}.png"), full_page=True)
    boxes = page.evaluate(
        """() => {
          const table = document.querySelector('.content table');
          const box = table.closest('.table-scroll') || table;  // what scrolls sideways
          return {
            table: [box.scrollWidth, box.clientWidth],
            pre: [document.querySelector('.content pre').scrollWidth,
                  document.querySelector('.content pre').clientWidth],
            cellWrap: getComputedStyle(document.querySelector('.content td')).overflowWrap,
            urlRight: [...document.querySelectorAll('.content a')].at(-1).getBoundingClientRect().right,
        };
        }"""
    )
    assert boxes["cellWrap"] == "normal"  # words in a table are never broken mid-word
    assert boxes["urlRight"] <= width  # the long URL wraps
    if width == 360:
        assert boxes["table"][0] > boxes["table"][1]  # the table scrolls inside its box
        assert boxes["pre"][0] > boxes["pre"][1]  # so does the code
    expect(page.locator(".content .external-link").first).to_have_text(" (external site)")
    expect(page.locator(".content kbd").first).to_have_text("Ctrl")
