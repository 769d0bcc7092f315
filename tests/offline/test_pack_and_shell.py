"""The installable web app (manifest, icons, service worker within the CSP), saving a course
(its size shown, what it holds), the printable pack read back from its PDF, and logging out
clearing what the phone kept."""

import gzip
import io
import re
import subprocess

import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from tests.conftest import Auth
from tests.learning.quiz_modules import SECRET_EXPLANATIONS, SECRET_RIGHT, secret_module
from tests.offline.conftest import COURSE_URL, QUIZ_URL, READING_URL
from wired4ex.extensions import db
from wired4ex.offline.models import CoursePack
from wired4ex.offline.services import offline_bytes, size_text

SCRIPT_BUDGET = 10 * 1024


def test_the_service_worker_is_served_from_the_root_within_the_csp(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    page = client.get("/")
    policy = page.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/static/' in attrs for attrs in scripts)  # no inline script
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


def test_the_service_worker_and_page_script_stay_within_budget(client):
    sizes = [len(gzip.compress(client.get(url).get_data(), 9)) for url in
             ("/sw.js", "/static/offline.js")]  # fmt: skip
    assert sum(sizes) <= SCRIPT_BUDGET, sizes


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["short_name"] == "Wired4EX" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/dashboard" and manifest["scope"] == "/"
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in pngs)
    for icon in pngs:
        image = Image.open(io.BytesIO(client.get(icon["src"]).get_data()))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        assert image.getpixel((image.width // 2, image.height - 4))[:3] == (11, 94, 85)


def test_the_offline_page_works_without_an_account(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "You are offline" in page and "/offline/saved" in page


def test_an_enrolled_member_sees_the_size_before_saving(phone, course, client):
    pack = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course.id))
    assert pack.offline_bytes == offline_bytes(course)
    page = client.get(COURSE_URL).get_data(as_text=True)
    assert f"Save for offline ({size_text(pack.offline_bytes)})" in page
    assert f"Download the course as a PDF ({size_text(pack.pdf_bytes)})" in page
    assert re.search(r"Save for offline \(\d+ KB\)", page)
    # Without the service worker the form reaches the server, which says what to do instead.
    form = re.search(r'action="(/courses/demo-uni/budgets/save-offline)"', page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(form.group(1), data={"csrf_token": csrf}, follow_redirects=True)
    assert "could not save the course for offline reading" in response.get_data(as_text=True)


def test_sizes_read_as_a_member_reads_them():
    assert size_text(850) == "1 KB"
    assert size_text(31_400) == "31 KB"
    assert size_text(2_400_000) == "2.4 MB"


def test_what_a_saved_course_holds(phone, course, client):
    manifest = client.get(COURSE_URL + "offline.json").get_json()
    assert manifest["url"] == COURSE_URL and manifest["key"] == "demo-uni/budgets"
    assert QUIZ_URL in manifest["urls"] and READING_URL in manifest["urls"]
    assert COURSE_URL + "media/chart.png" in manifest["urls"]
    modules = {QUIZ_URL, READING_URL, COURSE_URL + "once", COURSE_URL + "slow"}
    assert set(manifest["versions"]) == modules
    assert "/static/site.css" in manifest["shared"] and "/offline/kept" in manifest["shared"]
    assert manifest["size_text"] == size_text(manifest["size"])
    for url in manifest["urls"] + manifest["shared"]:
        assert client.get(url, headers={"X-W4X-Save": "1"}).status_code == 200, url


def test_only_enrolled_members_save_a_course(client, course, make_user):
    Auth(client).login(make_user(email="not.enrolled@example.org").email)
    assert client.get(COURSE_URL + "offline.json").status_code == 403
    assert client.get(COURSE_URL + "pack.pdf").status_code == 403
    assert "Save for offline" not in client.get(COURSE_URL).get_data(as_text=True)


def test_the_pack_holds_the_course_without_its_answers(phone, client, tree, course):
    tree.write("05-secret.md", secret_module("always", 2))
    tree.sync()
    response = client.get(COURSE_URL + "pack.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="demo-uni-budgets.pdf"' in response.headers["Content-Disposition"]
    pdf = response.get_data()
    pack = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course.id))
    assert pack.pdf_bytes == len(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for expected in ("Budgets for managers", "Budgets in practice", "Why budgets matter",
                     "Which document links money to programmes?", "A programme-based budget",
                     "Knowledge check", "Take ten minutes.", "Which body adopts the budget?",
                     "Module 1 of 5"):  # fmt: skip
        assert expected in text, expected
    for answer in (
        SECRET_EXPLANATIONS
        + SECRET_RIGHT[3:]
        + [
            "Programme-based budgets attach money",  # an explanation gives the answer away
            "Overtime is a cost",
        ]
    ):
        assert answer not in text, answer
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True).stdout
    assert len(images.decode().strip().splitlines()) - 2 >= 1  # the chart


def test_the_pack_is_made_again_when_a_module_changes(tree, course):
    before = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course.id))
    first = (before.fingerprint, before.generated_at)
    tree.sync()  # nothing changed: the pack stays
    db.session.expire_all()
    same = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course.id))
    assert (same.fingerprint, same.generated_at) == first
    tree.write("02-reading.md", tree.course.joinpath("02-reading.md").read_text() + "\nMore.\n")
    tree.sync()
    db.session.expire_all()
    after = db.session.scalar(sa.select(CoursePack).where(CoursePack.course_id == course.id))
    assert after.fingerprint != first[0]


def test_logging_out_clears_what_the_phone_kept(phone, client):
    response = Auth(client).logout()
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
