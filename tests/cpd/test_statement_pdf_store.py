"""An issued statement's PDF is rendered once per language and served from its file afterwards
(issue 23: PDFs of an unchanged statement come from the stored file)."""

from pathlib import Path

import sqlalchemy as sa

from tests.conftest import issue_statement
from tests.cpd.test_statement_issue import YEAR, login, member  # noqa: F401 (fixture)
from tests.documents import pdf_text
from wired4ex.cpd.models import Statement
from wired4ex.extensions import db


def stored(app, code: str) -> list[Path]:
    return sorted(Path(app.config["STATEMENT_PDF_DIR"]).glob(f"{code}-*.pdf"))


def test_a_statement_pdf_is_rendered_once_and_served_from_its_file(app, member, tmp_path):  # noqa: F811
    client = login(app, "wanjiru@example.org")
    first = issue_statement(client, "pdf", cycle=YEAR).get_data()
    (statement,) = db.session.scalars(sa.select(Statement))
    (path,) = stored(app, statement.code)
    assert path.read_bytes() == first
    code = statement.code
    assert f"CPD statement {code[:4]}-{code[4:8]}-{code[8:]}" in pdf_text(first, tmp_path)
    # The file is what is served: a download is the same bytes, without drawing it again.
    assert client.get(f"/cpd/statement.pdf?cycle={YEAR}").get_data() == first
    path.write_bytes(first + b"\n% served from the stored file\n")
    again = client.get(f"/cpd/statement.pdf?cycle={YEAR}").get_data()
    assert again.endswith(b"% served from the stored file\n")
    # Another language is another drawing, kept beside it.
    member.language = "sw"
    db.session.commit()
    swahili = client.get(f"/cpd/statement.pdf?cycle={YEAR}").get_data()
    assert swahili.startswith(b"%PDF") and swahili != first
    assert len(stored(app, statement.code)) == 2


def test_an_unwritable_folder_only_means_rendering_each_time(app, member, tmp_path):  # noqa: F811
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    app.config["STATEMENT_PDF_DIR"] = str(blocker / "pdfs")
    client = login(app, "wanjiru@example.org")
    response = issue_statement(client, "pdf", cycle=YEAR)
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
    assert client.get(f"/cpd/statement.pdf?cycle={YEAR}").get_data().startswith(b"%PDF")
