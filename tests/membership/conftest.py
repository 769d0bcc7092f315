"""Membership test helpers: applications made through the real service, a proof file."""

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

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
