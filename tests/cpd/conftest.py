"""Fixtures for CPD tests: the real policy files loaded, claims made through the real services."""

import hashlib
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import yaml
from werkzeug.datastructures import FileStorage

from tests.conftest import PASSWORD, ROOT, submit
from wired4ex.catalog.content import ContentTree
from wired4ex.catalog.sync import sync_content
from wired4ex.cpd import services
from wired4ex.cpd.policy import load_policy

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(data: bytes = PDF, filename: str = "certificate.pdf") -> FileStorage:
    return FileStorage(BytesIO(data), filename=filename)


@pytest.fixture
def policy(app):
    """The real content/policy files, synced (policies only, no courses)."""
    tree = ContentTree(root=ROOT / "content")
    for name in ("cpd", "competencies"):
        raw = (ROOT / "content" / "policy" / f"{name}.yml").read_bytes()
        tree.policies[name] = (yaml.safe_load(raw), hashlib.sha256(raw).hexdigest())
    sync_content(tree)
    return load_policy()


def claim_input(**changes) -> services.ClaimInput:
    values = dict(
        title="Regional quality improvement summit",
        provider="East African Health Quality Network",
        category="conference",
        start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 12),
        hours=Decimal("18"),
        points_claimed=Decimal("8"),
        reflection="We introduced weekly run charts in the maternity ward after the summit.",
        competencies=["QS1"],
    )
    values.update(changes)
    return services.ClaimInput(**values)


@pytest.fixture
def make_claim(policy):
    """Build a claim through the service: make_claim(user, submit=True, **fields)."""

    def build(user, submit=True, evidence=True, **changes):
        return services.save_claim(
            user, claim_input(**changes), upload=upload() if evidence else None, submit=submit
        )

    return build


@pytest.fixture
def admin_client(app, make_user):
    """The secretariat (Asha Admin), logged in."""
    make_user(email="secretariat@example.org", roles=("member", "admin"), full_name="Asha Admin")
    client = app.test_client()
    submit(client, "/login", {"email": "secretariat@example.org", "password": PASSWORD})
    return client
