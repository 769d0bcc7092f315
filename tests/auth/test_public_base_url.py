"""Absolute links come from PUBLIC_BASE_URL, never from the Host header; production refuses other
hosts and refuses to start without PUBLIC_BASE_URL."""

import re

import pytest

from config import ProductionConfig
from tests.conftest import CSRF_FIELD
from wired4ex import create_app

BASE = "https://cpd.hesma.example"


def test_forgot_password_mails_the_configured_address_whatever_the_host(
    app, client, make_user, outbox
):
    app.config["PUBLIC_BASE_URL"] = BASE
    make_user(email="amina@example.org")
    evil = {"Host": "evil.example"}
    page = client.get("/password/forgot", headers=evil).get_data(as_text=True)
    token = CSRF_FIELD.search(page)
    data = {"email": "amina@example.org", "csrf_token": token.group(1) or token.group(2)}
    response = client.post("/password/forgot", data=data, headers=evil)
    assert response.status_code == 302
    (message,) = outbox.messages()
    body = message.get_content()
    assert re.search(r"https://cpd\.hesma\.example/password/reset/\S+", body)
    assert "evil.example" not in body


def _production(config_class, **settings):
    class Production(ProductionConfig):
        SECRET_KEY = "a-real-secret"
        SQLALCHEMY_DATABASE_URI = config_class.SQLALCHEMY_DATABASE_URI
        MAIL_OUTBOX = config_class.MAIL_OUTBOX
        EVIDENCE_DIR = config_class.EVIDENCE_DIR
        PUBLIC_BASE_URL = BASE
        TRUSTED_HOSTS = None

    for name, value in settings.items():
        setattr(Production, name, value)
    return Production


@pytest.mark.parametrize("value", [None, "", "not-a-url"])
def test_production_refuses_to_start_without_public_base_url(config_class, value):
    with pytest.raises(SystemExit, match="PUBLIC_BASE_URL is not set"):
        create_app(_production(config_class, PUBLIC_BASE_URL=value))


def test_production_answers_400_for_another_host(config_class, app):
    production = create_app(_production(config_class))
    client = production.test_client()
    evil = client.get("/login", headers={"Host": "evil.example"})
    assert evil.status_code == 400
    assert "evil.example" not in evil.get_data(as_text=True)
    assert client.get("/login", headers={"Host": "cpd.hesma.example"}).status_code == 200


def test_trusted_hosts_can_be_listed(config_class, app):
    settings = {"TRUSTED_HOSTS": ["cpd.hesma.example", "cpd.hesma.internal"]}
    client = create_app(_production(config_class, **settings)).test_client()
    assert client.get("/login", headers={"Host": "cpd.hesma.internal"}).status_code == 200
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400


def test_development_defaults_to_the_local_address(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert importlib.reload(config).DevelopmentConfig.PUBLIC_BASE_URL == "http://127.0.0.1:5000"
    importlib.reload(config)
