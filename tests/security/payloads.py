"""The public XSS payload lists (tests/data/xss/*.txt, one a line) and the checks every
security test applies to a page that shows a stored or typed value back.

A value is "shown back escaped" when its HTML-escaped form (what Jinja and WTForms write for
text and attribute values) is in the page; the page is "defused" when the HTML parser finds no
on* attribute, no script other than /static, no active element and no URL with a scheme other
than http, https, mailto or relative (the inspector of tests/authoring/test_authoring_xss.py).
"""

import csv
import io
import re
import subprocess
from decimal import Decimal, InvalidOperation

from markupsafe import escape

from tests.authoring.test_authoring_xss import problems_in
from tests.conftest import DATA
from tests.documents import require

XSS_DIR = DATA / "xss"
SVG_DIR = DATA / "svg"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_payloads() -> list[tuple[str, str]]:
    """Every payload as (file:line, text), in file order."""
    assert XSS_DIR.is_dir(), f"the XSS payload lists are missing: {XSS_DIR}"
    found = []
    for path in sorted(XSS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                found.append((f"{path.name}:{number}", line))
    assert len(found) > 700, f"expected the full payload lists in {XSS_DIR}, got {len(found)}"
    return found


ALL = [payload for _, payload in read_payloads()]


def sample(per_file: int, max_length: int = 10_000, printable: bool = True) -> list[str]:
    """A representative subset: `per_file` payloads spread evenly over each list, stripped (the
    forms strip what members type), no longer than `max_length`, and all of them dangerous-looking
    (holding "<", a quote or a colon)."""
    by_file: dict[str, list[str]] = {}
    for where, payload in read_payloads():
        value = payload.strip()
        if not value or len(value) > max_length or not re.search(r"[<\"':]", value):
            continue
        if printable and not value.isprintable():
            continue
        by_file.setdefault(where.split(":")[0], []).append(value)
    chosen = []
    for values in by_file.values():
        step = max(1, len(values) // per_file)
        chosen += values[::step][:per_file]
    return list(dict.fromkeys(chosen))


def page_problems(html: str, *values: str) -> list[str]:
    """What is wrong with a page that should show `values` as text: a value not shown escaped,
    or anything in the page that could run script."""
    found = problems_in(html, containers=0)
    for value in values:
        if str(escape(value)) not in html:
            found.append(f"not shown escaped: {value!r}")
    return found


def report(failures: dict[str, list[str]]) -> str:
    failures = {where: found for where, found in failures.items() if found}
    return "\n".join(
        f"{where}:\n  " + "\n  ".join(found[:10])
        + (f"\n  ... {len(found) - 10} more" if len(found) > 10 else "")
        for where, found in failures.items()
    )  # fmt: skip


def flat(text: str) -> str:
    """Text without any whitespace: PDF lines wrap long values wherever they like."""
    return re.sub(r"\s+", "", text)


def pdf_raw_text(data: bytes, tmp_path) -> str:
    """The text of a PDF in the order it was drawn (pdftotext -raw): table cells stay whole,
    where -layout interleaves the lines of neighbouring columns."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [require("pdftotext"), "-raw", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def formula_cells(data: bytes | str) -> list[str]:
    """The cells of a CSV that a spreadsheet would run as a formula (numbers are fine)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
        if cell[:1] in FORMULA_STARTS and not is_number(cell)
    ]


def csv_cells(data: bytes | str) -> list[str]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


WORD_BOX = re.compile(
    r'<word xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">([^<]*)</word>'
)
PAGE_BOX = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def words_off_the_page(data: bytes, tmp_path, margin: float = 0) -> list[str]:
    """Words of a PDF drawn (partly) outside the page, or within `margin` points of its edge:
    text a reader cannot see, though pdftotext would still return it."""
    path = tmp_path / "boxes.pdf"
    path.write_bytes(data)
    boxes = subprocess.run(
        [require("pdftotext"), "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    outside = []
    for page in boxes.split("</page>"):
        size = PAGE_BOX.search(page)
        if not size:
            continue
        width, height = float(size.group(1)), float(size.group(2))
        for x0, y0, x1, y1, word in WORD_BOX.findall(page):
            if (
                float(x0) < margin or float(y0) < margin
                or float(x1) > width - margin or float(y1) > height - margin
            ):  # fmt: skip
                outside.append(word)
    return outside
