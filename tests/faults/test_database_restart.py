"""PostgreSQL stops and starts under a running gunicorn: a friendly 503 meanwhile (a page in the
site's layout, JSON for the API, with Retry-After), and full service afterwards without restarting
the app: pool_pre_ping replaces the pooled connections the restart killed."""

from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from tests.faults.conftest import Browser, create_member, wait_for

MEMBER = "resilient.member@example.org"


def connected_workers(engine: sa.Engine, database: str) -> set[int]:
    """Pids of the gunicorn workers holding a connection to the database (by application_name)."""
    with engine.connect() as connection:
        names = connection.scalars(
            sa.text(
                "SELECT application_name FROM pg_stat_activity "
                "WHERE datname = :name AND application_name LIKE 'w4x-worker-%'"
            ),
            {"name": database},
        )
        return {int(name.rsplit("-", 1)[1]) for name in names}


def burst(base_url: str, paths: list[str], cookies=None) -> list[requests.Response]:
    """GET the paths at the same time, so that every worker gets some of them."""
    with ThreadPoolExecutor(len(paths)) as pool:
        return list(
            pool.map(lambda path: requests.get(base_url + path, cookies=cookies, timeout=30), paths)
        )


def assert_friendly_page(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Retry-After"]) > 0
    assert "no-store" in response.headers["Cache-Control"]
    page = response.text
    assert "cannot reach its database" in page
    assert "Nothing you saved before is lost" in page
    assert 'class="site-header"' in page and "site.css" in page  # the site's own layout
    assert "Temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page and "psycopg" not in page


def assert_json_503(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert "database" in error["message"]


def test_database_restart_503_then_full_service(pg_cluster, fault_database, setup_app, gunicorn):
    create_member(MEMBER)
    server = gunicorn(fault_database)
    workers = server.wait_for_workers()
    member = Browser(server.base_url)
    member.login(MEMBER)
    cookies = member.session.cookies
    watcher = pg_cluster.engine(fault_database)
    pages = ["/", "/dashboard", "/api/v1/catalog/courses", "/api/v1/me"] * 2

    def serve_and_cover() -> bool:
        """Every request succeeds; true once every worker has a database connection."""
        for response in burst(server.base_url, pages, cookies):
            assert response.status_code == 200, (response.url, response.status_code)
        return connected_workers(watcher, fault_database) >= workers

    # Every worker holds a pooled connection.
    wait_for(serve_and_cover, 20, message="every worker to hold a database connection")

    # A quiet restart: nothing asks while the server is down, so every pooled connection is dead
    # when it is next used. With pool_pre_ping each worker notices and reconnects; without it,
    # the first request of each worker would fail.
    pg_cluster.stop()
    pg_cluster.start()
    assert connected_workers(watcher, fault_database) == set()
    wait_for(serve_and_cover, 20, message="every worker to reconnect after a quiet restart")

    # The database goes away: friendly 503s from every worker, pages and API alike.
    pg_cluster.stop()
    try:
        for response in burst(server.base_url, ["/"] * 6):
            assert_friendly_page(response)
        dashboard = member.get("/dashboard", allow_redirects=False)
        assert_friendly_page(dashboard)  # the signed-in member cannot be loaded either
        assert_json_503(requests.get(server.base_url + "/api/v1/catalog/courses", timeout=30))
        assert_json_503(member.get("/api/v1/me"))
        login = requests.get(server.base_url + "/login", timeout=30)
        assert login.status_code == 200  # pages that need no database still work
    finally:
        pg_cluster.start()

    # Full service again, without restarting anything.
    for response in burst(server.base_url, pages * 2, cookies):
        assert response.status_code == 200, (response.url, response.status_code)
    dashboard = member.get("/dashboard")
    assert dashboard.status_code == 200 and "Log out" in dashboard.text
    assert member.get("/api/v1/me").json()["email"] == MEMBER
    assert server.process.poll() is None
    assert server.worker_pids() == workers, "a worker died or was restarted"
    log = server.log_text()
    assert "Database unavailable, answering 503" in log
    assert "Database unavailable, API answering 503" in log
