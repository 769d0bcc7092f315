"""The question about a claim reaches the member through the real queue and a real SMTP server
(aiosmtpd), even when the server was down while the question was asked."""

import time

from tests.conftest import PASSWORD, submit
from tests.notifications.conftest import (  # noqa: F401  (fixtures)
    consumer,
    delivery_app,
    queue_kind,
    smtp,
)
from tests.notifications.test_delivery import statuses, wait_until
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db


def test_the_question_is_mailed_once_when_the_server_returns(
    delivery_app,  # noqa: F811
    consumer,  # noqa: F811
    smtp,  # noqa: F811
    make_user,
    make_claim,
):
    make_user(email="secretariat@example.org", roles=("member", "admin"), full_name="Asha Admin")
    admin = delivery_app.test_client()
    submit(admin, "/login", {"email": "secretariat@example.org", "password": PASSWORD})
    claim = make_claim(make_user(email="claimant@example.org", language="sw"))
    smtp.stop()
    question = "Who signed the attendance certificate?"
    response = submit(admin, f"/cpd/review/{claim.id}/ask", {"question": question},
                      page=f"/cpd/review/{claim.id}")  # fmt: skip
    assert response.status_code == 302  # answered without waiting for the server
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "info_requested"
    assert wait_until(lambda: statuses() == ["retrying"]), statuses()
    smtp.start()
    smtp.wait_for(1)
    time.sleep(3)  # a duplicate would arrive within the next retry
    ((rcpt, mail),) = smtp.mails
    assert rcpt == ("claimant@example.org",)
    assert mail["Subject"] == "Maelezo zaidi yanahitajika kuhusu dai lako la CPD"
    assert question in mail.get_body(("plain",)).get_content()
    assert wait_until(lambda: statuses() == ["sent"]), statuses()
