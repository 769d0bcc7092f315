"""Search boxes and query strings holding XSS payloads: the catalogue filters, the secretariat's
member and audit-log searches, the verify form, the login page's `next`, and the API's search
parameters. Typed text is shown back escaped; nothing in the page can run; the API answers JSON
(never HTML) with nosniff; nothing answers 500."""

from urllib.parse import quote

from tests.conftest import PASSWORD, submit
from tests.security.payloads import page_problems, report, sample
from wired4ex.auth.tokens import create_token

# Each request renders a full page: a broad sample (about ten a list) for the search boxes, a
# smaller one for the filters that are checked one parameter at a time.
MANY = sample(per_file=10, printable=False)
SOME = sample(per_file=4)
FEW = sample(per_file=2)


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_payloads_in_the_catalogue_filters(app, synced_content):
    client = app.test_client()
    failures = {}
    for number, payload in enumerate(MANY):
        name = ("institution", "competency", "language")[number % 3]
        response = client.get("/", query_string={name: payload, "q": payload})
        assert response.status_code in (200, 400), (name, payload)
        failures[f"/?{name}={payload!r}"] = page_problems(response.get_data(as_text=True))
    assert not any(failures.values()), report(failures)


def test_payloads_in_the_member_searches(app, make_user, synced_content):
    make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    admin = log_in(app, "admin@example.org")
    failures = {}
    for payload in MANY:
        for url, key in (("/admin/members", "q"), ("/cpd/members", "q")):
            response = admin.get(url, query_string={key: payload})
            assert response.status_code == 200, (url, payload)
            failures[f"{url}?{key}={payload!r}"] = page_problems(
                response.get_data(as_text=True), payload.strip()
            )
    assert not any(failures.values()), report(failures)


def test_payloads_in_the_other_filters_and_query_strings(app, make_user, synced_content):
    make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    admin = log_in(app, "admin@example.org")
    anonymous = app.test_client()
    failures = {}
    for payload in FEW:
        for name in ("category", "country", "role", "cpd", "course", "account", "cycle",
                     "per_page", "page"):  # fmt: skip
            response = admin.get("/admin/members", query_string={name: payload})
            assert response.status_code in (200, 400, 404), (name, payload)
            failures[f"/admin/members?{name}={payload!r}"] = page_problems(
                response.get_data(as_text=True)
            )
        for name in ("action", "actor", "member", "start", "end"):
            response = admin.get("/admin/audit", query_string={name: payload})
            assert response.status_code in (200, 400), (name, payload)
            shown = (payload.strip(),) if name in ("actor", "member") else ()
            failures[f"/admin/audit?{name}={payload!r}"] = page_problems(
                response.get_data(as_text=True), *shown
            )
        for url, query in (
            ("/admin/dashboard", {"year": payload}),
            ("/admin/courses", {"country": payload, "category": payload}),
            ("/cpd/", {"cycle": payload}),
            ("/verify", {"code": payload}),
            ("/login", {"next": payload}),
        ):
            client = anonymous if url in ("/verify", "/login") else admin
            response = client.get(url, query_string=query)
            assert response.status_code in (200, 302, 400, 404), (url, payload)
            failures[f"{url}?{query}"] = page_problems(response.get_data(as_text=True))
        path = "/verify/" + quote(payload, safe="")
        response = anonymous.get(path)
        assert response.status_code in (200, 302, 400, 404), path
        failures[path] = page_problems(response.get_data(as_text=True))
    assert not any(failures.values()), report(failures)


def test_payloads_in_api_search_parameters_get_json(app, make_user, synced_content):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    admin = make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    headers = {"Authorization": f"Bearer {create_token(admin, 'Search test')[1]}"}
    client = app.test_client()
    for payload in SOME:
        for url, name in (
            ("/api/v1/members", "q"), ("/api/v1/members", "institution"),
            ("/api/v1/members", "country"), ("/api/v1/members", "membership_category"),
            ("/api/v1/members", "active"), ("/api/v1/catalog/courses", "institution"),
            ("/api/v1/catalog/courses", "competency"), ("/api/v1/catalog/courses", "language"),
            ("/api/v1/catalog/courses", "page"),
        ):  # fmt: skip
            response = client.get(url, query_string={name: payload}, headers=headers)
            where = f"{url}?{name}={payload!r}"
            assert response.status_code in (200, 400, 422), where
            assert response.mimetype == "application/json", where
            assert response.headers.get("X-Content-Type-Options") == "nosniff", where
            body = response.get_json()
            assert body is not None, where
            if response.status_code != 200:
                assert set(body["error"]) >= {"code", "message"}, where
        verify = client.get("/api/v1/verify/" + quote(payload, safe=""))
        assert verify.status_code in (400, 404), payload
        assert verify.mimetype == "application/json", payload
