"""Choosing the language: the header switch (a plain form), the profile, the browser's
Accept-Language; and dates and numbers written the way each language writes them."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import render_template_string
from flask_babel import force_locale

from tests.conftest import submit
from wired4ex.auth.models import User
from wired4ex.extensions import db


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page does not say its language"
    return match.group(1)


def test_a_visitor_reads_the_language_their_browser_asks_for(client):
    swahili = client.get("/login", headers={"Accept-Language": "sw-KE,sw;q=0.9,en;q=0.5"})
    assert page_language(swahili) == "sw"
    text = swahili.get_data(as_text=True)
    assert ">Ingia<" in text and ">Kozi<" in text and ">Jisajili<" in text
    assert ">Log in<" not in text

    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert page_language(english) == "en"
    assert ">Log in<" in english.get_data(as_text=True)


def test_an_unsupported_browser_language_falls_back_to_english(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.8"})
    assert page_language(response) == "en"


def test_the_header_switch_works_without_javascript_and_returns_to_the_page(client):
    response = submit(
        client, "/language", {"language": "sw", "next": "/login?next=/cpd/"}, page="/login"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/cpd/"

    # The choice outranks the browser's own preference for the rest of the visit.
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert page_language(page) == "sw"
    text = page.get_data(as_text=True)
    # The switch now offers the way back, named in its own language.
    assert 'value="en" lang="en"' in text and ">English</button>" in text

    back = submit(client, "/language", {"language": "en", "next": "/"}, page="/login")
    assert back.status_code == 302
    assert page_language(client.get("/login")) == "en"


def test_the_switch_refuses_unknown_languages_and_foreign_redirects(client):
    assert submit(client, "/language", {"language": "fr"}, page="/login").status_code == 400
    assert submit(client, "/language", {}, page="/login").status_code == 400
    away = submit(
        client, "/language", {"language": "sw", "next": "https://evil.example/"}, page="/login"
    )
    assert away.status_code == 302
    assert away.headers["Location"] == "/"
    # Without the form's CSRF token nothing changes.
    assert client.post("/language", data={"language": "en"}).status_code == 400
    assert page_language(client.get("/login")) == "sw"


def test_a_members_choice_is_saved_in_the_profile_and_outlasts_the_session(client, auth, make_user):
    member = make_user(email="amina@example.org")
    auth.login("amina@example.org")
    assert page_language(client.get("/profile")) == "en"

    submit(client, "/language", {"language": "sw", "next": "/profile"}, page="/profile")
    assert db.session.get(User, member.id).language == "sw"
    profile = client.get("/profile", headers={"Accept-Language": "en"})
    assert page_language(profile) == "sw"
    assert "Hifadhi wasifu" in profile.get_data(as_text=True)

    auth.logout()
    # Logged out on another visit with an English browser, she logs in and reads Swahili.
    client.delete_cookie("session")
    auth.login("amina@example.org", headers={"Accept-Language": "en"})
    assert page_language(client.get("/dashboard", headers={"Accept-Language": "en"})) == "sw"


def test_the_profile_language_field_sets_the_interface_language(client, auth, make_user):
    member = make_user(email="baraka@example.org", language="sw")
    auth.login("baraka@example.org")
    assert page_language(client.get("/profile")) == "sw"
    response = submit(
        client,
        "/profile",
        {
            "full_name": "Baraka Mwita",
            "membership_number": "",
            "country": "TZ",
            "language": "en",
        },
        follow_redirects=True,
    )
    assert page_language(response) == "en"
    assert "Your profile has been saved." in response.get_data(as_text=True)
    assert db.session.get(User, member.id).language == "en"


def test_registering_keeps_the_language_the_visitor_was_reading(client):
    headers = {"Accept-Language": "sw"}
    response = submit(
        client,
        "/register",
        {
            "full_name": "Neema Achieng",
            "email": "neema@example.org",
            "password": "mkutano-wa-afya-2026",
            "confirm": "mkutano-wa-afya-2026",
            "membership_category": "professional",
            "country": "KE",
        },
        headers=headers,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = db.session.scalar(db.select(User).filter_by(email="neema@example.org"))
    assert user.language == "sw"


def test_dates_write_the_month_out_in_each_language(app):
    day = date(2026, 11, 22)
    evening = datetime(2026, 11, 22, 11, 5, tzinfo=UTC)  # 14:05 in Nairobi
    with app.test_request_context():
        with force_locale("sw"):
            assert render_template_string("{{ d|date }}", d=day) == "22 Novemba 2026"
            assert render_template_string("{{ d|isodate }}", d="2026-03-12") == "12 Machi 2026"
            assert render_template_string("{{ t|datetime }}", t=evening) == "22 Novemba 2026 14:05"
        with force_locale("en"):
            assert render_template_string("{{ d|date }}", d=day) == "November 22, 2026"


def test_points_are_written_with_the_languages_number_format(app):
    with app.test_request_context():
        for language in ("sw", "en"):
            with force_locale(language):
                shown = render_template_string(
                    "{{ a|cpd_points }} {{ b|cpd_points }}", a=Decimal("1234.5"), b=Decimal("3")
                )
                assert shown == "1,234.5 3"


def test_the_password_reset_mail_speaks_the_members_language(client, make_user, outbox):
    make_user(email="zawadi@example.org", language="sw")
    submit(
        client,
        "/password/forgot",
        {"email": "zawadi@example.org"},
        headers={"Accept-Language": "en"},
    )
    [message] = outbox.messages()
    assert message["Subject"] != "Reset your Wired4EX password"
    body = message.get_content()
    assert "/password/reset/" in body
    assert "Mpendwa" in body or "Habari" in body, body


# Policy texts (category, competency and programme names) in the reader's language -------------


def test_swahili_readers_see_the_policy_names_given_in_swahili(
    client, auth, make_user, synced_content
):
    make_user(email="rehema@example.org", language="sw")
    auth.login("rehema@example.org")

    cpd = client.get("/cpd/").get_data(as_text=True)
    assert "Mafunzo yaliyopangwa (Wired4EX na kozi zilizoidhinishwa)" in cpd
    assert "Structured learning" not in cpd

    framework = client.get("/competencies").get_data(as_text=True)
    assert "Uongozi na utawala" in framework
    assert "Usalama wa wagonjwa na udhibiti wa hatari" in framework
    assert "Leadership and governance" not in framework

    catalogue = client.get("/").get_data(as_text=True)
    assert "QS2 Usalama wa wagonjwa na udhibiti wa hatari" in catalogue

    certification = client.get("/certification/").get_data(as_text=True)
    assert "Mshirika katika Usimamizi wa Mifumo ya Afya" in certification
    assert "Associate in Health Systems Management" not in certification


def test_english_readers_keep_the_english_policy_names(client, synced_content):
    framework = client.get("/competencies", headers={"Accept-Language": "en"})
    text = framework.get_data(as_text=True)
    assert "Leadership and governance" in text and "Uongozi na utawala" not in text


def test_form_errors_from_wtforms_itself_are_in_swahili(client):
    """WTForms ships no Swahili: its own messages come from our catalogue."""
    response = submit(client, "/password/forgot", {"email": ""}, headers={"Accept-Language": "sw"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This field is required." not in text
    assert "Sehemu hii inahitajika." in text
    english = submit(client, "/password/forgot", {"email": ""}, headers={"Accept-Language": "en"})
    assert "This field is required." in english.get_data(as_text=True)


def test_country_names_are_in_the_readers_language(client):
    swahili = client.get("/register", headers={"Accept-Language": "sw"}).get_data(as_text=True)
    assert ">Sudan Kusini<" in swahili and ">South Sudan<" not in swahili
    english = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">South Sudan<" in english


def test_api_error_messages_follow_accept_language(client, synced_content):
    swahili = client.get("/api/v1/courses/nowhere/nothing", headers={"Accept-Language": "sw"})
    assert swahili.status_code == 404
    assert swahili.get_json()["error"] == {
        "code": "not_found",
        "message": "Hakuna kozi iliyochapishwa yenye kitambulisho hiki.",
    }
    english = client.get("/api/v1/courses/nowhere/nothing", headers={"Accept-Language": "en"})
    assert english.get_json()["error"]["message"] == "No published course has this id."
    bad = client.get(
        "/api/v1/me", headers={"Authorization": "Bearer nope", "Accept-Language": "sw"}
    )
    assert bad.status_code == 401
    assert "Tokeni si halali" in bad.get_json()["error"]["message"]


def test_a_missing_compiled_catalogue_is_reported_in_the_log(app, tmp_path, caplog):
    from flask import Flask

    from wired4ex.i18n import warn_about_missing_catalogues

    bare = Flask("bare", root_path=str(tmp_path))
    bare.config.update(LANGUAGES=("en", "sw"), BABEL_DEFAULT_LOCALE="en")
    with caplog.at_level("WARNING"):
        warn_about_missing_catalogues(bare)
    assert "No compiled sw catalogue" in caplog.text

    caplog.clear()
    with caplog.at_level("WARNING"):
        warn_about_missing_catalogues(app)  # the real package: built by make translations
    assert "No compiled" not in caplog.text
