"""The secretariat's work queue, at the top of the admin landing page: what is waiting, how
many, and since when, each linking to its list."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from wired4ex.authoring.models import Draft
from wired4ex.certification.models import Application
from wired4ex.cpd.models import Claim
from wired4ex.extensions import db
from wired4ex.membership.models import ApplicationStatus, MembershipApplication


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    oldest_at: datetime | None
    href: str

    def waiting_days(self, now: datetime) -> int | None:
        """Whole days the oldest item has waited; None when nothing waits."""
        if self.oldest_at is None:
            return None
        oldest = (
            self.oldest_at if self.oldest_at.tzinfo else self.oldest_at.replace(tzinfo=now.tzinfo)
        )
        return max((now - oldest).days, 0)


def _waiting(column, *conditions) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(column)).where(*conditions)
    ).one()
    return int(count), oldest


def work_queue() -> list[Queue]:
    """Membership applications, claims to verify, drafts to review and certification
    applications to decide, each with
    its count and its oldest waiting item, in one query per queue."""
    claims = _waiting(Claim.created_at, Claim.status == "submitted")
    drafts = _waiting(
        sa.func.coalesce(Draft.submitted_at, Draft.updated_at), Draft.status == "in_review"
    )
    applications = _waiting(Application.submitted_at, Application.status == "submitted")
    memberships = _waiting(
        MembershipApplication.submitted_at,
        MembershipApplication.status == ApplicationStatus.SUBMITTED,
    )
    failed = _failed_mail()
    queues = [
        Queue(str(_l("Membership applications")), *memberships, url_for("membership_admin.queue")),
        Queue(str(_l("Claims to verify")), *claims, url_for("cpd.review_queue")),
        Queue(str(_l("Drafts to review")), *drafts, url_for("authoring.reviews")),
        Queue(
            str(_l("Certification applications")),
            *applications,
            url_for("certification.applications"),
        ),  # fmt: skip
    ]
    if failed[0]:  # counted in the work queue only while mails wait for an admin
        queues.append(Queue(str(_l("Mails not delivered")), *failed,
                            url_for("notifications.admin_messages")))  # fmt: skip
    return queues


def work_queue_counts() -> list[tuple[str, int, str]]:
    """(label, count, endpoint) of each queue, and of mails that failed, for the daily digest
    (outside a request: endpoints, not addresses)."""
    claims, _ = _waiting(Claim.created_at, Claim.status == "submitted")
    drafts, _ = _waiting(Draft.created_at, Draft.status == "in_review")
    applications, _ = _waiting(Application.submitted_at, Application.status == "submitted")
    memberships, _ = _waiting(
        MembershipApplication.submitted_at,
        MembershipApplication.status == ApplicationStatus.SUBMITTED,
    )
    failed, _ = _failed_mail()
    return [
        (str(_l("Membership applications")), memberships, "membership_admin.queue"),
        (str(_l("Claims to verify")), claims, "cpd.review_queue"),
        (str(_l("Drafts to review")), drafts, "authoring.reviews"),
        (str(_l("Certification applications")), applications, "certification.applications"),
        (str(_l("Mails not delivered")), failed, "notifications.admin_messages"),
    ]


def _failed_mail() -> tuple[int, datetime | None]:
    from wired4ex.notifications.models import MailMessage

    return _waiting(MailMessage.created_at, MailMessage.status.in_(("failed", "bounced")))
