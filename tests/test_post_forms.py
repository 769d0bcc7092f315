"""Every POST form of the app, sent with each field left out in turn and with each field given a
10,000-character value: never a 500, a refusal (4xx) changes nothing in the database, and no
saved text is wiped because a field was left out.

The routes come from `app.url_map` (every rule accepting POST); each is sent by a role that may
use it (from the access matrix's EXPECTED), in the world the access matrix builds. The fields
are those of the forms on the app's pages that post to the route (their names and the values the
page gives them), completed by the matrix's valid submission for the route. CSRF is off here, as
in the matrix: what is measured is the handling of the fields.
"""

from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

from tests.conftest import _empty_all_tables, _restore, _snapshot
from tests.test_access_matrix import (  # noqa: F401  (world is a fixture)
    ENDS_SOMETHING,
    EXPECTED,
    LOGIN,
    ROLES,
    _routes,
    login,
    post_data,
    url_for_rule,
    world,
)
from wired4ex.authoring.models import Draft
from wired4ex.extensions import db, limiter

LONG = "x" * 10_000
CHECKBOXES: set[str] = set()  # names of checkbox fields seen on the pages
# The order in which roles are tried: the first one EXPECTED lets through is used.
PREFERENCE = ("admin", "own_faculty", "member", "other_faculty", "other_member", "anonymous")
REFUSED = {LOGIN, 401, 403, 404, 405}
# Tables a request may write whatever its outcome (sign-in throttling, the audit of refusals).
BOOKKEEPING = {"login_attempts"}


class Forms(HTMLParser):
    """The POST forms of a page: action path -> {field name: the value the page gives it}."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms, self.current = page_path, {}, None
        self.buttons: dict[str, dict] = {}  # action path -> the first submit button
        self.select, self.textarea, self.action, self.aliases = None, None, None, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "form":
            if (attributes.get("method") or "get").lower() != "post":
                self.current = None
                return
            action = urlsplit(attributes.get("action") or self.page_path).path or self.page_path
            self.current, self.action = self.forms.setdefault(action, {}), action
            # The editor's script posts the same fields to its live-preview address.
            self.aliases = (
                [urlsplit(attributes["data-preview-url"]).path]
                if attributes.get("data-preview-url")
                else []
            )
        elif self.current is None or not name:
            return
        elif tag == "input" and (attributes.get("type") or "").lower() == "submit":
            self.buttons.setdefault(self.action, {name: attributes.get("value") or "1"})
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            if kind == "file":
                self.current.setdefault(name, (b"%PDF-1.4\n%%EOF\n", "file.pdf"))
            elif kind in ("checkbox", "radio"):
                if kind == "checkbox":  # left out when none is ticked: "none" is a valid answer
                    CHECKBOXES.add(name)
                if "checked" in attributes or name not in self.current:
                    self.current[name] = attributes.get("value") or "on"
            else:
                self.current.setdefault(name, attributes.get("value") or "")
        elif tag == "select":
            self.select = name
            self.current.setdefault(name, "")
        elif tag == "option" and self.select:
            if "selected" in attributes or not self.current.get(self.select):
                self.current[self.select] = attributes.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.current.setdefault(name, "")
        elif tag in ("button", "input") and (attributes.get("type") or "submit") == "submit":
            # A browser sends only the button pressed: the first one stands for the form.
            self.buttons.setdefault(self.action, {name: attributes.get("value") or "1"})

    def handle_data(self, data):
        if self.current is not None and self.textarea and not self.current.get(self.textarea):
            self.current[self.textarea] = data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            for alias in self.aliases:
                self.forms.setdefault(alias, dict(self.current or {}))
                if self.action in self.buttons:
                    self.buttons.setdefault(alias, self.buttons[self.action])
            self.current, self.aliases = None, []


def role_for(endpoint: str) -> str | None:
    """The first role (in PREFERENCE) that EXPECTED lets make this POST."""
    row = EXPECTED.get(endpoint, {}).get("POST")
    if row is None:
        return None
    if row[ROLES.index("anonymous")] not in REFUSED | {302}:
        return "anonymous"  # a form for visitors (signing in, registering): signed-in callers
        # are only sent on
    for role in PREFERENCE:
        if row[ROLES.index(role)] not in REFUSED:
            return role
    return None


def page_forms(client, urls: list[str]) -> tuple[dict[str, dict], dict[str, dict]]:
    """Every POST form on these pages, by the path it posts to; and each one's first button."""
    found: dict[str, dict] = {}
    buttons: dict[str, dict] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = Forms(urlsplit(url).path)
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms.items():
            merged = found.setdefault(action, {})
            for name, value in fields.items():
                merged.setdefault(name, value)
        for action, button in parser.buttons.items():
            buttons.setdefault(action, button)
    return found, buttons


def _button_names(buttons: dict[str, dict]) -> set[str]:
    return {name for button in buttons.values() for name in button}


