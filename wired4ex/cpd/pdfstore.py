"""Issued statements' PDFs kept as files: a statement never changes once issued, so its PDF is
rendered once per language (and letterhead) and served from the file afterwards.

The files live in STATEMENT_PDF_DIR (default instance/statement-pdfs; share it between app
servers like EVIDENCE_DIR, or let each keep its own). A file's name carries the statement's code
and a digest of everything else the PDF is drawn from (the verification link, the reader's
language, the association's details, the layout's version), so a changed setting renders anew.
Files are written whole under a temporary name and renamed, so a reader never sees half a file;
a folder that cannot be written only means rendering every time.
"""

import contextlib
import hashlib
import json
import logging
import os
import secrets
from dataclasses import asdict
from pathlib import Path

from flask import current_app
from flask_babel import get_locale

from wired4ex.cpd.documents import render_pdf
from wired4ex.documents import issuer

LAYOUT_VERSION = "1"  # raise when render_pdf draws statements differently

log = logging.getLogger(__name__)


def pdf_path(statement, verify_url: str) -> Path:
    drawn_from = [verify_url, str(get_locale()), asdict(issuer()), LAYOUT_VERSION]
    digest = hashlib.sha256(json.dumps(drawn_from, sort_keys=True).encode()).hexdigest()[:20]
    return Path(current_app.config["STATEMENT_PDF_DIR"]) / f"{statement.code}-{digest}.pdf"


def stored_pdf(statement, verify_url: str) -> bytes:
    """The statement's PDF: from its file when rendered before, else rendered and kept."""
    path = pdf_path(statement, verify_url)
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = render_pdf(statement, verify_url)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        log.warning("statement PDF not kept in %s: %s", path.parent, error)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return data
