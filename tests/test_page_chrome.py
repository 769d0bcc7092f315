"""The header, footer and head links every page shares are drawn once per process and reused
(wired4ex/ui.py page_chrome): what each request shows must still be its own — its language, its
navigation, its CSRF token, its path — on the next request after anything changes."""

import re

import sqlalchemy as sa

from tests.conftest import csrf_token
from wired4ex.auth.models import User, UserRole
from wired4ex.extensions import db

HEADER_TOKEN = re.compile(
    r'<form method="post" action="/language" class="language-switch">\s*'
    r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
    r'<input type="hidden" name="next" value="([^"]*)">'
)
LOGOUT_TOKEN = re.compile(
    r'action="/logout" class="inline-form"><input type="hidden" name="csrf_token" value="([^"]+)">'
)


def header(page: str) -> str:
    return page.split('<main id="main"')[0]


def footer(page: str) -> str:
    return page.split('<footer class="site-footer">')[1]


def test_a_language_switch_shows_at_once_in_header_and_footer(client):
    english = client.get("/").get_data(as_text=True)
    assert "<summary>Menu</summary>" in header(english)
    assert ">Privacy</a>" in footer(english)
    token, next_path = HEADER_TOKEN.search(english).groups()
    assert next_path == "/"
    answer = client.post("/language", data={"csrf_token": token, "language": "sw", "next": "/"})
    assert answer.status_code == 302
    swahili = client.get("/").get_data(as_text=True)
    assert '<html lang="sw">' in swahili
    assert "<summary>Menu</summary>" not in header(swahili)
    assert ">Privacy</a>" not in footer(swahili)
    assert 'value="en" lang="en" class="link-button">English</button>' in header(swahili)
    # Back in English, from the header that was drawn for Swahili readers.
    token = HEADER_TOKEN.search(swahili).group(1)
    client.post("/language", data={"csrf_token": token, "language": "en", "next": "/"})
    again = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in again and "<summary>Menu</summary>" in header(again)
    assert ">Privacy</a>" in footer(again)


def test_each_session_gets_its_own_token_in_the_shared_header(app):
    first, second = app.test_client(), app.test_client()
    page_one, page_two = (
        first.get("/").get_data(as_text=True),
        second.get("/").get_data(as_text=True),
    )
    token_one, token_two = (
        HEADER_TOKEN.search(page_one).group(1),
        HEADER_TOKEN.search(page_two).group(1),
    )
    assert token_one != token_two
    assert "csrf-" not in page_one and "next-" not in page_one  # no stand-in left behind
    # A session's header token is accepted for that session only.
    refused = second.post(
        "/language", data={"csrf_token": token_one, "language": "sw", "next": "/"}
    )
    assert refused.status_code == 400
    accepted = first.post(
        "/language", data={"csrf_token": token_one, "language": "sw", "next": "/"}
    )
    assert accepted.status_code == 302


def test_the_header_carries_this_requests_path_escaped(client):
    page = client.get('/?q="><script>alert(1)</script>').get_data(as_text=True)
    next_path = HEADER_TOKEN.search(page).group(2)
    assert next_path == "/?q=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>alert(1)" not in page
    other = client.get("/pages/help").get_data(as_text=True)
    assert HEADER_TOKEN.search(other).group(2) == "/pages/help"


def test_the_navigation_follows_the_person_their_roles_and_unread_count(
    app, client, auth, make_user
):
    visitor = client.get("/login").get_data(as_text=True)
    assert '<a href="/login" aria-current="page">Log in</a>' in header(visitor)
    assert '<a href="/register">Register</a>' in header(visitor)
    member = make_user(email="nav@example.org")
    auth.login("nav@example.org")
    page = client.get("/cpd/").get_data(as_text=True)
    assert '<a href="/cpd/" aria-current="page">My CPD</a>' in header(page)
    assert '<a href="/dashboard">My learning</a>' in header(page)
    assert ">Notifications</a>" in header(page) and ">Admin<" not in header(page)
    assert ">Log in</a>" not in header(page)
    logout = LOGOUT_TOKEN.search(page).group(1)
    assert logout == HEADER_TOKEN.search(page).group(1)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/dashboard" aria-current="page">My learning</a>' in header(dashboard)
    assert '<a href="/cpd/">My CPD</a>' in header(dashboard)

    db.session.execute(sa.update(User).where(User.id == member.id).values(unread_notifications=2))
    db.session.add(UserRole(user_id=member.id, name="admin"))
    db.session.commit()
    page = client.get("/cpd/").get_data(as_text=True)
    assert ">Notifications (2)</a>" in header(page)
    assert '<a href="/admin/dashboard">Admin</a>' in header(page)
    assert '<link rel="stylesheet" href="/static/staff.css">' in page

    db.session.execute(
        sa.delete(UserRole).where(UserRole.user_id == member.id, UserRole.name == "admin")
    )
    db.session.execute(sa.update(User).where(User.id == member.id).values(unread_notifications=0))
    db.session.commit()
    page = client.get("/cpd/").get_data(as_text=True)
    assert ">Admin<" not in header(page) and "staff.css" not in page
    assert ">Notifications</a>" in header(page)

    auth.logout()
    page = client.get("/cpd/", follow_redirects=True).get_data(as_text=True)
    assert ">My CPD</a>" not in header(page) and ">Log in</a>" in header(page)


def test_the_log_out_button_works_from_a_drawn_header(client, auth, make_user):
    make_user(email="out@example.org")
    auth.login("out@example.org")
    token = LOGOUT_TOKEN.search(client.get("/dashboard").get_data(as_text=True)).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302  # signed out: sent to the log-in page
    assert csrf_token(client, "/login")
