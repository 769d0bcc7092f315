"""The association's own pages (help, contact, privacy, terms), written in content/pages/*.md.

`<name>.md` is the English text and `<name>.sw.md` the Kiswahili one; the first `# heading` is
the page title. The text goes through the one Markdown pipeline (wired4ex/markup.py), and the
rendering is kept per file and modification time, so an edited file shows at once without a
restart and an unchanged one is not rendered again on each view.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, render_template
from markupsafe import Markup

from wired4ex.catalog import bp
from wired4ex.i18n import reading_language
from wired4ex.markup import MarkupError, render_markdown
from wired4ex.readonly import reads_only

PAGE_NAMES = ("help", "contact", "privacy", "terms")
_rendered: dict[tuple[str, int], "Page"] = {}


@dataclass(frozen=True)
class Page:
    title: str
    html: Markup
    language: str


def page_file(folder: Path, name: str, language: str) -> tuple[Path, str] | None:
    """The file of a page in the reader's language, or the English one; None when neither is."""
    for candidate, lang in ((f"{name}.{language}.md", language), (f"{name}.md", "en")):
        path = folder / candidate
        if path.is_file():
            return path, lang
    return None


def load_page(folder: Path, name: str, language: str) -> Page | None:
    """A page rendered from its Markdown file; None when the page has no file or cannot render."""
    found = page_file(folder, name, language)
    if found is None:
        return None
    path, lang = found
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _rendered:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        title = name.capitalize()
        if lines and lines[0].startswith("# "):
            title, text = lines[0][2:].strip(), "\n".join(lines[1:])
        try:
            rendered = render_markdown(text)
        except MarkupError:
            current_app.logger.exception("content page %s cannot be rendered", path)
            return None
        _rendered[key] = Page(title=title, html=Markup(rendered.html), language=lang)
    return _rendered[key]


@bp.get("/pages/<any(help, contact, privacy, terms):name>")
@reads_only
def page(name: str):
    """Help, contact, privacy or terms, as the association wrote it in content/pages/."""
    found = load_page(Path(current_app.config["CONTENT_DIR"]) / "pages", name, reading_language())
    if found is None:
        abort(404)
    return render_template("catalog/page.html", page=found)
