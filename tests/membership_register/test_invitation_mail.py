"""The invitations of an import go through the outbox and a real SMTP server; a refused address
does not stop the others."""

import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.membership_register.test_register_import import csv_of
from wired4ex.auth.models import AccountToken
from wired4ex.extensions import db
from wired4ex.membership.import_apply import apply_import
from wired4ex.membership.invitations import send_invitations


class Recorder:
    """An SMTP handler that keeps each message and counts the connections."""

    def __init__(self):
        self.messages, self.sessions = [], set()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.endswith("@refused.example"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    yield handler
    controller.stop()
    app.config.update(MAIL_SERVER="")


def test_invitations_are_delivered_and_a_refused_address_does_not_stop_them(
    app, admin, smtp_server
):
    rows = [[f"Member {i}", f"m{i}@county.example", "student", "", "2024-01-01", "", "KE"]
            for i in range(12)]  # fmt: skip
    rows.append(["Gone", "gone@refused.example", "student", "", "2024-01-01", "", "KE"])
    report = apply_import(csv_of(*rows), by=admin)
    assert report.applied
    assert send_invitations(report.invited) == 13  # queued; the server refuses one when sent
    assert len(smtp_server.messages) == 12
    recipients = sorted(to[0] for to, _body in smtp_server.messages)
    assert recipients == sorted(f"m{i}@county.example" for i in range(12))
    assert all("/password/reset/" in body for _to, body in smtp_server.messages)
    tokens = db.session.scalar(
        sa.select(sa.func.count()).select_from(AccountToken).where(AccountToken.purpose == "reset")
    )
    assert tokens == 13  # one link per new account, issued in one transaction
