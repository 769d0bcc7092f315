"""What each kind of mail says: its subject and the context of its plain-text template, read from
the database at delivery (in the recipient's language, links from PUBLIC_BASE_URL)."""

from datetime import date
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from wired4ex.auth.models import User
from wired4ex.extensions import db
from wired4ex.notifications.models import MailMessage
from wired4ex.urls import public_url


class NothingToSend(Exception):
    """The thing a mail was about is gone: the mail is skipped (logged), never retried."""


def _get(model, ident):
    found = db.session.get(model, ident) if ident is not None else None
    if found is None:
        raise NothingToSend(f"{model.__name__} {ident} no longer exists")
    return found


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def context_for(message: MailMessage) -> tuple[str, dict]:
    """(subject, template context) for a queued mail."""
    user = _get(User, message.user_id)
    p = message.params
    builder = BUILDERS[message.kind]
    subject, context = builder(user, p)
    context.setdefault("user", user)
    context.setdefault("member", user)
    return subject, context


def _password_reset(user, p):
    from wired4ex.auth.services import make_password_reset_token

    link = public_url("auth.reset_password", token=make_password_reset_token(user))
    return _("Reset your Wired4EX password"), {"link": link}


def _email_confirmation(user, p):
    from wired4ex.auth.services import make_email_confirmation_token

    if user.email_confirmed:
        raise NothingToSend("the address is already confirmed")
    link = public_url("auth.confirm_email", token=make_email_confirmation_token(user))
    return _("Confirm your e-mail address for Wired4EX"), {"link": link}


def _registration_attempt(user, p):
    return _("Someone tried to register with your e-mail address"), {
        "link": public_url("auth.forgot_password")
    }


def _faculty_invitation(user, p):
    from wired4ex.auth.services import make_password_reset_token
    from wired4ex.catalog.models import Institution

    institution = _get(Institution, p.get("institution_id"))
    link = public_url("auth.reset_password", token=make_password_reset_token(user))
    return _("Your Wired4EX faculty account"), {"institution": institution, "link": link}


def _claim_decided(user, p):
    from wired4ex.cpd.models import Claim

    claim = _get(Claim, p.get("claim_id"))
    if claim.status == "approved" and claim.points_approved < claim.points_claimed:
        subject = _("Your CPD claim has been approved with fewer points")
    elif claim.status == "approved":
        subject = _("Your CPD claim has been approved")
    else:
        subject = _("Your CPD claim has been rejected")
    return subject, {"claim": claim, "link": public_url("cpd.claim", claim_id=claim.id)}


def _claim_info_requested(user, p):
    from wired4ex.cpd.models import Claim

    claim = _get(Claim, p.get("claim_id"))
    return _("More information is needed about your CPD claim"), {
        "claim": claim,
        "question": p.get("question", ""),
        "link": public_url("cpd.claim", claim_id=claim.id),
    }


def _certification_decided(user, p):
    from wired4ex.certification.models import Application, Certificate

    application = _get(Application, p.get("application_id"))
    certificate = (
        db.session.get(Certificate, p["certificate_id"]) if p.get("certificate_id") else None
    )
    return _("Your certification application has been decided"), {
        "application": application,
        "certificate": certificate,
        "link": public_url("certification.index"),
    }


def _certificate_mail(p, subject, link_endpoint="certification.index", **values):
    """(subject, context) of a mail about one certificate; `subject` gets its programme."""
    from wired4ex.certification.models import Certificate

    certificate = _get(Certificate, p.get("certificate_id"))
    link = (public_url(link_endpoint, certificate_id=certificate.id)
            if link_endpoint != "certification.index" else public_url(link_endpoint))  # fmt: skip
    text = subject(programme=certificate.programme_name, **values)
    return text, {"certificate": certificate, "link": link, **values}


def _certificate_issued(user, p):
    from wired4ex.certification.views import certificate_verify_url

    subject, context = _certificate_mail(
        p, lambda **v: _("Your certificate %(programme)s has been issued", **v),
        "certification.certificate_pdf")  # fmt: skip
    return subject, {**context, "verify": certificate_verify_url(context["certificate"])}


def _certificate_revoked(user, p):
    return _certificate_mail(
        p, lambda **v: _("Your certificate %(programme)s has been revoked", **v)
    )


def _certificate_expiring(user, p):
    return _certificate_mail(
        p, lambda **v: _("Your certificate %(programme)s expires in %(days)s days", **v),
        days=p.get("days"))  # fmt: skip


