"""Random Markdown built from the constructs real lessons use (issue 20) goes through the
checker and the renderer: no exception escapes, every problem has a line in the file, and
the rendered HTML holds nothing a sanitised page may not."""

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.catalog.conftest import (
    CERTIFICATIONS,
    COSTS,
    COURSE,
    COURSE_MD,
    GIF,
    INSTITUTION,
    INTRO,
    PNG,
    ContentFolder,
)
from tests.catalog.test_markup import dangers
from tests.conftest import ROOT
from wired4ex.markup import MarkupError, render_markdown

PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=False,
)
CONSTRUCTS = [
    "```rust,ignore\nfn main() {}\n```", '``` yaml title="x.yml"\na: 1\n```', "```\nopen fence",
    "1. step\n\n   ```bash\n   sudo apt update\n   ```\n2. next", "- a\n  - b\n    - c",
    "1. one\n   - nested\n3. three", '<div class="lesson-note">\n\n## Note\n\n[x](02-costs.md)\n\n</div>',
    "<div markdown>\n*em*\n</div>", "<details><summary>More</summary>\n\nText\n\n</details>",
    "<kbd>Ctrl</kbd>", "<figure><img src=\"media/cycle.png\"><figcaption>c</figcaption></figure>",
    '<img src="https://evil.example/t.png">', "<img src=img/x.svg>", "- [ ] task\n- [x] done",
    "~~strike~~", "https://who.int/a_very/long/url", "> ```\n> # code\n> ```", "!!! note\n    Text",
    '=== "Tab"\n    Content', "{ .md-button }", "Term\n:   Definition", "| a | b |\n|---|---|\n| 1 | 2 |",
    '<a class="button" rel="x" href="https://evil.example">Login</a>', "[^1]\n\n[^1]: Note",
    "<small>s</small><sub>2</sub><sup>3</sup><mark>m</mark><abbr title=t>A</abbr>", "<unknown>x</unknown>",
    "\n", "\n\n", "    indented", "\t- tab", "*", "_", "`", "<", "[", "](", ">",
    "Title\nover lines\n===", "---", "- a\n+ b\n1) c\n2. d", "-\n-   \n*", "> a\n\n> b\n>\nlazy",
    "[a](<b c> 'title')", "[ref]: /url\n===", "![alt *em*][ref]", "<foo.bar> <m:abc> <a:b>",
    "````\n```\n``````", "   ```\n  x\n ```", "# \\#\n##", "14. not a list", "`` a ` b ``",
]  # fmt: skip
markdown_from_constructs = st.lists(
    st.one_of(st.sampled_from(CONSTRUCTS), st.text(max_size=20)), max_size=15
).map("\n".join)
FRONT = '---\ntitle: "Random"\nminutes: 5\n---\n'


@PROFILE
@given(markdown_from_constructs)
def test_check_and_render_of_random_lesson_markdown_raise_nothing(body):
    with tempfile.TemporaryDirectory(prefix="w4x-props-") as temp:
        folder = ContentFolder(Path(temp) / "content")
        _write_base(folder)
        folder.write(f"{COURSE}/03-review.md", FRONT + body)
        last_line = (FRONT + body).count("\n") + 1
        for path, line, message in folder.problems():
            assert path == f"{COURSE}/03-review.md", (path, line, message)
            assert 1 <= line <= last_line, (path, line, message)
            assert message
    try:
        rendered = render_markdown(body)
    except MarkupError as error:
        assert error.line >= 1
        return
    assert dangers(rendered.html) == []


def _write_base(folder: ContentFolder) -> None:

    shutil.copytree(ROOT / "content" / "policy", folder.path("policy"))
    folder.write("policy/certifications.yml", CERTIFICATIONS)
    folder.write("institutions/acme/institution.yml", INSTITUTION)
    folder.write(f"{COURSE}/course.md", COURSE_MD)
    folder.write(f"{COURSE}/01-intro.md", INTRO)
    folder.write(f"{COURSE}/02-costs.md", COSTS)
    folder.write(f"{COURSE}/media/cycle.png", PNG)
    folder.write(f"{COURSE}/media/bar.gif", GIF)
