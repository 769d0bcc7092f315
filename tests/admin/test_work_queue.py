"""The admin landing page leads with the secretariat's work queue: counts and the oldest
waiting age for claims, drafts and certification applications, each linking to its list."""

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import submit
from wired4ex import demo
from wired4ex.cpd.models import Claim
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db

ADMIN = next(account for account in demo.DEMO_ACCOUNTS if "admin" in account.roles)


def queue_rows(html: str) -> dict[str, tuple[str, str]]:
    """label -> (waiting sentence, count) of the work queue."""
    section = html.split('id="queue-title"')[1].split("</section>")[0]
    rows = re.findall(
        r'<a href="([^"]+)">([^<]+)</a>\s*<span class="hint">([^<]+)</span></span>\s*'
        r'<strong class="status[^"]*">(\d+)</strong>',
        section,
    )
    return {label: (href, hint.strip(), count) for href, label, hint, count in rows}


def test_the_landing_page_counts_what_waits_and_since_when(app, synced_content):
    list(demo.seed())
    claim = db.session.scalars(sa.select(Claim).where(Claim.status == "submitted")).one()
    claim.created_at = utcnow() - timedelta(days=5, hours=2)
    db.session.commit()
    client = app.test_client()
    assert (
        submit(client, "/login", {"email": ADMIN.email, "password": ADMIN.password}).status_code
        == 302
    )
    landing = client.get("/admin/", follow_redirects=True)
    assert landing.status_code == 200
    rows = queue_rows(landing.get_data(as_text=True))
    assert rows["Claims to verify"] == ("/cpd/review", "Oldest waiting 5 days.", "1")
    assert rows["Drafts to review"] == ("/authoring/reviews", "Nothing is waiting.", "0")
    assert rows["Certification applications"] == (
        "/certification/applications", "Nothing is waiting.", "0",
    )  # fmt: skip
    html = landing.get_data(as_text=True)
    assert html.index("Waiting for the secretariat") < html.index('id="chart-months"')
