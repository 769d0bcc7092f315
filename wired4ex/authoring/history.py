"""A module's history: line diffs between versions, and an old version restored as a draft."""

import difflib
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from wired4ex.auth.models import User
from wired4ex.authoring.models import Draft
from wired4ex.authoring.services import AuthoringError, fill_from_source
from wired4ex.catalog.models import Course, ModuleVersion
from wired4ex.extensions import db


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A readable line diff: (kind, text) with kind one of "add", "del", "same", "hunk"."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            # "@@ -12,5 +12,6 @@": where the part starts in the new text (line 12).
            found = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", line)
            lines.append(("hunk", found.group(1) if found else ""))
        elif line.startswith("+"):
            lines.append(("add", line[1:]))
        elif line.startswith("-"):
            lines.append(("del", line[1:]))
        else:
            lines.append(("same", line[1:]))
    return lines


def restore_version(user: User, course: Course, version: ModuleVersion) -> Draft:
    """A new draft holding an old version's text (the current version is untouched); commits."""
    module = version.module
    open_drafts = db.session.scalar(
        sa.select(Draft).where(
            Draft.module_id == module.id, Draft.status.in_(("draft", "returned", "in_review"))
        )
    )
    if open_drafts is not None:
        raise AuthoringError(
            _l("This module already has an open draft; finish or discard it first.")
        )
    draft = Draft(course_id=course.id, module_id=module.id, base_version_id=module.current_version_id,
                  author_id=user.id, key=module.key)  # fmt: skip
    fill_from_source(draft, version.source)
    db.session.add(draft)
    db.session.commit()
    return draft
