"""Benchmark the weight and speed of the member's main pages, and check the page-weight targets.

    .venv/bin/python bench/pages.py [--seconds 2]

Builds a temporary SQLite database (migrations, content/, `flask demo seed`), logs in as the demo
member through the test client, and prints for the catalogue, a module page (with its knowledge
check), the dashboard and My CPD: HTML, CSS and JS bytes (raw and gzip-compressed, each file
compressed on its own as a server would), the requests a first visit makes (HTML and the CSS, JS
and images it links), the SQL statements of one request, and requests per second in process
against a baseline measured in the same run (a static file, /static/site.css). Then it checks the
targets on every module page of content/ and exits 1 if one is missed:

- HTML + CSS + JS of a module page at most 15 KB gzip-compressed (images aside);
- JavaScript at most 10 KB;
- no web fonts (@font-face, font files);
- no request to another host.
"""

import argparse
import gzip
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import TestingConfig  # noqa: E402
from wired4ex import create_app, demo  # noqa: E402
from wired4ex.catalog.content import load_content  # noqa: E402
from wired4ex.catalog.models import Course  # noqa: E402
from wired4ex.catalog.sync import sync_content  # noqa: E402
from wired4ex.extensions import db  # noqa: E402

HOST = "localhost"
MODULE_PAGE_BUDGET = 15 * 1024  # HTML + CSS + JS, gzip-compressed
JS_BUDGET = 10 * 1024
FONT_FILE = re.compile(r"\.(woff2?|ttf|otf|eot)(\?|#|$)", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
MEMBER = next(account for account in demo.DEMO_ACCOUNTS if account.roles == ("member",))


class Links(HTMLParser):
    """The resources a page makes the browser load: stylesheets, scripts, images, icons, frames."""

    LOADED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (kind, url)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            rels = set((values.get("rel") or "").lower().split())
            if rels & self.LOADED_RELS:
                kind = "css" if "stylesheet" in rels else values.get("as") or "other"
                self.found.append((kind, values["href"]))
        elif tag == "script" and values.get("src"):
            self.found.append(("js", values["src"]))
        elif tag in {"img", "iframe", "embed", "video", "audio", "source"} and values.get("src"):
            self.found.append(("img" if tag == "img" else "other", values["src"]))
        elif tag == "object" and values.get("data"):
            self.found.append(("other", values["data"]))


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


@dataclass
class Weight:
    """What one first visit to a page loads."""

    html: bytes = b""
    css: list[bytes] = field(default_factory=list)
    js: list[bytes] = field(default_factory=list)
    images: int = 0
    requests: int = 0
    problems: list[str] = field(default_factory=list)

    def raw(self, kind: str) -> int:
        return sum(len(b) for b in self._files(kind))

    def gz(self, kind: str) -> int:
        return sum(gzipped(b) for b in self._files(kind))

    def _files(self, kind: str) -> list[bytes]:
        return {"html": [self.html], "css": self.css, "js": self.js}[kind]

    @property
    def total_gz(self) -> int:
        return self.gz("html") + self.gz("css") + self.gz("js")


def page_weight(client, url: str) -> Weight:
    """Load a page as a browser would on a first visit (empty cache) and weigh what it loads."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    weight = Weight(html=response.get_data(), requests=1)
    parser = Links()
    parser.feed(response.get_data(as_text=True))
    queue = [(kind, urljoin(f"http://{HOST}{url}", href)) for kind, href in parser.found]
    seen = set()
    while queue:
        kind, absolute = queue.pop(0)
        if absolute in seen:
            continue
        seen.add(absolute)
        parts = urlsplit(absolute)
        if parts.scheme in {"http", "https", ""} and parts.netloc not in {"", HOST}:
            weight.problems.append(f"{url}: loads {absolute} from another host")
            continue
        if parts.scheme == "data":
            continue
        if FONT_FILE.search(parts.path) or kind == "font":
            weight.problems.append(f"{url}: loads a web font {parts.path}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        resource = client.get(path)
        weight.requests += 1
        if resource.status_code != 200:
            weight.problems.append(f"{url}: {path} answers HTTP {resource.status_code}")
            continue
        body = resource.get_data()
        if kind == "css":
            weight.css.append(body)
            text = body.decode("utf-8", "replace")
            if "@font-face" in text.lower():
                weight.problems.append(f"{url}: {parts.path} declares a web font (@font-face)")
            for match in CSS_URL.finditer(text):
                target = urljoin(absolute, match.group(1) or match.group(2))
                queue.append(("css" if match.group(2) else "other", target))
        elif kind == "js":
            weight.js.append(body)
        else:
            weight.images += 1
    return weight


def check_targets(weight: Weight, url: str, module_page: bool) -> list[str]:
    problems = list(weight.problems)
    if weight.raw("js") > JS_BUDGET:
        problems.append(f"{url}: {weight.raw('js')} bytes of JavaScript (target {JS_BUDGET})")
    if module_page and weight.total_gz > MODULE_PAGE_BUDGET:
        problems.append(
            f"{url}: HTML+CSS+JS {weight.total_gz} bytes gzip-compressed "
            f"(target {MODULE_PAGE_BUDGET})"
        )
    return problems


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def queries_per_request(app, client, url: str) -> int:
    client.get(url)  # warm: templates compiled, lazy caches filled
    counter = Counter()
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def requests_per_second(client, url: str, seconds: float) -> float:
    client.get(url).get_data()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        response = client.get(url)
        response.get_data()
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        count += 1
    return count / elapsed


def build(workdir: Path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.sqlite'}"
        MAIL_OUTBOX = str(workdir / "outbox")
        EVIDENCE_DIR = str(workdir / "evidence")
        CONTENT_DIR = str(ROOT / "content")

    app = create_app(Config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        sync_content(load_content(ROOT / "content"))
        for _line in demo.seed():
            pass
    return app


def module_urls(app) -> list[str]:
    with app.app_context():
        courses = db.session.scalars(sa.select(Course).where(Course.status == "published")).all()
        return [
            f"/courses/{course.institution.slug}/{course.slug}/{module.key}"
            for course in courses
            for module in course.active_modules
            if module.current_version is not None
        ]


def log_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": MEMBER.email, "password": MEMBER.password, "csrf_token": token}
    if client.post("/login", data=data).status_code != 302:
        raise SystemExit("demo member login failed")


def enrol_everywhere(app, client) -> None:
    """Enrol the member in every course, so every module page shows its knowledge check."""
    with app.app_context():
        courses = db.session.scalars(sa.select(Course).where(Course.status == "published")).all()
        urls = [f"/courses/{c.institution.slug}/{c.slug}/" for c in courses]
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        match = re.search(r'action="([^"]*/enrol)"[^>]*>\s*<input[^>]*value="([^"]+)"', page)
        if match:
            client.post(match.group(1), data={"csrf_token": match.group(2)})


def kb(size: int) -> str:
    return f"{size / 1024:5.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build(Path(folder))
        client = app.test_client()
        log_in(client)
        enrol_everywhere(app, client)
        modules = module_urls(app)
        # The module page shown: one the demo member has not done yet (so it carries its
        # knowledge check form) with an image, as most modules have.
        module_page = next(
            (url for url in modules if url.endswith("/facility-improvement-fund")), modules[0]
        )
        pages = [
            ("catalogue", "/"),
            ("course page", module_page.rsplit("/", 1)[0] + "/"),
            ("module page", module_page),
            ("dashboard", "/dashboard"),
            ("My CPD", "/cpd/"),
            ("certification", "/certification/"),
        ]
        baseline = requests_per_second(client, "/static/site.css", args.seconds)
        print(f"demo member ({MEMBER.email}), Flask test client in process; KB, gzip level 6")
        print(
            f"{'page':13} {'HTML':>5} {'gz':>5} {'CSS':>5} {'gz':>5} {'JS':>5} {'gz':>5} "
            f"{'all gz':>6} {'reqs':>4} {'SQL':>4} {'req/s':>7} {'x baseline':>10}"
        )
        print(
            f"{'baseline: /static/site.css':69} {baseline:7.0f} {1:10.2f}"
        )  # fmt: skip
        problems = []
        for label, url in pages:
            weight = page_weight(client, url)
            problems += check_targets(weight, url, module_page=label == "module page")
            queries = queries_per_request(app, client, url)
            rps = requests_per_second(client, url, args.seconds)
            print(
                f"{label:13} {kb(weight.raw('html'))} {kb(weight.gz('html'))} "
                f"{kb(weight.raw('css'))} {kb(weight.gz('css'))} "
                f"{kb(weight.raw('js'))} {kb(weight.gz('js'))} {kb(weight.total_gz):>6} "
                f"{weight.requests:4d} {queries:4d} {rps:7.0f} {rps / baseline:10.2f}"
            )
        print(f"({module_page})")
        heaviest, heaviest_url = None, ""
        for url in modules:
            weight = page_weight(client, url)
            problems += check_targets(weight, url, module_page=True)
            if heaviest is None or weight.total_gz > heaviest.total_gz:
                heaviest, heaviest_url = weight, url
        print(
            f"all {len(modules)} module pages: heaviest {heaviest_url}, HTML+CSS+JS "
            f"{kb(heaviest.total_gz).strip()} KB gzip-compressed "
            f"(target {MODULE_PAGE_BUDGET // 1024} KB), JS {heaviest.raw('js')} bytes "
            f"(target {JS_BUDGET // 1024} KB)"
        )
        if problems:
            print("TARGETS MISSED:")
            for problem in problems:
                print("  " + problem)
            raise SystemExit(1)
        print("targets met: module pages within budget, no web fonts, no other host")


if __name__ == "__main__":
    main()
