"""Member names and other profile fields holding XSS payloads, typed through registration and
the profile form, shown back escaped on the member's own pages and on the secretariat's lists
and member records; payloads in the admin search boxes are shown back escaped too."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token, submit
from tests.security.payloads import page_problems, report, sample
from wired4ex.auth.models import User
from wired4ex.extensions import db

NAMES = sample(per_file=3, max_length=120)  # the full-name field holds 120 characters


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def register(client, name: str, email: str):
    return submit(
        client,
        "/register",
        {"full_name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD,
         "membership_category": "professional", "membership_number": "", "country": "KE"},
        follow_redirects=True,
    )  # fmt: skip


def test_names_typed_at_registration_are_shown_escaped(app, synced_content):
    assert len(NAMES) >= 15
    failures = {}
    for number, name in enumerate(NAMES[:6]):
        client = app.test_client()
        # each from an address of its own: registration is throttled per address
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{number + 1}"
        assert register(client, name, f"registered{number}@example.org").status_code == 200
        response = submit(
            client,
            "/login",
            {"email": f"registered{number}@example.org", "password": PASSWORD},
            follow_redirects=True,
        )
        assert response.status_code == 200
        db.session.rollback()
        stored = db.session.scalar(
            sa.select(User).where(User.email == f"registered{number}@example.org")
        )
        assert stored is not None and stored.full_name == name  # kept exactly as typed
        profile = client.get("/profile").get_data(as_text=True)
        failures[f"profile of {name!r}"] = page_problems(profile, name)
    assert not any(failures.values()), report(failures)


def test_payloads_in_the_profile_form_are_shown_back_escaped(app, make_user, synced_content):
    make_user(email="editor@example.org", full_name="Plain Name", membership=None)
    client = log_in(app, "editor@example.org")
    failures = {}
    for name in NAMES:
        saved = submit(
            client,
            "/profile",
            {"full_name": name, "country": "KE", "language": "en"},
            follow_redirects=True,
        )
        assert saved.status_code == 200
        failures[f"profile saved as {name!r}"] = page_problems(saved.get_data(as_text=True), name)
        db.session.rollback()
        assert (
            db.session.scalar(sa.select(User.full_name).where(User.email == "editor@example.org"))
            == name
        )
        # Refused values (country, language) are re-shown escaped, not stored; a membership
        # number is not the member's to set and is ignored.
        refused = submit(
            client,
            "/profile",
            {"full_name": name, "membership_number": name[:40], "country": name,
             "language": name},
        )  # fmt: skip
        assert refused.status_code == 200
        page = refused.get_data(as_text=True)
        failures[f"refused profile {name!r}"] = page_problems(page, name)
        for token_name in (name[:80],):
            created = submit(
                client,
                "/profile/tokens",
                {"name": token_name, "expires_on": ""},
                follow_redirects=True,
            )
            assert created.status_code == 200
            failures[f"token named {token_name!r}"] = page_problems(
                created.get_data(as_text=True), token_name
            )
    db.session.rollback()
    assert db.session.scalar(
        sa.select(User.membership_number).where(User.email == "editor@example.org")
    ) in (None, "")
    assert not any(failures.values()), report(failures)


def test_payload_names_are_escaped_on_the_secretariat_pages(app, make_user, synced_content):
    make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    members = [
        make_user(email=f"payload{number}@example.org", full_name=name)
        for number, name in enumerate(NAMES)
    ]
    admin = log_in(app, "admin@example.org")
    failures = {}
    listing = admin.get("/admin/members?per_page=100")
    assert listing.status_code == 200
    failures["/admin/members"] = page_problems(listing.get_data(as_text=True), *NAMES)
    for member in members:
        name = member.full_name
        for url in (f"/admin/members/{member.id}", f"/cpd/members/{member.id}"):
            response = admin.get(url)
            assert response.status_code == 200, url
            failures[url] = page_problems(response.get_data(as_text=True), name)
        # The search boxes: the payload is both what is searched for and what is found.
        for url in ("/admin/members", "/cpd/members", "/admin/audit"):
            key = "member" if url == "/admin/audit" else "q"
            response = admin.get(url, query_string={key: name[:100]})
            assert response.status_code == 200, (url, name)
            failures[f"{url}?{key}={name!r}"] = page_problems(
                response.get_data(as_text=True), name[:100]
            )
        for url in ("/cpd/members", "/admin/members"):
            found = admin.get(url, query_string={"q": name[:100]}).get_data(as_text=True)
            assert f'{url}/{member.id}"' in found, f"{name!r} not found by {url}"
    # Search text is matched literally: % and _ are not wildcards (nor \ an escape, above).
    for text in ("%", "_", "\\"):
        expected = {m.id for m in members if text in m.full_name.lower()}
        for url in ("/cpd/members", "/admin/members"):
            found = admin.get(url, query_string={"q": text}).get_data(as_text=True)
            listed = {m.id for m in members if f'{url}/{m.id}"' in found}
            assert listed == expected, (url, text)
    # A membership change is audited with the member's name; the log shows it escaped.
    target = members[0]
    page = f"/admin/memberships/members/{target.id}"
    failures[page] = page_problems(admin.get(page).get_data(as_text=True), target.full_name)
    token = csrf_token(admin, page)
    changed = admin.post(
        page + "/category",
        data={"category": "associate", "reason": target.full_name, "csrf_token": token},
    )  # fmt: skip
    assert changed.status_code in (302, 303), changed.get_data(as_text=True)[:1000]
    audit = admin.get("/admin/audit").get_data(as_text=True)
    failures["/admin/audit"] = page_problems(audit, target.full_name)
    assert not any(failures.values()), report(failures)


def test_the_detector_finds_an_unescaped_name():
    """The check itself: a name written into a page raw is reported twice over."""
    name = "<img src=x onerror=alert(1)>"
    found = page_problems(f"<p>{name}</p>", name)
    assert any("onerror" in line for line in found)
    assert any("not shown escaped" in line for line in found)
    assert page_problems("<p>&lt;img src=x onerror=alert(1)&gt;</p>", name) == []
