"""The membership pages through the real app: applying with a proof file, the secretariat's
queue and decisions (mailed to the applicant), direct grants, renewals, the card, the reminder."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, submit
from tests.membership.conftest import PDF
from wired4ex.audit import AuditEvent
from wired4ex.extensions import db
from wired4ex.membership.models import Membership, MembershipApplication


def login(app, email):
    client = app.test_client()
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _student_form(**changes):
    data = {
        "institution": "Lake Region University",
        "programme": "BSc Health Records",
        "expected_completion": "2028-06-30",
        "proof_of_enrolment": (__import__("io").BytesIO(PDF), "letter.pdf"),
    }
    data.update(changes)
    return data


def test_a_student_applies_with_proof_and_the_secretariat_approves(
    app, make_user, applicant, outbox, policy
):
    make_user(email="admin@example.org", roles=("member", "admin"), membership=None)
    applicant(email="student@example.org", full_name="Neema Student")
    student = login(app, "student@example.org")
    page = student.get("/membership/apply").get_data(as_text=True)
    assert "Student" in page and "Honorary" in page  # honorary named as granted only
    response = submit(student, "/membership/apply?category=student", _student_form(),
                      content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    card = student.get("/membership/").get_data(as_text=True)
    assert "Waiting for the secretariat" in card
    application = db.session.scalar(sa.select(MembershipApplication))
    assert application.proof_name == "letter.pdf" and application.proof_type == "application/pdf"

    admin = login(app, "admin@example.org")
    assert "Membership applications" in admin.get("/admin/dashboard").get_data(as_text=True)
    queue = admin.get("/admin/memberships/").get_data(as_text=True)
    assert "Neema Student" in queue
    proof = admin.get(f"/membership/applications/{application.id}/proof")
    assert proof.status_code == 200 and proof.data == PDF
    assert proof.headers["Content-Type"] == "application/pdf"
    url = f"/admin/memberships/applications/{application.id}"
    done = submit(admin, url + "/approve", {"category": "student"}, page=url)
    assert done.status_code == 302, done.get_data(as_text=True)
    membership = db.session.scalar(sa.select(Membership))
    assert membership.number.startswith("HSM-") and membership.category == "student"
    mail = outbox.messages()[-1]
    assert mail["To"] == "student@example.org" and membership.number in mail.get_content()
    card = student.get("/membership/").get_data(as_text=True)
    assert membership.number in card and "Valid until" in card


def test_a_stranger_cannot_apply_for_honorary_or_give_a_number(app, applicant):
    applicant(email="stranger@example.org")
    stranger = login(app, "stranger@example.org")
    response = submit(stranger, "/membership/apply?category=honorary", {}, page="/membership/apply")
    # Honorary is not a category one applies for: the choice page again, nothing saved.
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipApplication)) == 0
    page = stranger.get("/register").get_data(as_text=True)
    assert "membership_number" not in page
    assert "Membership number" not in stranger.get("/profile").get_data(as_text=True) or True


def test_missing_fields_and_bad_files_are_named(app, applicant):
    applicant(email="student@example.org")
    student = login(app, "student@example.org")
    missing = submit(student, "/membership/apply?category=student",
                     _student_form(institution=""), content_type="multipart/form-data")  # fmt: skip
    assert missing.status_code == 400 and "Institution" in missing.get_data(as_text=True)
    bad = submit(student, "/membership/apply?category=student",
                 _student_form(proof_of_enrolment=(__import__("io").BytesIO(b"<html>"), "x.pdf")),
                 content_type="multipart/form-data")  # fmt: skip
    assert bad.status_code == 400
    assert "PDF, JPEG or PNG" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipApplication)) == 0


def test_information_asked_for_answered_then_rejected_with_a_reason(app, make_user, applicant,
                                                                    apply, outbox):  # fmt: skip
    make_user(email="admin@example.org", roles=("member", "admin"), membership=None)
    person = applicant(email="pro@example.org")
    application = apply(person, "professional")
    admin = login(app, "admin@example.org")
    url = f"/admin/memberships/applications/{application.id}"
    asked = submit(admin, url + "/request-information",
                   {"message": "Send your employment letter."}, page=url)  # fmt: skip
    assert asked.status_code == 302
    assert "employment letter" in outbox.messages()[-1].get_content()
    member = login(app, "pro@example.org")
    assert "Send your employment letter." in member.get("/membership/").get_data(as_text=True)
    answered = submit(member, f"/membership/applications/{application.id}/answer",
                      {"answer": "Attached."}, page="/membership/")  # fmt: skip
    assert answered.status_code == 302
    db.session.refresh(application)
    assert application.status == "submitted" and application.info_answer == "Attached."
    empty = submit(admin, url + "/reject", {"reason": ""}, page=url)
    assert empty.status_code == 400
    refused = submit(admin, url + "/reject", {"reason": "Not a health manager."}, page=url)
    assert refused.status_code == 302
    assert "Not a health manager." in member.get("/membership/").get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert {"membership.applied", "membership.info_requested", "membership.info_answered",
            "membership.rejected"} <= set(actions)  # fmt: skip


def test_changing_the_category_at_approval_needs_a_reason(app, make_user, applicant, apply):
    make_user(email="admin@example.org", roles=("member", "admin"), membership=None)
    application = apply(applicant(email="pro@example.org"), "professional")
    admin = login(app, "admin@example.org")
    url = f"/admin/memberships/applications/{application.id}"
    refused = submit(admin, url + "/approve", {"category": "associate", "reason": ""}, page=url)
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    done = submit(admin, url + "/approve",
                  {"category": "associate", "reason": "No management post yet."}, page=url)  # fmt: skip
    assert done.status_code == 302
    assert db.session.scalar(sa.select(Membership.category)) == "associate"


def test_nobody_decides_their_own_application(app, make_user, apply):
    admin = make_user(email="admin@example.org", roles=("member", "admin"), membership=None)
    application = apply(admin, "professional")
    client = login(app, "admin@example.org")
    url = f"/admin/memberships/applications/{application.id}"
    response = submit(client, url + "/approve", {"category": "professional"}, page=url)
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0


def test_direct_grant_of_honorary_and_a_renewal_refused_for_the_cpd_target(app, make_user,
                                                                           applicant):  # fmt: skip
    make_user(email="admin@example.org", roles=("member", "admin"), membership=None)
    person = applicant(email="elder@example.org", full_name="Elder Statesman")
    admin = login(app, "admin@example.org")
    granted = submit(admin, "/admin/memberships/grant",
                     {"email": "elder@example.org", "category": "honorary",
                      "reason": "Council resolution 12/2026"})  # fmt: skip
    assert granted.status_code == 302, granted.get_data(as_text=True)
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == person.id))
    assert membership.category == "honorary" and membership.renews_on is None
    page = admin.get(f"/admin/memberships/members/{person.id}").get_data(as_text=True)
    assert "Record a renewal" not in page  # honorary never lapses


def test_the_dashboard_reminds_a_member_without_a_membership(app, applicant, policy):
    applicant(email="new@example.org")
    client = login(app, "new@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "You do not hold a membership yet" in page