def _certificate_expired(user, p):
    return _certificate_mail(p, lambda **v: _("Your certificate %(programme)s has expired", **v))


def _cpd_shortfall(user, p):
    from wired4ex.cpd.policy import load_policy

    policy = load_policy()
    return _("Your CPD cycle ends in %(days)s days: %(points)s points to go",
             days=p.get("days"), points=_points(p.get("still_needed"))), {
        "p": p, "end": _day(p.get("cycle_end")), "room": p.get("room", []),
        "category_name": policy.category_name,
        "link": public_url("cpd.index"),
    }  # fmt: skip


def _behind_pace(user, p):
    return _("You are behind pace with your CPD points"), {
        "p": p, "end": _day(p.get("cycle_end")), "link": public_url("cpd.index"),
    }  # fmt: skip


def _membership_of(user):
    import sqlalchemy as sa

    from wired4ex.membership.models import Membership

    return db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))


def _membership_decided(user, p):
    membership = _membership_of(user) if p.get("approved") else None
    if p.get("approved") and membership is None:
        raise NothingToSend("the membership granted no longer exists")
    subject = (_("Your membership application has been approved") if p.get("approved")
               else _("Your membership application was not approved"))  # fmt: skip
    return subject, {
        "status": "approved" if p.get("approved") else "rejected", "membership": membership,
        "reason": p.get("reason"), "link": public_url("membership.mine"),
    }  # fmt: skip


def _membership_info_requested(user, p):
    return _("Your membership application: more information needed"), {
        "status": "info_requested", "request": p.get("request", ""),
        "link": public_url("membership.mine"),
    }  # fmt: skip


def _renewal_due(user, p):
    from wired4ex.membership.models import Membership
    from wired4ex.membership.status import lapses_on

    membership = _get(Membership, p.get("membership_id"))
    due = _day(p.get("renews_on"))
    if membership.renews_on != due:
        raise NothingToSend("the membership was renewed (or changed) since")
    last = lapses_on(membership)
    return _("Your membership is due for renewal"), {
        "due": due, "last": last if last != due else None, "link": public_url("membership.mine"),
    }  # fmt: skip


def _draft(user, p):
    from wired4ex.authoring.models import Draft

    return _get(Draft, p.get("draft_id"))


def _draft_returned(user, p):
    draft = _draft(user, p)
    return _("Your draft \"%(title)s\" was returned with comments", title=draft.title), {
        "draft": draft, "link": public_url("authoring.edit_draft", draft_id=draft.id),
    }  # fmt: skip


def _draft_published(user, p):
    draft = _draft(user, p)
    return _("Your draft \"%(title)s\" has been published", title=draft.title), {
        "draft": draft, "link": public_url("authoring.edit_draft", draft_id=draft.id),
    }  # fmt: skip


def _admin_waiting(user, p):
    return _("Waiting for the secretariat: %(what)s", what=p.get("title", "")), {
        "p": p, "link": public_url(p.get("endpoint") or "admin.dashboard"),
    }  # fmt: skip


def _admin_digest(user, p):
    from wired4ex.notifications.digest import waiting_lines

    lines = waiting_lines()
    if not lines:
        raise NothingToSend("nothing is waiting any more")
    return _("Waiting for the secretariat today"), {
        "lines": lines, "link": public_url("admin.dashboard"),
    }  # fmt: skip


def _points(value) -> str:
    return format_decimal(Decimal(str(value or 0)), format="#,##0.#")


BUILDERS = {
    "password_reset": _password_reset,
    "email_confirmation": _email_confirmation,
    "registration_attempt": _registration_attempt,
    "faculty_invitation": _faculty_invitation,
    "claim_decided": _claim_decided,
    "claim_info_requested": _claim_info_requested,
    "certification_decided": _certification_decided,
    "certificate_issued": _certificate_issued,
    "certificate_revoked": _certificate_revoked,
    "certificate_expiring": _certificate_expiring,
    "certificate_expired": _certificate_expired,
    "cpd_shortfall": _cpd_shortfall,
    "behind_pace": _behind_pace,
    "membership_decided": _membership_decided,
    "membership_info_requested": _membership_info_requested,
    "renewal_due": _renewal_due,
    "draft_returned": _draft_returned,
    "draft_published": _draft_published,
    "admin_waiting": _admin_waiting,
    "admin_digest": _admin_digest,
}
