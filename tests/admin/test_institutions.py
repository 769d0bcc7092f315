"""Partner institutions and faculty accounts made by the secretariat."""

import re

import pytest
import sqlalchemy as sa

from tests.admin.conftest import login
from tests.conftest import submit
from wired4ex.audit import AuditEvent
from wired4ex.auth.models import User
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db

NEW = {"slug": "kisumu-training-centre", "name": "Kisumu Health Training Centre",
       "short_name": "KHTC", "country": "Kenya", "website": "https://khtc.example",
       "description": "Short courses for facility managers."}  # fmt: skip


@pytest.fixture
def admin(app, make_user):
    make_user(email="admin@example.org", roles=("member", "admin"), category="honorary")
    return login(app, "admin@example.org")


def test_create_and_edit_an_institution_with_audit(app, admin):
    response = submit(admin, "/admin/institutions/new", NEW)
    assert response.status_code == 302
    made = db.session.scalar(sa.select(Institution).where(Institution.slug == NEW["slug"]))
    assert made.source == "editor" and made.name == NEW["name"]
    page = f"/admin/institutions/{made.id}"
    edited = submit(admin, page, {**NEW, "slug": "ignored", "name": "Kisumu Health Institute"})
    assert edited.status_code == 302
    db.session.expire_all()
    made = db.session.get(Institution, made.id)
    assert made.name == "Kisumu Health Institute" and made.slug == NEW["slug"]
    events = list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.subject_type == "institution").order_by(AuditEvent.id)
    ))  # fmt: skip
    assert [e.action for e in events] == ["institution.created", "institution.updated"]
    assert events[1].before == {"name": NEW["name"]}
    assert events[1].after == {"name": "Kisumu Health Institute"}


@pytest.mark.parametrize(
    "slug, message",
    [("Kisumu Centre", "lower-case letters"), ("-bad", "lower-case letters"),
     ("", "This field is required."), ("taken", "already uses this slug")],
)  # fmt: skip
def test_institution_slug_rules(app, admin, slug, message):
    db.session.add(Institution(slug="taken", name="T", short_name="T", country="Kenya"))
    db.session.commit()
    response = submit(admin, "/admin/institutions/new", {**NEW, "slug": slug})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and NEW["name"] in page  # what was typed is kept


def test_create_a_faculty_account_sends_an_invitation(app, admin, outbox):
    submit(admin, "/admin/institutions/new", NEW)
    made = db.session.scalar(sa.select(Institution).where(Institution.slug == NEW["slug"]))
    page = f"/admin/institutions/{made.id}"
    response = submit(admin, page + "/faculty", {"full_name": "Dr Odhiambo Were",
                      "email": "Were@KHTC.example", "country": "KE",
                      "membership_category": "professional"}, page=page)  # fmt: skip
    assert response.status_code == 302
    faculty = db.session.scalar(sa.select(User).where(User.email == "were@khtc.example"))
    assert faculty.role_names == {"member", "faculty"} and faculty.institution_id == made.id
    assert faculty.email_confirmed_at is not None  # invited by the secretariat: confirmed
    [message] = outbox.messages()
    assert message["To"] == "were@khtc.example"
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+)", message.get_content()).group(1)
    client = app.test_client()
    chosen = submit(client, link, {"password": "a-long-new-faculty-password",
                                   "confirm": "a-long-new-faculty-password"})  # fmt: skip
    assert chosen.status_code == 302
    assert submit(client, "/login", {"email": "were@khtc.example",
                                     "password": "a-long-new-faculty-password"}).status_code == 302  # fmt: skip
    again = submit(admin, page + "/faculty", {"full_name": "Someone", "email": "were@khtc.example",
                   "country": "KE", "membership_category": "professional"}, page=page)  # fmt: skip
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)
    assert "faculty.created" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_a_faculty_invitation_can_be_sent_in_swahili(admin, outbox):
    submit(admin, "/admin/institutions/new", NEW)
    made = db.session.scalar(sa.select(Institution).where(Institution.slug == NEW["slug"]))
    page = f"/admin/institutions/{made.id}"
    response = submit(admin, page + "/faculty", {"full_name": "Dkt Amina Juma",
                      "email": "amina@khtc.example", "country": "TZ",
                      "membership_category": "professional", "language": "sw"}, page=page)  # fmt: skip
    assert response.status_code == 302
    faculty = db.session.scalar(sa.select(User).where(User.email == "amina@khtc.example"))
    assert faculty.language == "sw"
    [message] = outbox.messages()
    assert message["Subject"] != "Your Wired4EX faculty account"
    assert "/password/reset/" in message.get_content()
    assert "Mpendwa" in message.get_content()