def files_fresh(data: dict) -> dict:
    """(bytes, name) pairs become fresh uploads for each request."""
    return {
        name: (BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        for name, value in data.items()
    }


def blanked(before: dict, after: dict, field: str) -> list[str]:
    """Rows whose column `field` held text before and is empty after (the field was left out)."""
    lost = []
    for table, rows in before.items():
        later = {row.get("id"): row for row in after.get(table, [])}
        for row in rows:
            now = later.get(row.get("id"))
            if now is None or field not in row:
                continue
            if row[field] not in (None, "", [], {}) and now[field] in (None, "", [], {}):
                lost.append(f"{table}.{field} of row {row.get('id')}")
    return lost


def variants(base: dict):
    """(what, data): each field left out, then each field 10,000 characters long."""
    for name in base:
        yield f"without {name!r}", {k: v for k, v in base.items() if k != name}
    for name, value in base.items():
        if isinstance(value, tuple):
            long_value = (value[0], LONG + ".pdf")
        elif isinstance(value, list):
            long_value = [LONG]
        else:
            long_value = LONG
        yield f"{name!r} of 10,000 characters", {**base, name: long_value}


# Forms of a person outside the standard roles (a corporate membership's contact): walked by
# tests/membership_register/test_corporate_seats.py instead.
OUTSIDE_THE_ROLES = {"member_register.invite_staff", "member_register.remove_staff"}


def test_every_post_form_survives_missing_and_oversized_fields(app, world):  # noqa: F811
    # The draft being written has objectives saved, as a real one has (leaving the field out of
    # the editor's preview once answered 500 on such a draft).
    draft = db.session.get(Draft, world.values["draft_id"])
    draft.objectives = ["cost an outreach day"]
    db.session.commit()
    rules = [rule for rule in _routes(app) if "POST" in rule.methods]
    assert len(rules) > 20, "the URL map lost its forms?"
    get_urls = [
        url_for_rule(rule, world.values)
        for rule in _routes(app)
        if "GET" in rule.methods and not rule.endpoint.startswith("api.")
    ]
    clients, forms = {}, {}
    failures, sent = [], 0
    # What ends something (logging out, withdrawing the claim...) goes last, as in the matrix.
    rules.sort(key=lambda rule: ENDS_SOMETHING.index(rule.endpoint)
               if rule.endpoint in ENDS_SOMETHING else -1)  # fmt: skip
    for rule in rules:
        role = role_for(rule.endpoint)
        if role is None and rule.endpoint in OUTSIDE_THE_ROLES:
            continue
        if role is None:
            failures.append(f"{rule.endpoint}: no role may POST it in EXPECTED")
            continue
        if role not in clients:
            clients[role] = (
                app.test_client() if role == "anonymous" else login(app, world.users[role])
            )
            forms[role] = page_forms(clients[role], get_urls)
        client = clients[role]
        url = url_for_rule(rule, world.values)
        fields, buttons = forms[role]
        path = urlsplit(url).path
        valid = post_data(rule.endpoint, world.values)
        pressed = (
            {} if any(name in valid for name in _button_names(buttons)) else buttons.get(path, {})
        )
        base = {**fields.get(path, {}), **pressed, **valid}
        base.pop("csrf_token", None)
        base = {
            name: (value[0].getvalue(), value[1])
            if isinstance(value, tuple) and hasattr(value[0], "getvalue")
            else value
            for name, value in base.items()
        }
        for what, data in variants(base):
            limiter.reset()  # sign-in throttling would answer 429 before the form is read
            before = _snapshot()
            try:
                response = client.post(url, data=files_fresh(data))
            except Exception as error:  # a 500 in testing: reported with the others
                failures.append(f"POST {url} ({rule.endpoint}) {what}: {error!r}")
                continue
            finally:
                sent += 1
            status = response.status_code
            after = _snapshot()
            if status >= 500:
                failures.append(f"POST {url} ({rule.endpoint}) {what}: {status}")
            elif 400 <= status < 500:
                changed = [
                    table
                    for table in sorted(before.keys() | after.keys())
                    if before.get(table) != after.get(table) and table not in BOOKKEEPING
                ]
                if changed:
                    failures.append(
                        f"POST {url} ({rule.endpoint}) {what}: {status} changed {changed}"
                    )
            if what.startswith("without") and what.split("'")[1] not in CHECKBOXES:
                field = what.split("'")[1]
                lost = blanked(before, after, field)
                if lost:
                    failures.append(f"POST {url} ({rule.endpoint}) {what}: wiped {lost}")
            if after != before:  # it acted: put the world back, so the next variant acts too
                _empty_all_tables()
                # In id order: a row may refer to an earlier one of its table (course editions).
                _restore({table: sorted(rows, key=lambda row: row.get("id") or 0)
                          for table, rows in before.items()})  # fmt: skip
                db.session.expire_all()
    assert sent > 200
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
