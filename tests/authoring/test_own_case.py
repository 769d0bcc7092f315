"""Nobody decides their own case: an admin who wrote a draft (as faculty) cannot review,
return or publish it, in the services (the rule) or through the page; another admin can."""

import pytest
import sqlalchemy as sa

from tests.authoring.conftest import MODULE, login
from tests.authoring.test_authoring_flow import create_course, new_draft
from tests.conftest import submit
from wired4ex.auth.access import OwnCaseError
from wired4ex.authoring import services
from wired4ex.authoring.models import Draft
from wired4ex.extensions import db

REFUSAL = "another administrator must decide this"


def test_an_admin_cannot_review_a_draft_they_wrote(app, make_user, institution, admin):
    author = make_user(email="dean@lru.example", roles=("member", "faculty", "admin"),
                       institution_id=institution.id)  # fmt: skip
    client = login(app, "dean@lru.example")
    course = create_course(client)
    url = new_draft(client, course)
    assert submit(client, url, {**MODULE, "submit_review": "1"}).status_code == 302
    draft = db.session.scalar(sa.select(Draft))
    review = f"/authoring/drafts/{draft.id}/review"
    page = client.get(review).get_data(as_text=True)
    assert REFUSAL in page and 'name="approve"' not in page
    for action in ({"approve": "1", "comment": ""}, {"send_back": "1", "comment": "Redo it."}):
        refused = submit(client, review, action, page="/authoring/reviews")
        assert refused.status_code == 403 and REFUSAL in refused.get_data(as_text=True)
    db.session.expire_all()
    draft = db.session.get(Draft, draft.id)
    assert draft.status == "in_review" and draft.published_version_id is None
    with pytest.raises(OwnCaseError):
        services.approve_draft(author, course, draft)
    with pytest.raises(OwnCaseError):
        services.return_draft(author, draft, "Redo it.")
    assert submit(admin, review, {"approve": "1", "comment": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Draft, draft.id).status == "published"
