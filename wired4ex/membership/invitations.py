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
            sa.select(
                User.id,
                User.email,
                User.full_name,
                User.language,
                Membership.number,
                Membership.category,
            )
            .join(Membership, Membership.user_id == User.id)
            .where(User.id.in_(user_ids[start : start + 500]))
        ).all()  # plain rows: they stay readable after the tokens' commit
    secrets_by_user = account_tokens.issue_many(found, account_tokens.RESET)
    forgot_link = public_url("auth.forgot_password")
    messages = []
    by_language: dict[str, list] = {}
    for person in found:
        by_language.setdefault(person.language, []).append(person)
    for language, people in by_language.items():
        with force_locale(language):  # once per language, not per person
            subject = _("Your HeSMA East Africa membership on Wired4EX")
            labels = {code: str(label) for code, label in MEMBERSHIP_LABELS.items()}
            for person in people:
                body = render_template(
                    "membership/email/import_invitation.txt",
                    user=person,
                    category=labels[MembershipCategory(person.category)],
                    number=person.number,
                    link=public_url("auth.reset_password", token=secrets_by_user[person.id]),
                    forgot_link=forgot_link,
                )
                messages.append((person.email, subject, body))
    return send_many(messages)
