"""CPD claims, decisions, adjustments and audit outcomes holding XSS payloads, typed through the
real forms: shown back escaped on the member's pages, the review queue, the member records and
the audit log; printed literally in the CPD statement PDF; written as text in its CSV."""

import re
from io import BytesIO

import sqlalchemy as sa

from tests.conftest import PASSWORD, issue_statement, submit
from tests.cpd.conftest import PDF
from tests.documents import pdf_text
from tests.security.payloads import (
    csv_cells,
    flat,
    formula_cells,
    page_problems,
    pdf_raw_text,
    report,
    sample,
)
from wired4ex.cpd.models import AuditSample, Claim
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

PAYLOADS = sample(per_file=4, max_length=200)  # an activity title holds 200 characters
NAME = "<img src=x onerror=alert('name')> Amina \"Otieno\""


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def claim_form(title: str, provider: str, reflection: str, filename: str = "certificate.pdf"):
    today = local_today().isoformat()
    return {
        "title": title, "provider": provider, "category": "conference", "start_date": today,
        "end_date": today, "hours": "6", "points_claimed": "4", "reflection": reflection,
        "competencies": [], "evidence": (BytesIO(PDF), filename), "submit_claim": "1",
    }  # fmt: skip


def browser_filename(payload: str) -> str:
    """A file name as a browser sends it: quotes percent-encoded (Werkzeug's test client would
    write them raw and cut the multipart header short)."""
    return payload[:60].replace('"', "%22").replace("\\", "%5C") + ".pdf"


def reflection_of(payload: str) -> str:
    return f"What changed in my practice: {payload}"


