"""A full disk for evidence uploads: the member gets a clear answer, nothing half-saved remains.

EVIDENCE_DIR is a real 1 MB tmpfs, filled up, and uploads go through the real claim form. The
answer is 507 Insufficient Storage: the failure is the server's, not the member's (so not a 4xx),
and 507 says exactly what happened where 500 or 503 would not; the page is the claim form again,
with everything the member typed, a message at the top and on the evidence field. The database
and the folder stay consistent: no claim row pointing at a missing or partial file, no partial file
left behind, and a replaced file is only removed once its replacement is safely stored.
"""

import errno
import logging
import os
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.cpd.test_claims import FORM
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db

FILLER = "filler.bin"


def pdf(size: int, fill: bytes = b"0") -> bytes:
    head = b"%PDF-1.4\n"
    return head + fill * (size - len(head))


@pytest.fixture
def evidence_disk(app, tmp_path):
    """A 1 MB tmpfs mounted as the app's EVIDENCE_DIR; unmounted afterwards, whatever happens."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "evidence"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    original = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        app.config["EVIDENCE_DIR"] = original
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system up with one file, then give back `leave` bytes of it."""
    chunk = b"\0" * 65536
    with open(folder / FILLER, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        written = handle.tell()
        handle.truncate(written - leave)
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    assert free < leave + 4096 and (leave == 0 or free > leave - 4096)


@pytest.fixture
def member(make_user, auth, policy):
    user = make_user(email="claimant@example.org")
    auth.login("claimant@example.org")
    return user


def post_claim(client, data: bytes, url: str = "/cpd/claims/new", **changes):
    form = {**FORM, **changes, "submit_claim": "1", "csrf_token": csrf_token(client, url)}
    form["evidence"] = (BytesIO(data), "certificate.pdf")
    return client.post(url, data=form, content_type="multipart/form-data")


def assert_consistent(folder: Path) -> None:
    """Every claim's evidence file exists whole; every stored file belongs to a claim."""
    db.session.expire_all()
    claims = db.session.scalars(sa.select(Claim).where(Claim.evidence_stored_as.is_not(None)))
    referenced = {}
    for claim in claims:
        path = folder / claim.evidence_stored_as
        assert path.is_file(), f"claim {claim.id} points at a missing file"
        assert path.stat().st_size == claim.evidence_size, f"claim {claim.id}: partial file"
        referenced[claim.evidence_stored_as] = claim.id
    stored = {path.name for path in folder.iterdir()} - {FILLER}
    assert stored == set(referenced), "files without a claim were left behind"


def assert_storage_full_answer(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 507, page[:500]
    assert "Our storage for evidence files is full" in page
    assert "Not saved: the evidence storage is full." in page
    assert 'value="Regional quality improvement summit"' in page  # what was typed is kept
    assert 'class="site-header"' in page and "Traceback" not in page
    return page


def test_new_claim_on_a_full_disk(client, member, evidence_disk, caplog):
    fill(evidence_disk)
    with caplog.at_level(logging.ERROR):
        response = post_claim(client, pdf(200_000))
    assert_storage_full_answer(response)
    assert "Evidence could not be stored" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    assert [path.name for path in evidence_disk.iterdir()] == [FILLER]
    assert_consistent(evidence_disk)

    # Space again: the same submission goes through, file and row together.
    (evidence_disk / FILLER).unlink()
    data = pdf(200_000, b"1")
    response = post_claim(client, data)
    assert response.status_code == 302
    claim = db.session.scalars(sa.select(Claim)).one()
    assert claim.status == "submitted"
    assert (evidence_disk / claim.evidence_stored_as).read_bytes() == data
    assert_consistent(evidence_disk)


def test_a_partly_written_file_is_removed(client, member, evidence_disk):
    fill(evidence_disk, leave=100_000)  # room for a part of the file only
    free = os.statvfs(evidence_disk).f_bavail
    response = post_claim(client, pdf(400_000))
    assert_storage_full_answer(response)
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    assert [path.name for path in evidence_disk.iterdir()] == [FILLER]
    assert os.statvfs(evidence_disk).f_bavail == free  # the partial file's space is given back
    assert_consistent(evidence_disk)


def test_replacing_evidence_on_a_full_disk_keeps_the_old_file(client, member, evidence_disk):
    original = pdf(50_000, b"2")
    form = {**FORM, "save_draft": "1", "csrf_token": csrf_token(client, "/cpd/claims/new")}
    form["evidence"] = (BytesIO(original), "programme.pdf")
    assert client.post("/cpd/claims/new", data=form).status_code == 302
    claim = db.session.scalars(sa.select(Claim)).one()
    kept_as = claim.evidence_stored_as
    fill(evidence_disk)

    url = f"/cpd/claims/{claim.id}/edit"
    response = post_claim(client, pdf(300_000, b"3"), url=url, title="Renamed summit")
    page = response.get_data(as_text=True)
    assert response.status_code == 507 and "Our storage for evidence files is full" in page
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert (claim.status, claim.title, claim.evidence_stored_as, claim.evidence_name) == (
        "draft",
        FORM["title"],
        kept_as,
        "programme.pdf",
    )
    assert (evidence_disk / kept_as).read_bytes() == original
    assert_consistent(evidence_disk)
