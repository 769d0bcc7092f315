"""Browser tests: Debian's Chromium, driven by Playwright, against the app served on 127.0.0.1.

One server thread serves the whole session (starting it per test would cost more than the tests);
it uses the same database as the other fixtures, and `live_server` depends on `app`, so the tables
are emptied after every test as usual. Each test gets a fresh browser context: no cookies carry
over. Any JS dialog or uncaught page error fails the test, and so does any exception the app
raises while serving a request (a 500).
"""

import logging
import os
import threading
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from wired4ex import create_app
from wired4ex.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
# Requests the service worker makes go through context.route too (Chromium only), so a test can
# cut the worker off the network with the page (test_offline_journey.py); the Playwright driver
# reads it when it starts.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser is a browser test (`-m "not browser"` leaves them out)."""
    for item in items:
        if BROWSER_TESTS in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# -- the server ---------------------------------------------------------------------------------


class _ErrorRecorder(logging.Handler):
    """Keeps the errors the app logs (its error handler turns exceptions into logged 500s)."""

    def __init__(self, errors: list[str]):
        super().__init__(level=logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == threading.main_thread().ident:
            return  # the test's own code, not a request served by the live server
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.errors.append(text)


class LiveServer:
    """The app in a werkzeug server thread on a free port of 127.0.0.1."""

    def __init__(self, app):
        self.app = app
        self.errors: list[str] = []
        got_request_exception.connect(self._record_error, app, weak=False)
        self.log_handler = _ErrorRecorder(self.errors)
        logging.getLogger("wired4ex").addHandler(self.log_handler)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["PUBLIC_BASE_URL"] = self.url  # links in mails and PDFs open this server
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="live-server", daemon=True
        )

    def _record_error(self, sender, exception, **extra) -> None:
        lines = traceback.format_exception(exception)
        self.errors.append("".join(lines))

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        logging.getLogger("wired4ex").removeHandler(self.log_handler)


@pytest.fixture(scope="session")
def _live_server(config_class, _schema):
    server = LiveServer(create_app(config_class))
    server.start()
    yield server
    server.stop()
    with server.app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(app, _live_server):
    """The base URL of the running app ("http://127.0.0.1:<port>"), without a trailing slash.

    Depends on `app`: whatever the test wrote, and whatever the browser wrote through the server,
    is emptied from the database after the test.
    """
    seen = len(_live_server.errors)
    yield _live_server.url
    errors = _live_server.errors[seen:]
    if errors:
        pytest.fail("the app raised while serving the browser:\n" + "\n".join(errors))


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's chromium "
            "package (apt-get install chromium). They are never skipped."
        )
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}")
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What the browser reported while a test ran."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # "<type>: <text>"
    errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page
    navigations: list[str] = field(default_factory=list)  # main-frame URLs, in order
    blocked: list[str] = field(default_factory=list)  # requests to other hosts (aborted)
    server_errors: list[str] = field(default_factory=list)  # responses with a 5xx status

    def problems(self) -> list[str]:
        return (
            [f"dialog: {d}" for d in self.dialogs]
            + [f"page error: {e}" for e in self.errors]
            + [f"server error: {e}" for e in self.server_errors]
        )


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


def _open_page(browser, base_url: str, viewport: dict, log: PageLog):
    context = browser.new_context(base_url=base_url, viewport=viewport, java_script_enabled=True)
    context.set_default_timeout(10_000)
    # The tests never need the internet: anything not served by the app is recorded and refused.
    context.route(
        lambda url: not url.startswith(base_url + "/"),
        lambda route: (log.blocked.append(route.request.url), route.abort()),
    )
    page = context.new_page()

    def on_dialog(dialog) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message!r} on {page.url}")
        dialog.dismiss()

    def on_navigation(frame) -> None:
        if frame == page.main_frame:
            log.navigations.append(frame.url)

    def on_response(response) -> None:
        if response.status >= 500:
            log.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    page.on("dialog", on_dialog)
    page.on("console", lambda message: log.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.errors.append(f"{error} on {page.url}"))
    page.on("framenavigated", on_navigation)
    page.on("response", on_response)
    return context, page


