"""Membership test helpers: applications made through the real service, a proof file."""

import hashlib
from io import BytesIO

import pytest
import yaml
from werkzeug.datastructures import FileStorage

from tests.conftest import ROOT
from wired4ex.catalog.content import ContentTree
from wired4ex.catalog.sync import sync_content
from wired4ex.membership.applications import submit_application

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

PROFESSIONAL = {
    "current_position": "County health administrator",
    "employer": "Kisumu County Department of Health",
    "highest_qualification": "MSc Health Systems Management",
}
STUDENT = {
    "institution": "Lake Region University",
    "programme": "BSc Health Records",
    "expected_completion": "2028-06-30",
}


def proof(data: bytes = PDF, filename: str = "enrolment.pdf") -> FileStorage:
    return FileStorage(BytesIO(data), filename=filename)


@pytest.fixture
def applicant(make_user):
    """A confirmed person without a membership: make_user(membership=None)."""

    def build(**kwargs):
        kwargs.setdefault("membership", None)
        return make_user(**kwargs)

    return build


@pytest.fixture
def apply(app):
    """apply(user, "professional") or apply(user, "student", upload=proof())."""

    def build(user, category="professional", answers=None, upload=None):
        if answers is None:
            answers = STUDENT if category == "student" else PROFESSIONAL
        if category == "student" and upload is None:
            upload = proof()
        return submit_application(user, category, dict(answers), upload)

    return build


@pytest.fixture
def policy(app):
    """The real policy files synced (policies only, no courses)."""
    from wired4ex.cpd.policy import load_policy

    tree = ContentTree(root=ROOT / "content")
    for name in ("cpd", "competencies", "certifications", "membership"):
        raw = (ROOT / "content" / "policy" / f"{name}.yml").read_bytes()
        tree.policies[name] = (yaml.safe_load(raw), hashlib.sha256(raw).hexdigest())
    sync_content(tree)
    return load_policy()
