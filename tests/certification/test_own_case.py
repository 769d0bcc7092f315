"""Nobody decides their own case: an admin who applied for a certification cannot decide the
application, in the service (the rule) or through the page; another admin can."""

import pytest

from tests.certification.conftest import STATEMENT, applications, certificates, login
from tests.conftest import submit
from wired4ex.auth.access import OwnCaseError
from wired4ex.certification import services
from wired4ex.certification.eligibility import load_programmes

REFUSAL = "another administrator must decide this"


def test_an_admin_cannot_decide_their_own_application(app, make_user, make_ahsm_eligible, today):
    applicant = make_user(email="chief@hesma.example", roles=("member", "admin"))
    make_user(email="deputy@hesma.example", roles=("member", "admin"))
    make_ahsm_eligible(applicant, today)
    own = login(app, "chief@hesma.example")
    assert submit(own, "/certification/AHSM/apply", {"statement": STATEMENT}).status_code == 302
    (application,) = applications()
    url = f"/certification/applications/{application.id}"
    page = own.get(url).get_data(as_text=True)
    assert REFUSAL in page and 'name="decision"' not in page
    refused = submit(own, url, {"decision": "approve", "reason": ""}, page="/certification/")
    assert refused.status_code == 403 and REFUSAL in refused.get_data(as_text=True)
    assert applications()[0].status == "submitted" and certificates() == []
    programme = next(p for p in load_programmes() if p.code == "AHSM")
    with pytest.raises(OwnCaseError):
        services.decide_application(application, applicant, True, "", programme, today)
    assert certificates() == []
    other = login(app, "deputy@hesma.example")
    assert submit(other, url, {"decision": "approve", "reason": ""}).status_code == 302
    assert len(certificates()) == 1
