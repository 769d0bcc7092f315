"""The caller's external CPD claims in the JSON API: status, points, the decision and, while the
secretariat waits on the member, the open question (read-only; answering is done on the site)."""

import sqlalchemy as sa
from flask import g, jsonify, url_for
from flask_babel import gettext as _

from wired4ex.api import bp, services
from wired4ex.api.access import ApiError, api_limit, member_required
from wired4ex.api.serializers import day, moment, points
from wired4ex.api.views import MAX_ID, _choice, _paginated, _paging
from wired4ex.cpd.models import CLAIM_STATUSES, Claim, ClaimInfoRequest
from wired4ex.extensions import db


def open_question(item: ClaimInfoRequest | None) -> dict | None:
    if item is None:
        return None
    return {"round": item.round, "question": item.question, "asked_at": moment(item.asked_at)}


def claim(item: Claim) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "provider": item.provider,
        "category": item.category,
        "start_date": day(item.start_date),
        "end_date": day(item.end_date),
        "hours": points(item.hours),
        "points_claimed": points(item.points_claimed),
        "points_approved": points(item.points_approved),
        "status": item.status,
        "decision_reason": item.decision_reason,
        "submitted_at": moment(item.submitted_at),
        "decided_at": moment(item.decided_at),
        "open_question": open_question(item.open_request),
        "version": item.version,
        "links": {
            "self": url_for("api.my_claim", claim_id=item.id),
            "html": url_for("cpd.claim", claim_id=item.id),
        },
    }


@bp.get("/me/claims")
@api_limit
@member_required
def my_claims():
    page, per_page = _paging()
    status = _choice("status", CLAIM_STATUSES)
    query = sa.select(Claim).where(Claim.user_id == g.api_user.id)
    if status:
        query = query.where(Claim.status == status)
    query = query.order_by(Claim.end_date.desc(), Claim.id.desc())
    found = services.page_of_query(query, page, per_page)
    return jsonify(_paginated(found, [claim(item) for item in found.items]))


@bp.get("/me/claims/<int:claim_id>")
@api_limit
@member_required
def my_claim(claim_id: int):
    item = db.session.get(Claim, claim_id) if claim_id <= MAX_ID else None
    if item is None or item.user_id != g.api_user.id:
        raise ApiError(404, _("No claim of yours has this id."))
    return jsonify(claim(item))
