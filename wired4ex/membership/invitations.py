"""Set-your-password mails for accounts the secretariat created in bulk (the register import).

One transaction issues every link (the password-reset tokens of `auth.account_tokens`), then the
mails go out over one SMTP connection, each in its recipient's language."""

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from wired4ex.auth import account_tokens
from wired4ex.auth.forms import MEMBERSHIP_LABELS
from wired4ex.auth.models import MembershipCategory, User
from wired4ex.extensions import db
from wired4ex.mail import send_many
from wired4ex.membership.models import Membership
from wired4ex.urls import public_url


def send_invitations(user_ids: list[int]) -> int:
    """Mail each of these members a link to choose their password; returns how many were sent."""
    if not user_ids:
        return 0
    found = []
    for start in range(0, len(user_ids), 500):
        found += db.session.execute(
            sa.select(User, Membership.number, Membership.category)
            .join(Membership, Membership.user_id == User.id)
            .where(User.id.in_(user_ids[start : start + 500]))
        ).all()
    secrets_by_user = account_tokens.issue_many([user for user, _n, _c in found], account_tokens.RESET)
    forgot_link = public_url("auth.forgot_password")
    messages = []
    for user, number, category in found:
        link = public_url("auth.reset_password", token=secrets_by_user[user.id])
        with force_locale(user.language):
            label = str(MEMBERSHIP_LABELS[MembershipCategory(category)])
            body = render_template(
                "membership/email/import_invitation.txt",
                user=user,
                category=label,
                number=number,
                link=link,
                forgot_link=forgot_link,
            )
            messages.append((user.email, _("Your HeSMA East Africa membership on Wired4EX"), body))
    return send_many(messages)
