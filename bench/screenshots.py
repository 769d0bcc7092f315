"""The screenshot book: every page of the four journeys, at phone and desktop size, in both
languages, with page 1 of each PDF, on one contact sheet.

    .venv/bin/python -m bench.screenshots [--out screenshots] [--languages en,sw]
    make screenshots

Builds a temporary SQLite database (migrations, content/, `flask demo seed`, plus a certificate
and a draft waiting for review), serves the app on 127.0.0.1, and drives Debian's Chromium
(/usr/bin/chromium) through Playwright: each role logs in through the login page, then each page
is captured whole at 360 x 740 and 1280 x 800, and once more on the phone with the menu open.
The PDFs (CPD statement, certificate) are rendered to PNG with pdftoppm. Writes
OUT/<language>/<role>-<page>-<size>.png, OUT/pdf/*.png and OUT/index.html.
"""

import argparse
import html
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import journeys  # noqa: E402
from bench.pages import build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def serve(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def log_in(page, role: str) -> None:
    account = journeys.ACCOUNTS[role]
    page.goto("/login")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password)
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").last.click()
    if "/login" in page.url:
        raise SystemExit(f"{role}: the demo login failed")


def capture(browser, base: str, shots, language: str, out: Path) -> list[dict]:
    """Screenshots of every page for every role and size; returns the contact sheet's rows."""
    rows = []
    for role in dict.fromkeys(shot.role for shot in shots):
        for size, viewport in SIZES.items():
            context = browser.new_context(
                base_url=base, viewport=viewport, locale=language,
                extra_http_headers={"Accept-Language": language},
            )  # fmt: skip
            context.route(lambda url: not url.startswith(base + "/"), lambda r: r.abort())
            page = context.new_page()
            if role != "visitor":
                log_in(page, role)
            for shot in (s for s in shots if s.role == role):
                page.goto(shot.path)
                page.wait_for_load_state("load")
                name = f"{role}-{slug(shot.name)}-{size}.png"
                page.screenshot(path=str(out / language / name), full_page=True)
                rows.append({"role": role, "name": shot.name, "path": shot.path,
                             "size": size, "language": language, "file": f"{language}/{name}"})  # fmt: skip
            if size == "phone":
                first = next(s for s in shots if s.role == role)
                page.goto(first.path)
                page.locator(".menu summary").click()
                name = f"{role}-menu-open-phone.png"
                page.screenshot(path=str(out / language / name))
                rows.append({"role": role, "name": "menu open", "path": first.path,
                             "size": size, "language": language, "file": f"{language}/{name}"})  # fmt: skip
            context.close()
    return rows


def documents(browser, base: str, ids: dict, language: str, out: Path) -> list[dict]:
    """Download the member's PDFs and render page 1 of each to PNG."""
    rows = []
    if not shutil.which("pdftoppm"):
        print("pdftoppm not found (apt-get install poppler-utils): PDFs are not rendered")
        return rows
    context = browser.new_context(base_url=base)
    page = context.new_page()
    log_in(page, "member")
    for name, path in journeys.documents(ids):
        response = context.request.get(path)
        if not response.ok:
            raise SystemExit(f"{path}: HTTP {response.status}")
        pdf = out / "pdf" / f"{slug(name)}-{language}.pdf"
        pdf.write_bytes(response.body())
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(pdf.with_suffix(""))],
            check=True,
        )  # fmt: skip
        rows.append({"role": "documents", "name": name, "path": path, "size": "page 1",
                     "language": language, "file": f"pdf/{pdf.stem}.png"})  # fmt: skip
    context.close()
    return rows


def contact_sheet(rows: list[dict]) -> str:
    """index.html: one row per page, a thumbnail per language and size, each linking the PNG."""
    columns = sorted({(r["language"], r["size"]) for r in rows})
    by_page: dict[tuple, dict] = {}
    for row in rows:
        by_page.setdefault((row["role"], row["name"], row["path"]), {})[
            (row["language"], row["size"])
        ] = row["file"]
    head = "".join(f"<th>{html.escape(f'{lang} · {size}')}</th>" for lang, size in columns)
    body = []
    for (role, name, path), files in by_page.items():
        cells = "".join(
            f'<td><a href="{files[c]}"><img src="{files[c]}" loading="lazy" alt=""></a></td>'
            if c in files else "<td></td>"
            for c in columns
        )  # fmt: skip
        body.append(
            f"<tr><th scope=row>{html.escape(role)}<br>{html.escape(name)}"
            f"<br><code>{html.escape(path)}</code></th>{cells}</tr>"
        )
    return (
        "<!doctype html><meta charset=utf-8><title>Wired4EX screenshot book</title><style>"
        "body{font-family:system-ui,sans-serif;margin:1rem}table{border-collapse:collapse}"
        "th,td{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:left}"
        "img{width:180px;max-height:400px;object-fit:cover;object-position:top}</style>"
        f"<h1>Wired4EX screenshot book</h1><p>{len(rows)} images.</p>"
        f"<table><tr><th>page</th>{head}</tr>{''.join(body)}</table>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="output folder")
    parser.add_argument("--languages", default="en,sw", help="comma-separated language codes")
    parser.add_argument("--roles", default=",".join(journeys.ROLES),
                        help="comma-separated roles to capture (default: all four)")  # fmt: skip
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDFs")
    args = parser.parse_args()
    roles = args.roles.split(",")
    out = Path(args.out)
    languages = args.languages.split(",")
    from playwright.sync_api import sync_playwright

    from wired4ex.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = build(Path(folder))
        with app.app_context():
            ids = journeys.prepare(date.today())
            shots = [shot for shot in journeys.journeys(ids) if shot.role in roles]
        server, base = serve(app)
        rows = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                for language in languages:
                    (out / language).mkdir(parents=True, exist_ok=True)
                    (out / "pdf").mkdir(parents=True, exist_ok=True)
                    with app.app_context():
                        journeys.set_language(language)
                        db.session.remove()
                    rows += capture(browser, base, shots, language, out)
                    if not args.no_pdf:
                        rows += documents(browser, base, ids, language, out)
                    print(f"{language}: {len(rows)} images so far")
                browser.close()
        finally:
            server.shutdown()
    (out / "index.html").write_text(contact_sheet(rows), encoding="utf-8")
    print(f"wrote {len(rows)} images and {out / 'index.html'}")


if __name__ == "__main__":
    main()
