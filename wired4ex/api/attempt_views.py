"""The caller's knowledge-check attempts in the JSON API: scores, and exactly what the module's
review policy lets the member see (learning.scoring decides; nothing else reaches the answer)."""

import sqlalchemy as sa
from flask import g, jsonify, url_for
from flask_babel import gettext as _

from wired4ex.api import bp, services
from wired4ex.api.access import ApiError, api_limit, member_required
from wired4ex.api.serializers import moment
from wired4ex.api.views import MAX_ID, _paginated, _paging
from wired4ex.catalog.models import Module
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.learning.models import QuizAttempt


def attempt_summary(attempt: QuizAttempt) -> dict:
    module = attempt.module_version.module
    course = module.course
    return {
        "id": attempt.id,
        "number": attempt.number,
        "module": {"id": module.key, "course": course.key, "title": attempt.module_version.title},
        "score": attempt.score,
        "passed": attempt.passed,
        "pass_mark": attempt.module_version.pass_mark,
        "submitted_at": moment(attempt.submitted_at),
        "links": {"self": url_for("api.my_attempt", attempt_id=attempt.id)},
    }


def attempt_detail(attempt: QuizAttempt) -> dict:
    review = learning.review_attempt(attempt)
    return {
        **attempt_summary(attempt),
        "review": attempt.module_version.review,
        "answers_shown": review.reveal,
        "questions": review.items,
    }


@bp.get("/me/attempts")
@api_limit
@member_required
def my_attempts():
    page, per_page = _paging()
    query = (
        sa.select(QuizAttempt)
        .join(Module, Module.id == QuizAttempt.module_id)
        .where(QuizAttempt.user_id == g.api_user.id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
    )
    found = services.page_of_query(query, page, per_page)
    return jsonify(_paginated(found, [attempt_summary(item) for item in found.items]))


@bp.get("/me/attempts/<int:attempt_id>")
@api_limit
@member_required
def my_attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    return jsonify(attempt_detail(attempt))


def _own_attempt(attempt_id: int) -> QuizAttempt:
    """The caller's own submitted attempt; anyone else's is not found."""
    attempt = db.session.get(QuizAttempt, attempt_id) if attempt_id <= MAX_ID else None
    if attempt is None or attempt.user_id != g.api_user.id or not attempt.submitted:
        raise ApiError(404, _("No attempt of yours has this id."))
    return attempt
