"""The certification page keeps each programme's rule texts per content version, language and day
(issue 23): a language switch shows at once, a published change on the next request."""

import sqlalchemy as sa

from tests.test_query_counts import people, sync, write_content
from wired4ex.auth.models import User
from wired4ex.extensions import db

__all__ = ["people"]  # the fixture


def _speaks(member: User, language: str) -> None:
    db.session.execute(sa.update(User).where(User.id == member.id).values(language=language))
    db.session.commit()


def test_the_page_follows_the_language_and_the_content(app, client, auth, people, tmp_path):
    member, _admin = people
    root = tmp_path / "content"
    write_content(root, courses=1, modules=1)
    sync(root)
    auth.login(member.email)
    page = client.get("/certification/").get_data(as_text=True)
    assert "Member in good standing" in page and "Complete Course 0" in page
    assert "Associate in Health Systems Management" in page

    _speaks(member, "sw")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Mwanachama mwenye hadhi nzuri" in page and "Member in good standing" not in page
    assert "Mshirika katika Usimamizi wa Mifumo ya Afya" in page

    _speaks(member, "en")
    page = client.get("/certification/").get_data(as_text=True)
    assert "Member in good standing" in page and "Mwanachama" not in page

    (root / "institutions" / "many-uni" / "course-00" / "course.md").write_text(
        "---\ntitle: Renamed course\nsummary: S.\n---\nO.\n"
    )
    programmes = root / "policy" / "certifications.yml"
    programmes.write_text(
        programmes.read_text().replace(
            "name: Associate in Health Systems Management", "name: Associate in Health Care"
        )
    )
    sync(root)
    page = client.get("/certification/").get_data(as_text=True)
    assert "Complete Renamed course" in page and "Complete Course 0" not in page
    assert "Associate in Health Care" in page
    assert "Associate in Health Systems Management" not in page