def test_payloads_in_claims_and_decisions_are_escaped_everywhere(
    app, make_user, synced_content, tmp_path
):
    member = make_user(email="claimant@example.org", full_name=NAME)
    make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    client, admin = log_in(app, "claimant@example.org"), log_in(app, "admin@example.org")
    failures: dict[str, list[str]] = {}
    claims = []  # (claim id, title, provider, reflection)
    for number, payload in enumerate(PAYLOADS):
        provider = PAYLOADS[(number + 1) % len(PAYLOADS)]
        reflection = reflection_of(PAYLOADS[(number + 2) % len(PAYLOADS)])
        response = submit(
            client, "/cpd/claims/new", claim_form(payload, provider, reflection, browser_filename(payload)),
            content_type="multipart/form-data",
        )  # fmt: skip
        assert response.status_code == 302, (
            payload,
            re.findall(r'-error">([^<]*)', response.get_data(as_text=True)),
        )
        claim_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        claims.append((claim_id, payload, provider, reflection))
        page = client.get(f"/cpd/claims/{claim_id}").get_data(as_text=True)
        failures[f"member's claim page {payload!r}"] = page_problems(
            page, payload, provider, reflection
        )
        # A submitted claim is frozen: its edit address shows the claim again, with a message.
        edit = client.get(f"/cpd/claims/{claim_id}/edit", follow_redirects=True)
        failures[f"edit address {payload!r}"] = page_problems(
            edit.get_data(as_text=True), payload, provider, reflection
        )
    db.session.rollback()
    stored = {c.id: c for c in db.session.scalars(sa.select(Claim))}
    assert all(stored[i].title == t and stored[i].reflection == r for i, t, _, r in claims)

    # A refused form (a category not in the list) shows the typed values back, escaped.
    refused = submit(
        client, "/cpd/claims/new", {**claim_form(PAYLOADS[0], PAYLOADS[1], reflection_of(PAYLOADS[2])),
                                    "category": PAYLOADS[3]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 400
    failures["refused claim form"] = page_problems(
        refused.get_data(as_text=True), PAYLOADS[0], PAYLOADS[1], reflection_of(PAYLOADS[2])
    )

    queue = admin.get("/cpd/review").get_data(as_text=True)
    failures["review queue"] = page_problems(queue, NAME, *(title for _, title, _, _ in claims))
    for claim_id, title, provider, reflection in claims:
        review = admin.get(f"/cpd/review/{claim_id}").get_data(as_text=True)
        failures[f"review page {title!r}"] = page_problems(
            review, NAME, title, provider, reflection
        )

    # Decisions: every third rejected, every third approved with fewer points, the rest approved.
    reasons = {}
    for index, (claim_id, title, _, _) in enumerate(claims):
        reason = PAYLOADS[(index + 3) % len(PAYLOADS)]
        if index % 3 == 0:
            decision = {"decision": "reject", "points_approved": "", "reason": reason}
        elif index % 3 == 1:
            decision = {"decision": "approve", "points_approved": "2", "reason": reason}
        else:
            decision = {"decision": "approve", "points_approved": "4", "reason": ""}
            reason = None
        decided = submit(admin, f"/cpd/review/{claim_id}", decision)
        assert decided.status_code == 302, decided.get_data(as_text=True)[:2000]
        reasons[claim_id] = reason
        if reason:
            page = client.get(f"/cpd/claims/{claim_id}").get_data(as_text=True)
            failures[f"decided claim {title!r}"] = page_problems(page, title, reason)
    my_cpd = client.get("/cpd/").get_data(as_text=True)
    failures["member's CPD page"] = page_problems(
        my_cpd, *(title for _, title, _, _ in claims), *filter(None, reasons.values())
    )

    # An adjustment with a payload reason.
    adjustment = PAYLOADS[-1]
    adjusted = submit(
        admin, f"/cpd/members/{member.id}/adjust",
        {"points": "1.5", "category": "association", "activity_date": local_today().isoformat(),
         "reason": adjustment},
        page=f"/cpd/members/{member.id}",
    )  # fmt: skip
    assert adjusted.status_code == 302, adjusted.get_data(as_text=True)[:2000]
    for url in (f"/cpd/members/{member.id}", f"/admin/members/{member.id}"):
        page = admin.get(url).get_data(as_text=True)
        failures[url] = page_problems(page, NAME, adjustment, *(t for _, t, _, _ in claims))
    failures["member's CPD page, adjusted"] = page_problems(
        client.get("/cpd/").get_data(as_text=True), adjustment
    )

    # An audit sample of every member with claims, and an outcome with payload notes.
    drawn = submit(admin, "/cpd/audits", {"cycle": str(local_today().year), "percentage": "100"})
    assert drawn.status_code == 302, drawn.get_data(as_text=True)[:2000]
    db.session.rollback()
    sample_row = db.session.scalar(sa.select(AuditSample))
    (sampled,) = sample_row.members
    notes = PAYLOADS[len(PAYLOADS) // 2]
    url = f"/cpd/audits/{sample_row.id}"
    recorded = submit(
        admin, f"{url}/members/{sampled.id}", {"outcome": "failed", "notes": notes}, page=url
    )
    assert recorded.status_code == 302
    audit_page = admin.get(url).get_data(as_text=True)
    failures["audit sample"] = page_problems(audit_page, NAME, notes)
    failures["audit log"] = page_problems(admin.get("/admin/audit").get_data(as_text=True))

    # The statement: the approved claims, printed as literal text and written as CSV cells.
    db.session.rollback()
    approved = [
        (title, provider)
        for claim_id, title, provider, _ in claims
        if db.session.get(Claim, claim_id).status == "approved"
    ]
    assert approved
    year = local_today().year
    pdf = issue_statement(client, "pdf", cycle=year)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    printed = flat(pdf_raw_text(pdf.data, tmp_path))
    assert flat(NAME) in flat(pdf_text(pdf.data, tmp_path)), "the name is not printed literally"
    missing = [
        value for title, provider in approved for value in (title, provider)
        if flat(value) not in printed
    ]  # fmt: skip
    assert missing == [], f"not printed literally in the statement PDF: {missing}"
    sheet = issue_statement(client, "csv", cycle=year)
    assert sheet.status_code == 200
    cells = csv_cells(sheet.data)
    for title, provider in approved:
        for value in (title, provider):
            assert value in cells or "'" + value in cells, f"{value!r} not a cell of the CSV"
    assert formula_cells(sheet.data) == []
    assert not any(failures.values()), report(failures)


def test_the_pdf_check_catches_markup_instead_of_text(tmp_path):
    """The check itself: a PDF that printed "&lt;b&gt;" for "<b>" is reported."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = BytesIO()
    SimpleDocTemplate(buffer).build(
        [Paragraph("&amp;lt;b&amp;gt;bold", getSampleStyleSheet()["Normal"])]
    )
    text = flat(pdf_raw_text(buffer.getvalue(), tmp_path))
    assert "&lt;b&gt;bold" in text
    assert flat("<b>bold") not in text
