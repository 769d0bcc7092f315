"""Reading an uploaded CSV file the way spreadsheets write them, for the membership imports.

One reader for the register and the renewals: UTF-8 with or without the byte-order mark Excel
adds, commas or the semicolons Excel writes in some regional settings, quoted cells over several
lines, CRLF or LF endings, blank rows and the empty trailing columns a spreadsheet leaves behind.
Everything it cannot read becomes a message naming the line (or the file), never an exception.
Each row keeps the line number a person sees in a text editor (the line the record starts on).
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

# A register of a few ten thousand members is about 2 MB; the web form also has MAX_CONTENT_LENGTH.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_CELL = 500
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]


@dataclass
class CsvFile:
    """The rows of a file, or the problems that stop it being read at all."""

    rows: list[CsvRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Rows that cannot be matched to the header (too many cells, a cell too long): line -> reason.
    broken: dict[int, str] = field(default_factory=dict)


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """The text of the file, or why it is not UTF-8 text."""
    if data.startswith(UTF16_BOMS):
        return None, str(
            _l(
                "The file is in UTF-16 (Excel's \u201cUnicode Text\u201d). Save it as "
                "\u201cCSV UTF-8 (Comma delimited)\u201d and upload it again."
            )
        )
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, str(
            _l(
                "Line %(line)d is not UTF-8 text (the file may have been saved as Windows or "
                "Mac text). Save it as \u201cCSV UTF-8 (Comma delimited)\u201d and upload it again.",
                line=line,
            )
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, str(
            _l("Line %(line)d contains a NUL character: this is not a CSV file.", line=line)
        )
    return text, None


def _dialect(header_line: str) -> str:
    """Comma, or the semicolon Excel uses where the comma is the decimal separator."""
    if header_line.count(";") > header_line.count(","):
        return ";"
    return ","


def header_key(name: str) -> str:
    """A column name as the file gives it, compared without case, spaces or a quote mark."""
    return name.strip().strip("'\"").strip().lower().replace(" ", "_")


def read_csv(data: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> CsvFile:
    """The file's rows as {column: text}, with each row's line number; or its problems.

    The header must name every required column (in any order); other known columns may be left
    out; an unknown column is refused, so a misspelt "renewal date" is not silently ignored.
    """
    result = CsvFile()
    if len(data) > MAX_BYTES:
        result.problems.append(
            str(
                _l(
                    "The file is larger than %(size)d MB. Split it into smaller files.",
                    size=MAX_BYTES // (1024 * 1024),
                )
            )
        )
        return result
    text, problem = _decode(data)
    if problem:
        result.problems.append(problem)
        return result
    if not text.strip():
        result.problems.append(str(_l("The file is empty.")))
        return result
    first_line = text.splitlines()[0]
    try:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=_dialect(first_line), strict=True
        )
        header = next(reader)
    except csv.Error as error:
        result.problems.append(str(_l("Line 1 cannot be read: %(error)s", error=str(error))))
        return result
    names = [header_key(name) for name in header]
    while names and not names[-1]:  # empty trailing columns a spreadsheet leaves behind
        names.pop()
    unknown = [name for name in names if name and name not in columns]
    missing = [name for name in required if name not in names]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if unknown:
        result.problems.append(
            str(_l("Line 1: unknown column(s) %(names)s.", names=", ".join(unknown)))
        )
    if missing:
        result.problems.append(
            str(_l("Line 1: the column(s) %(names)s are missing.", names=", ".join(missing)))
        )
    if repeated:
        result.problems.append(
            str(_l("Line 1: the column(s) %(names)s appear twice.", names=", ".join(repeated)))
        )
    if any(not name for name in names):
        result.problems.append(str(_l("Line 1: a column has no name.")))
    if result.problems:
        result.problems.append(
            str(_l("The first line must be the header: %(header)s", header=",".join(columns)))
        )
        return result
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank row
            if len(result.rows) + len(result.broken) >= MAX_ROWS:
                result.problems.append(
                    str(
                        _l(
                            "The file has more than %(count)d rows. Split it into smaller files.",
                            count=MAX_ROWS,
                        )
                    )
                )
                return result
            extra = cells[len(names) :]
            if any(cell.strip() for cell in extra):
                result.broken[start] = str(
                    _l(
                        "%(found)d cells where the header has %(expected)d columns "
                        "(a comma inside a name must be within double quotes).",
                        found=len(cells),
                        expected=len(names),
                    )
                )
                continue
            if any(len(cell) > MAX_CELL for cell in cells):
                result.broken[start] = str(
                    _l("A cell is longer than %(count)d characters.", count=MAX_CELL)
                )
                continue
            values = {
                name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)
            }
            result.rows.append(CsvRow(start, values))
    except csv.Error as error:
        result.problems.append(
            str(
                _l(
                    "Line %(line)d cannot be read: %(error)s",
                    line=reader.line_num,
                    error=str(error),
                )
            )
        )
        return result
    if not result.rows and not result.broken:
        result.problems.append(str(_l("The file has a header but no rows.")))
    return result