@pytest.fixture
def page(browser, live_server, page_log):
    """A phone-sized page (360 x 640) on the live server; relative URLs work in goto()."""
    context, page = _open_page(browser, live_server, PHONE, page_log)
    yield page
    context.close()
    if page_log.problems():
        pytest.fail("the browser reported:\n" + "\n".join(page_log.problems()))


@pytest.fixture
def desktop_page(browser, live_server, page_log):
    """A desktop-sized page (1280 x 800) on the live server."""
    context, page = _open_page(browser, live_server, DESKTOP, page_log)
    yield page
    context.close()
    if page_log.problems():
        pytest.fail("the browser reported:\n" + "\n".join(page_log.problems()))


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page, as a member would."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def main_nav(page):
    """The service navigation (named "Main" in English). On a phone it sits behind the Menu
    button (a details/summary): open it first, as a person would."""
    page.wait_for_load_state("load")  # the stylesheet decides which of the two is shown
    menu = page.locator("details.menu")
    if not menu.is_visible():
        return page.locator("nav.service-nav")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu.locator("nav")


def confirm_by_mail(page, outbox, email: str) -> None:
    """Open the confirmation link mailed to an address, as the member would from their inbox,
    and log in when the link leads to the login page."""
    import re

    mails = [m for m in outbox.messages() if m["To"] == email and "/confirm/" in m.get_content()]
    assert mails, f"no confirmation mail to {email}"
    link = re.search(r"https?://\S+/confirm/\S+", mails[-1].get_content()).group(0)
    page.goto(link)


def form_field_problems(page) -> list[str]:
    """Form fields a screen reader would announce badly: no label, or aria references and states
    that point at nothing (aria-describedby="None")."""
    return page.evaluate(
        """() => {
            const found = [];
            const fields = document.querySelectorAll(
                "input:not([type=hidden]):not([type=submit]), select, textarea");
            for (const field of fields) {
                const name = field.name || field.id;
                if (!field.labels || field.labels.length === 0) found.push(`${name}: no label`);
                for (const id of (field.getAttribute("aria-describedby") || "").split(/\\s+/)) {
                    if (id && !document.getElementById(id)) {
                        found.push(`${name}: aria-describedby points at missing #${id}`);
                    }
                }
                const invalid = field.getAttribute("aria-invalid");
                if (invalid !== null && !["true", "false", "grammar", "spelling"].includes(invalid)) {
                    found.push(`${name}: aria-invalid="${invalid}"`);
                }
            }
            return found;
        }"""
    )


def page_width(page) -> tuple[int, list[str]]:
    """The page's scroll width, and the elements that stick out past the viewport's right edge.

    Measured after the load event: a page laid out before its stylesheet arrives is wider than
    the page a member sees (an unstyled select is as wide as its longest option)."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => {
            const limit = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 5)
                .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.getBoundingClientRect().right}px`);
            return [document.documentElement.scrollWidth, wide];
        }"""
    )


def assert_no_horizontal_scroll(page, width: int = PHONE["width"]) -> None:
    scroll_width, wide = page_width(page)
    assert scroll_width <= width, f"{page.url} scrolls sideways ({scroll_width}px): {wide}"


def read_long_enough(email: str) -> None:
    """Move the member's first opening of every module an hour back, so the reading time of
    modules without a knowledge check (min_read_minutes) has passed; the live server shares
    this database."""
    import sqlalchemy as sa

    from wired4ex.auth.models import User
    from wired4ex.learning.models import ModuleProgress

    user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    for progress in db.session.scalars(
        sa.select(ModuleProgress).where(ModuleProgress.user_id == user_id)
    ):
        progress.started_at = progress.started_at - timedelta(hours=1)
    db.session.commit()
