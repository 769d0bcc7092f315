"""A member's own My CPD page is drawn once for what it shows (cpd/views.py `_content`, through
wired4ex.pagecache with `pagecache.frozen` of the page's values): the next visit reuses it, any
change to what it shows (an entry, a claim's decision, the language) draws it anew, and nobody
sees another member's page or form token."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from markupsafe import Markup

from tests.conftest import CSRF_FIELD
from tests.cpd.test_cpd_pages import add_entry, login
from wired4ex import pagecache
from wired4ex.auth.models import User
from wired4ex.catalog.models import PolicyDocument
from wired4ex.extensions import db


def without_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)


def drawn_pages(app) -> int:
    with app.app_context():
        return pagecache.kept("my-cpd")


def test_the_next_visit_reuses_the_page_and_a_new_entry_shows_at_once(app, make_user, policy):
    member = make_user(email="m@example.org")
    add_entry(member.id, 4, title="Budgeting module")
    client = login(app, "m@example.org")
    first = client.get("/cpd/").get_data(as_text=True)
    assert "Budgeting module" in first and ">4 <" in first
    assert drawn_pages(app) == 1
    # The same page (but for the CSRF tokens: signed with the second they are made in).
    assert without_tokens(client.get("/cpd/").get_data(as_text=True)) == without_tokens(first)
    assert drawn_pages(app) == 1  # reused, not drawn again

    add_entry(member.id, 6, title="Procurement module")
    second = client.get("/cpd/").get_data(as_text=True)
    assert "Procurement module" in second and ">10 <" in second
    assert drawn_pages(app) == 2


def test_a_claims_decision_shows_on_the_next_request(app, make_user, policy, make_claim):
    member = make_user(email="m@example.org")
    claim = make_claim(member, title="Teaching at the county", category="teaching")
    client = login(app, "m@example.org")
    assert "Waiting for verification" in client.get("/cpd/").get_data(as_text=True)
    claim.status, claim.points_approved = "approved", Decimal("2")
    db.session.commit()
    page = client.get("/cpd/").get_data(as_text=True)
    assert "Waiting for verification" not in page and "2 approved" in page


def test_members_never_see_each_others_page_or_token(app, make_user, policy):
    one = make_user(email="one@example.org", full_name="Member One")
    make_user(email="two@example.org", full_name="Member Two", category="student")
    add_entry(one.id, 4, title="Module of member one")
    first, second = login(app, "one@example.org"), login(app, "two@example.org")
    page_one = first.get("/cpd/").get_data(as_text=True)
    page_two = second.get("/cpd/").get_data(as_text=True)
    assert "Module of member one" in page_one and "Module of member one" not in page_two
    assert "of 40 points" in page_one and "of 10 points" in page_two  # each one's own target

    # The statement form carries each session's own token, never the stand-in.
    token_one = CSRF_FIELD.search(page_one.split('id="statement-title"')[1])
    token_two = CSRF_FIELD.search(page_two.split('id="statement-title"')[1])
    token_one = token_one.group(1) or token_one.group(2)
    token_two = token_two.group(1) or token_two.group(2)
    assert token_one != token_two and not token_one.startswith("csrf-")
    cycle = str(date.today().year)
    refused = second.post("/cpd/statement.csv", data={"csrf_token": token_one, "cycle": cycle})
    assert refused.status_code == 400
    accepted = first.post("/cpd/statement.csv", data={"csrf_token": token_one, "cycle": cycle})
    assert accepted.status_code in (200, 302, 303)


def test_the_same_figures_in_another_language_are_drawn_in_it(app, make_user, policy):
    member = make_user(email="m@example.org")
    add_entry(member.id, 4, title="Budgeting module")
    client = login(app, "m@example.org")
    assert "Ledger entries" in client.get("/cpd/").get_data(as_text=True)
    db.session.get(User, member.id).language = "sw"
    db.session.commit()
    page = client.get("/cpd/", headers={"Accept-Language": "sw"}).get_data(as_text=True)
    assert "Ledger entries" not in page and "Budgeting module" in page


def test_an_administrator_viewing_a_member_is_shown_that_member(app, make_user, policy):
    make_user(email="admin@example.org", roles=("member", "admin"))
    member = make_user(email="m@example.org", full_name="Wanjiru Kamau")
    add_entry(member.id, 4, title="Budgeting module")
    login(app, "m@example.org").get("/cpd/")  # the member's own page drawn first
    page = login(app, "admin@example.org").get(f"/cpd/members/{member.id}")
    html = page.get_data(as_text=True)
    assert "CPD of Wanjiru Kamau" in html and "Budgeting module" in html
    assert "Download statement" not in html  # only on one's own page
    assert not re.search(r"csrf-[0-9a-f]{32}", html)


def test_frozen_holds_every_value_and_refuses_database_objects(app, make_user):
    first = {"a": [1, Decimal("2.5")], "b": date(2026, 1, 1)}
    assert pagecache.frozen(first) == pagecache.frozen(dict(first))
    assert pagecache.frozen(first) != pagecache.frozen({"a": [1, Decimal("3")], "b": first["b"]})
    assert pagecache.frozen([1]) != pagecache.frozen((1,))
    # Equal to Python, written differently on a page: never the same key.
    for one, other in (
        (Decimal("20"), Decimal("20.0")),
        (1, True),
        (1, 1.0),
        ("<b>", Markup("<b>")),
    ):
        assert one == other and pagecache.frozen(one) != pagecache.frozen(other)
    assert pagecache.frozen(date(2026, 1, 1)) != pagecache.frozen(datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        pagecache.frozen({"user": make_user()})


def test_parts_of_one_name_do_not_push_out_anothers(app, synced_content):
    """Many members' My CPD pages (a part each) leave the catalogue's parts in place."""
    app.extensions.pop(pagecache.EXTENSION, None)
    with app.test_request_context("/"):
        assert pagecache.part("catalogue", "all", lambda: "the catalogue") == "the catalogue"
        for number in range(pagecache.LIMIT + 10):
            pagecache.part("my-cpd", number, lambda: f"page {number}")  # noqa: B023 (drawn now)
        assert pagecache.kept("my-cpd") == pagecache.LIMIT
        assert pagecache.part("catalogue", "all", lambda: "drawn again") == "the catalogue"
        assert pagecache.part("my-cpd", 0, lambda: "drawn again") == "drawn again"  # the oldest


def test_a_new_policy_shows_on_the_next_request(app, make_user, policy):
    """The page is keyed by what it is made of and the content version: a synced policy (here a
    higher target) is a new version."""
    make_user(email="m@example.org")
    client = login(app, "m@example.org")
    assert "of 40 points" in client.get("/cpd/").get_data(as_text=True)
    document = db.session.get(PolicyDocument, "cpd")
    document.data = {**document.data, "targets": {**document.data["targets"], "professional": 50}}
    db.session.commit()
    page = client.get("/cpd/").get_data(as_text=True)
    assert "of 50 points" in page and "of 40 points" not in page
