"""Evidence files for claims: checked by content, stored outside static/ under random names."""

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from wired4ex.images import pixel_problem

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


class EvidenceError(ValueError):
    """The file cannot be accepted; the message says why."""


@dataclass(frozen=True)
class StoredEvidence:
    original_name: str
    stored_as: str
    content_type: str
    size: int


def evidence_dir() -> Path:
    folder = Path(current_app.config["EVIDENCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def detect_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, for PDF, PNG and JPEG only."""
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def display_name(filename: str | None) -> str:
    """A harmless name to show: the last path part, without control characters, shortened."""
    name = (filename or "evidence").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return (name or "evidence")[:150]


def read_upload(upload: FileStorage) -> tuple[bytes, str, str]:
    """The file's bytes, content type and extension; EvidenceError when it is not acceptable."""
    data = upload.stream.read(MAX_EVIDENCE_BYTES + 1)
    if not data:
        raise EvidenceError(_l("The evidence file is empty."))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceError(_l("The evidence file is larger than 5 MB."))
    kind = detect_type(data[:16])
    if kind is None:
        raise EvidenceError(_l("Evidence must be a PDF, JPEG or PNG file."))
    if kind[0].startswith("image/") and (problem := pixel_problem(data)):
        raise EvidenceError(problem)
    return data, kind[0], kind[1]


def store(upload: FileStorage) -> StoredEvidence:
    """Check and save an upload; EvidenceError for bad files, OSError when the disk fails."""
    data, content_type, extension = read_upload(upload)
    stored_as = secrets.token_hex(16) + extension
    path = evidence_dir() / stored_as
    try:
        with open(path, "xb") as handle:
            handle.write(data)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return StoredEvidence(display_name(upload.filename), stored_as, content_type, len(data))


def path_of(stored_as: str) -> Path:
    """Where a stored file is; the name is ours, never the member's."""
    return evidence_dir() / Path(stored_as).name


def discard(stored_as: str | None) -> None:
    """Remove a stored file (after a failed save, or when replaced)."""
    if stored_as:
        path_of(stored_as).unlink(missing_ok=True)


def download_as(stored_as: str, stem: str) -> tuple[str, str]:
    """(download name, content type) for a stored file, both from its sniffed content.

    The uploader's name is never used: `evil.html` or `a.pdf\\0.html` comes back as
    `<stem>.pdf`, so a browser cannot be talked into treating it as a page.
    """
    with open(path_of(stored_as), "rb") as handle:
        kind = detect_type(handle.read(16))
    if kind is None:  # not one of ours (a file changed on disk): no type a browser would run
        return f"{stem}.bin", "application/octet-stream"
    content_type, extension = kind
    return f"{stem}{extension}", content_type
