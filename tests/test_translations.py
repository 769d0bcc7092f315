"""Quality gates for the translations: every user-facing string is marked for translation, and the
Swahili catalogue translates every one of them (no missing, empty or fuzzy entry).

The checks read the real templates and code, so a page, flash message or form label added without
`_()` fails here, as does a marked string nobody has translated yet (run `make messages`, then
translate the new entries in wired4ex/translations/sw/LC_MESSAGES/messages.po).
"""

import ast
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wired4ex"
SWAHILI = PACKAGE / "translations" / "sw" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")

# Text that is the same in every language: names, abbreviations, symbols.
UNTRANSLATED = {
    "Wired4EX",
    "HeSMA East Africa",
    "English",
    "Kiswahili",
    "CPD",
    "API",
    "PDF",
    "CSV",
    "QR",
    "JSON",
    "ZIP",
    "OK",
}
# Attributes whose value a person reads or hears.
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
# Marks a Python line whose literal is deliberately not translated, with the reason after it.
PRAGMA = "# untranslated:"


def extracted_messages() -> dict[str, tuple]:
    """Every message the code and templates mark for translation, with where it is used."""
    found: dict[str, tuple] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), METHODS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, (message, f"wired4ex/{filename}:{lineno}"))
    return found


def test_the_swahili_catalogue_translates_every_marked_string():
    with SWAHILI.open("rb") as po:
        catalogue = read_po(po)
    problems = []
    for msgid, (message, where) in sorted(extracted_messages().items(), key=lambda i: i[1][1]):
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"{where}: missing from sw: {msgid!r}")
            continue
        if entry.fuzzy:
            problems.append(f"{where}: fuzzy in sw: {msgid!r}")
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s.strip() for s in strings):
            problems.append(f"{where}: not translated in sw: {msgid!r}")
            continue
        originals = message if isinstance(message, tuple) else (message,)
        wanted = set(PLACEHOLDER.findall(" ".join(o for o in originals if o)))
        for translated in strings:
            if set(PLACEHOLDER.findall(translated)) != wanted:
                problems.append(f"{where}: placeholders differ in sw: {msgid!r} -> {translated!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_catalogue_has_no_fuzzy_or_empty_entries():
    with SWAHILI.open("rb") as po:
        catalogue = read_po(po)
    bad = [m.id for m in catalogue if m.id and (m.fuzzy or not m.string)]
    assert not bad, bad
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"


def test_compiled_catalogues_are_built_not_committed():
    assert "wired4ex/translations/*/LC_MESSAGES/*.mo" in (ROOT / ".gitignore").read_text()
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if tracked.returncode == 0:  # a checkout (CI, a developer); a tarball has nothing tracked
        assert tracked.stdout == "", f"compiled catalogues are committed: {tracked.stdout}"


# Templates ---------------------------------------------------------------------------------------

HOLE = "\ue000"  # stands for a {{ expression }} or {% tag %} while the HTML is read


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):  # code: Markdown and paths, not prose
            self.skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)
        types = dict(attrs)
        if tag == "input" and types.get("type") in ("submit", "button", "reset"):
            self._check(types.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self._check(data)

    def _check(self, text: str) -> None:
        words = " ".join(text.replace(HOLE, " ").split())
        if words in UNTRANSLATED or not re.search(r"[A-Za-z]{2,}", words):
            return
        if all(part.strip(" ·|/()") in UNTRANSLATED | {""} for part in words.split()):
            return
        self.found.append((self.getpos()[0], words))


def unmarked_template_text(source: str) -> list[tuple[int, str]]:
    """Text in a template that a reader sees but that is not inside _() or {% trans %}."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    pieces: list[str] = []
    in_trans = 0
    expecting_name = False
    for _lineno, kind, value in env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            pieces.append(HOLE)
            expecting_name = True
            continue
        if expecting_name and kind == "name":
            if value == "trans":
                in_trans += 1
            elif value == "endtrans":
                in_trans -= 1
        expecting_name = False
        if kind == "data":
            pieces.append(HOLE if in_trans else value)
        elif kind == "variable_begin":
            pieces.append(HOLE)
    finder = _TextFinder()
    finder.feed("".join(pieces))
    finder.close()
    return finder.found


def templates() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("templates/**/*") if p.suffix in (".html", ".txt"))


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_text_is_marked_for_translation(path):
    found = unmarked_template_text(path.read_text(encoding="utf-8"))
    assert not found, "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {text!r}" for line, text in found
    )


def test_the_template_check_finds_unmarked_text():
    """The check itself: text, attributes and buttons outside _() are found, marked text is not."""
    source = """<h1>{{ _("Marked") }}</h1><p>Plain words</p>
<img alt="A picture" src="x.png"><input type="submit" value="Send now">
{% trans %}Marked block{% endtrans %}<p title="{{ _('fine') }}">{{ value }} · {{ other }}</p>
<script src="x.js"></script><p>Wired4EX</p>"""
    assert [text for _line, text in unmarked_template_text(source)] == [
        "Plain words",
        "A picture",
        "Send now",
    ]


# Python ------------------------------------------------------------------------------------------

# Calls whose string arguments a person reads: flash messages, form labels and validation messages,
# errors raised for people to read, PDF and CSV text.
MESSAGE_CALLS = {"flash", "ValidationError", "abort", "api_error", "error_response", "RuleResult"}
TEXT_KEYWORDS = {"message", "description", "label", "title", "detail"}
DRAWING_CALLS = {"drawString", "drawCentredString", "drawRightString", "Paragraph", "writerow"}


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if re.fullmatch(r"[a-z0-9_.:/-]*", node.value):  # a key, category or path, not words
            return False
        return bool(re.search(r"[A-Za-z]{2,}", node.value)) and node.value not in UNTRANSLATED
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(part) for part in node.values)
    return False


def _literals(node: ast.AST) -> list[ast.AST]:
    """String literals directly in an argument, or in a list/tuple argument (a CSV header row)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return [element for element in node.elts if _is_text(element)]
    return [node] if _is_text(node) else []


def unmarked_python_strings(source: str) -> list[tuple[int, str]]:
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        suspects: list[ast.AST] = []
        if name in MESSAGE_CALLS or name in DRAWING_CALLS:
            for arg in node.args:
                suspects += _literals(arg)
        if name.endswith("Field") and node.args:
            suspects += _literals(node.args[0])
        if name.endswith("Error") and name != "ValidationError":
            for arg in node.args:
                suspects += _literals(arg)
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                suspects += _literals(keyword.value)
        for literal in suspects:
            line = lines[literal.lineno - 1]
            if PRAGMA in line:
                continue
            found.append((literal.lineno, literal.col_offset, ast.unparse(literal)))
    return [(line, text) for line, _col, text in sorted(found)]


# The content checker reports on Markdown and YAML files to the faculty who write them, in
# English like the authoring guide (content/README.md) and `flask content check`.
ENGLISH_ONLY = {"catalog/sources.py", "catalog/content.py", "catalog/policy.py", "catalog/quiz.py"}


def python_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(PACKAGE)) not in ENGLISH_ONLY and "translations" not in path.parts
    )


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_python_strings_people_read_are_marked_for_translation(path):
    found = unmarked_python_strings(path.read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in found)


def test_the_python_check_finds_unmarked_strings():
    source = """
flash("Saved.", "success")
flash(_("Saved."), "success")
name = StringField("Full name", validators=[Length(max=5, message="Too long")])
raise ClaimError("That claim is closed")
canvas.drawString(10, 10, "Issued")
writer.writerow(["Date", "Points"])
flash("Internal", "x")  # untranslated: a test fixture
"""
    assert [text for _line, text in unmarked_python_strings(source)] == [
        "'Saved.'",
        "'Full name'",
        "'Too long'",
        "'That claim is closed'",
        "'Issued'",
        "'Date'",
        "'Points'",
    ]
