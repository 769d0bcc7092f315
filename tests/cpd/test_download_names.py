"""Evidence and CV downloads are named from the sniffed type, never from the uploader's name:
`evil.html` and `a.pdf\\0.html` come back as `claim-<id>-evidence.pdf`, `cv-<id>.pdf`."""

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from tests.conftest import PASSWORD, submit
from tests.cpd.conftest import PDF, claim_input, upload
from wired4ex.certification.models import Application
from wired4ex.cpd import evidence, services
from wired4ex.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def login(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def people(make_user, policy):
    member = make_user(email="claimant@example.org")
    make_user(email="reviewer@hesma.example", roles=("member", "admin"))
    return member


def disposition(response) -> str:
    return response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "name", "extension", "content_type"),
    [
        (PDF, "evil.html", "pdf", "application/pdf"),
        (PDF, "a.pdf\x00.html", "pdf", "application/pdf"),
        (PDF, "report.pdf.svg", "pdf", "application/pdf"),
        (PNG, "photo.html", "png", "image/png"),
        (JPEG, "scan.htm", "jpg", "image/jpeg"),
        (PDF, "", "pdf", "application/pdf"),
    ],
)
def test_evidence_is_named_from_its_content(app, people, data, name, extension, content_type):
    claim = services.save_claim(people, claim_input(), upload=upload(data, name), submit=True)
    for email in ("claimant@example.org", "reviewer@hesma.example"):
        response = login(app, email).get(f"/cpd/claims/{claim.id}/evidence")
        assert response.status_code == 200 and response.data == data
        expected = f"claim-{claim.id}-evidence.{extension}"
        assert disposition(response) == f"attachment; filename={expected}", disposition(response)
        assert response.mimetype == content_type
        assert "html" not in disposition(response) and "svg" not in disposition(response)


def test_evidence_uploaded_through_the_form_with_an_html_name(app, people):
    client = login(app, "claimant@example.org")
    form = {**claim_input().__dict__, "competencies": [], "submit_claim": "1",
            "evidence": (BytesIO(PDF), "evil.html")}  # fmt: skip
    form = {k: (str(v) if not isinstance(v, (list, tuple)) else v) for k, v in form.items()}
    response = submit(client, "/cpd/claims/new", form, content_type="multipart/form-data")
    assert response.status_code == 302
    claim_id = int(response.headers["Location"].rsplit("/", 1)[1])
    download = client.get(f"/cpd/claims/{claim_id}/evidence")
    assert disposition(download) == f"attachment; filename=claim-{claim_id}-evidence.pdf"
    assert download.mimetype == "application/pdf"


def test_a_cv_is_named_from_its_content(app, people):
    stored = evidence.store(FileStorage(BytesIO(PDF), filename="a.pdf\x00.html"))
    application = Application(
        user_id=people.id, programme_code="AHSM", statement="I lead a sub-county team.",
        cv_name=stored.original_name, cv_stored_as=stored.stored_as, cv_size=stored.size,
        eligibility={},
    )  # fmt: skip
    db.session.add(application)
    db.session.commit()
    for email in ("claimant@example.org", "reviewer@hesma.example"):
        response = login(app, email).get(f"/certification/applications/{application.id}/cv")
        assert response.status_code == 200 and response.data == PDF
        assert disposition(response) == f"attachment; filename=cv-{application.id}.pdf"
        assert response.mimetype == "application/pdf"
