"""Parts of pages made of content only, built once per content version and reused by requests.

A part's key is everything it is made from: the content version key (`contentversion.current`,
read with the signed-in user), the page's language, time zone and URL root (of its links), and
what the caller adds (ids, the catalogue's filter values, a member's module states — never who
the member is). A published change gives a new version key and a language switch another
language, so the next request builds the part anew; parts of older versions are dropped when a
newer version is seen.

Kept per process, at most `LIMIT` parts of each name (the least recently used go first). Values
are shared between requests and threads: callers must not change them. Without a version row
(an empty database) nothing is kept.
"""

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from flask import current_app, has_request_context, request
from flask_babel import get_locale, get_timezone
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from wired4ex import contentversion

T = TypeVar("T")
LIMIT = 256
EXTENSION = "wired4ex.pagecache"


class _Store:
    """The parts of one content version, an LRU of at most `limit` for each part name (a page
    kind's parts do not push out another's: a part per member, as My CPD has, would otherwise
    drop the catalogue's when many members read at once)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.version: str | None = None
        self.parts: dict[str, OrderedDict] = {}
        self.lock = threading.Lock()

    def get(self, version: str, name: str, key: tuple):
        with self.lock:
            kept = self.parts.get(name) if version == self.version else None
            value = kept.get(key) if kept is not None else None
            if value is not None:
                kept.move_to_end(key)
            return value

    def put(self, version: str, name: str, key: tuple, value) -> None:
        with self.lock:
            if version != self.version:
                # A request of another version (newer, or one still running on the older):
                # the parts kept are of one version only.
                self.parts.clear()
                self.version = version
            kept = self.parts.setdefault(name, OrderedDict())
            kept[key] = value
            kept.move_to_end(key)
            while len(kept) > self.limit:
                kept.popitem(last=False)

    def count(self, name: str) -> int:
        with self.lock:
            return len(self.parts.get(name, ()))


def _store() -> _Store:
    store = current_app.extensions.get(EXTENSION)
    if store is None:
        store = current_app.extensions.setdefault(EXTENSION, _Store(LIMIT))
    return store


def part(name: str, key: Hashable, build: Callable[[], T]) -> T:
    """`build()` as of this request's content version, language, time zone and URL root, for
    `key`: built once, then reused while they stand (never None: None is not kept)."""
    version = contentversion.current()
    if version is None:
        return build()
    root = request.script_root if has_request_context() else ""  # the links' URL root
    full_key = (str(get_locale()), str(get_timezone()), root, key)
    store = _store()
    value = store.get(version, name, full_key)
    if value is None:
        value = build()
        if value is not None:
            store.put(version, name, full_key, value)
    return value


def kept(name: str) -> int:
    """How many parts named `name` this process keeps (for tests and benchmarks)."""
    return _store().count(name)


# Values equal to Python but written differently: Decimal("20") and Decimal("20.0"), 1 and True
# and 1.0, a str and the same Markup. A key holds their type and, for decimals, their text.
_AS_IS = (str, int, date, type(None))  # bool is an int, datetime a date: tagged below
_TAGGED = (bool, float, datetime, Markup)


def frozen(value) -> Hashable:
    """`value` as a key that holds all of it: a dataclass by its type and fields, a named tuple,
    tuple, list or dict by its type and items (in order), a lazy translation as its text in this
    request's language; numbers, dates, text and None with their type (a decimal by its text, as
    "20" and "20.0" print differently).

    A part built only from values whose frozen form is in its key shows nothing else, so two
    requests share it only when it reads the same for both. Anything else (a database object,
    whose attributes could load more) is refused with TypeError."""
    if isinstance(value, _TAGGED):
        return (type(value).__name__, value)
    if isinstance(value, _AS_IS):
        return value
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(frozen(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple((frozen(k), frozen(v)) for k, v in value.items()))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__qualname__,
            tuple(frozen(getattr(value, f.name)) for f in dataclasses.fields(value)),
        )
    name = type(value).__qualname__
    raise TypeError(f"{name} cannot be part of a page part's key")  # untranslated: programmers
