"""Certification applications holding XSS payloads (the holder's name, the statement, the
secretariat's reasons): shown back escaped on the admin pages and the public verify page, the
name printed literally on the certificate PDF and carried as plain JSON in the Open Badge."""

import base64
import json

import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from tests.documents import pdf_text
from tests.security.payloads import flat, page_problems, report, sample, words_off_the_page
from wired4ex.certification.models import Application, Certificate
from wired4ex.cpd.verifiable import format_code
from wired4ex.extensions import db

NAMES = sorted(sample(per_file=1, max_length=120), key=len, reverse=True)  # longest first
STATEMENTS = sample(per_file=2, max_length=3900)


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_payloads_in_applications_and_certificates(
    app,
    make_user,
    synced_content,
    make_ahsm_eligible,
    today,
    tmp_path,
):
    assert len(NAMES) >= 6
    make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    admin = log_in(app, "admin@example.org")
    failures: dict[str, list[str]] = {}
    people = []
    for number, name in enumerate(NAMES):
        email = f"applicant{number}@example.org"
        make_ahsm_eligible(make_user(email=email, full_name=name), today)
        statement = f"Why I apply: {STATEMENTS[number % len(STATEMENTS)]}"
        applied = submit(log_in(app, email), "/certification/AHSM/apply", {"statement": statement})
        assert applied.status_code == 302, applied.get_data(as_text=True)[:1500]
        people.append((email, name, statement))
    queue = admin.get("/certification/applications").get_data(as_text=True)
    failures["applications"] = page_problems(queue, *(name for _, name, _ in people))
    db.session.rollback()
    by_email = {a.member.email: a for a in db.session.scalars(sa.select(Application))}
    for index, (email, name, statement) in enumerate(people):
        url = f"/certification/applications/{by_email[email].id}"
        failures[url] = page_problems(admin.get(url).get_data(as_text=True), name, statement)
        rejected = index % 3 == 2  # the longest names are approved: their certificates are checked
        reason = STATEMENTS[-1 - index % len(STATEMENTS)][:2000] if rejected else ""
        decision = "reject" if rejected else "approve"
        decided = submit(admin, url, {"decision": decision, "reason": reason})
        assert decided.status_code == 302, decided.get_data(as_text=True)[:1500]
        if reason:
            failures[f"{url} decided"] = page_problems(
                admin.get(url).get_data(as_text=True), reason
            )

    db.session.rollback()
    issued = list(db.session.scalars(sa.select(Certificate)))
    assert len(issued) == len([i for i in range(len(people)) if i % 3 != 2])
    for certificate in issued:
        name = certificate.holder_name
        holder = log_in(app, certificate.member.email)
        pdf = holder.get(f"/certification/certificates/{certificate.id}.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        text = pdf_text(pdf.data, tmp_path)
        assert flat(name) in flat(text), f"{name!r} not printed literally on the certificate"
        off = words_off_the_page(pdf.data, tmp_path, margin=12 * 72 / 25.4)  # the outer frame
        assert off == [], f"{name!r} runs off the certificate: {off}"
        verify = app.test_client().get(f"/verify/{format_code(certificate.code)}")
        assert verify.status_code == 200
        failures[f"verify page of {name!r}"] = page_problems(verify.get_data(as_text=True), name)
        badge = app.test_client().get(f"/certification/badges/{certificate.code}.jwt")
        assert badge.status_code == 200 and badge.mimetype == "application/vc+jwt"
        assert badge.headers.get("X-Content-Type-Options") == "nosniff"
        payload = badge.get_data(as_text=True).split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert claims["credentialSubject"]["identifier"][0]["identityHash"] == name
        mine = holder.get("/certification/").get_data(as_text=True)
        failures[f"certification page of {name!r}"] = page_problems(mine)
    assert not any(failures.values()), report(failures)
