"""My CPD reads the member's ledger, claims and the secretariat's open questions in one statement
(issue 23): the questions cost no statement of their own, and only the member's own claims show."""

from datetime import timedelta
from decimal import Decimal

from tests.test_query_counts import grow_records, people, statements_for, sync, write_content
from wired4ex.cpd.models import Claim, ClaimInfoRequest
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.timeutil import local_today

__all__ = ["people"]  # the fixture


def _claim(user_id: int, title: str, status: str, days_ago: int) -> Claim:
    day = local_today() - timedelta(days=days_ago)
    claim = Claim(
        user_id=user_id, title=title, provider="HeSMA", category="unstructured", start_date=day,
        end_date=day, hours=Decimal("2"), points_claimed=Decimal("2"), reflection="Learnt.",
        status=status,
    )  # fmt: skip
    db.session.add(claim)
    db.session.flush()
    return claim


def test_the_questions_come_with_the_claims(app, client, auth, people, tmp_path):
    member, admin = people
    root = tmp_path / "content"
    write_content(root, courses=1, modules=1)
    grow_records(member, admin, sync(root), 3)
    auth.login(member.email)
    before = len(statements_for(client, "/cpd/"))
    twice = _claim(member.id, "Summit in Arusha", "info_requested", 4)
    once = _claim(member.id, "Workshop in Mombasa", "info_requested", 5)
    _claim(admin.id, "The secretariat's own claim", "info_requested", 4)
    rounds = [
        (twice, 1, "Who signed the first certificate?", utcnow()),
        (twice, 2, "And who organised the summit?", None),
        (once, 1, "Where is the attendance list?", None),
    ]
    for claim, number, question, replied_at in rounds:
        db.session.add(ClaimInfoRequest(
            claim_id=claim.id, round=number, question=question, asked_by_id=admin.id,
            reply="Dr Achieng." if replied_at else None, replied_at=replied_at,
        ))  # fmt: skip
    db.session.commit()

    assert len(statements_for(client, "/cpd/")) == before
    page = client.get("/cpd/").get_data(as_text=True)
    assert "The secretariat has questions about 2 of your claims" in page
    assert "And who organised the summit?" in page and "Where is the attendance list?" in page
    assert "Who signed the first certificate?" not in page  # answered: not the open question
    assert "Summit in Arusha" in page and "Conference 2" in page
    assert "own claim" not in page
