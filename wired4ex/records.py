"""What the append-only records share: the marker an erased person's name is replaced with.

The database triggers (migration c4d1e7a90b21) accept exactly this marker as the new name on an
issued statement or certificate; `flask members erase` (wired4ex/admin/erasure.py) writes it.
"""

from flask_babel import lazy_gettext as _l

ERASED_NAME = "Erased member"


def person_name(name: str) -> str:
    """A name as stored on a record, for people: the erasure marker in the reader's language."""
    return str(_l("Name erased at the person's request")) if name == ERASED_NAME else name
