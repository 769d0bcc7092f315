"""Faculty hear when their draft is returned or published; admins see new work in the app and get
one daily digest of what waits (or a mail per item, by preference)."""

import sqlalchemy as sa

from tests.authoring.conftest import MODULE
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import submit
from wired4ex.authoring.models import Draft
from wired4ex.extensions import db
from wired4ex.notifications.models import MailMessage, Notification, NotificationPreference


def kinds_for(email):
    return [
        m.kind
        for m in db.session.scalars(
            sa.select(MailMessage).where(MailMessage.to_address == email).order_by(MailMessage.id)
        )
    ]


def test_draft_returned_published_and_the_admins_digest(app, faculty, admin, runner, outbox):
    course = create_course(faculty)
    url = new_draft(faculty, course)
    assert submit(faculty, url, {**MODULE, "submit_review": "1"}).status_code == 302
    draft = db.session.scalar(sa.select(Draft))
    waiting = db.session.scalar(sa.select(Notification).where(Notification.kind == "admin_waiting"))
    assert waiting.link == "/authoring/reviews"
    assert kinds_for("reviewer@hesma.example") == []  # the digest is the default
    for _run in range(2):
        result = runner.invoke(args=["notifications", "send-due", "--today", "2026-06-01"])
        assert "; 1 digest(s)" in result.output or "; 0 digest(s)" in result.output
    assert kinds_for("reviewer@hesma.example") == ["admin_digest"]
    (digest,) = [m for m in outbox.messages() if m["To"] == "reviewer@hesma.example"]
    assert "Drafts to review: 1" in digest.get_content()
    assert "http://localhost/authoring/reviews" in digest.get_content()
    returned = submit(admin, f"/authoring/drafts/{draft.id}/review",
                      {"send_back": "1", "comment": "Add the cost of the driver's lunch."})  # fmt: skip
    assert returned.status_code == 302
    mail = [m for m in outbox.messages() if m["To"] == "lecturer@lru.example"][-1]
    assert mail["Subject"] == 'Your draft "Costing a community outreach" was returned with comments'
    assert "Add the cost of the driver's lunch." in mail.get_content()
    assert f"http://localhost/authoring/drafts/{draft.id}" in mail.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert submit(faculty, url, {**MODULE, "submit_review": "1"}).status_code == 302
    approved = submit(
        admin, f"/authoring/drafts/{draft.id}/review", {"approve": "1", "comment": ""}
    )
    assert approved.status_code == 302
    assert kinds_for("lecturer@lru.example") == ["draft_returned", "draft_published"]


def test_an_admin_may_ask_for_a_mail_per_item(app, faculty, admin, make_user):
    reviewer = db.session.scalar(sa.select(db.metadata.tables["users"].c.id).where(
        db.metadata.tables["users"].c.email == "reviewer@hesma.example"))  # fmt: skip
    db.session.add(NotificationPreference(user_id=reviewer, kind="admin_waiting", channel="each"))
    db.session.commit()
    course = create_course(faculty)
    url = new_draft(faculty, course)
    assert submit(faculty, url, {**MODULE, "submit_review": "1"}).status_code == 302
    assert kinds_for("reviewer@hesma.example") == ["admin_waiting"]
