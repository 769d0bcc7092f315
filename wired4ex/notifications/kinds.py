"""What the app tells people about: each kind, who receives it, and whether mail is optional.

Mail that a person must get (password reset, e-mail confirmation, decisions about them) cannot be
turned off; every other kind can be "e-mail" or "in the app only", and opt-in kinds start off.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# The channels a person can choose.
EMAIL, APP, OFF, DIGEST, EACH = "email", "app", "off", "digest", "each"


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy text
    audience: str  # account | member | faculty | admin
    required: bool = False  # mail cannot be turned off
    default: str = EMAIL
    in_app: bool = True  # shown in the notification centre
    mail_template: str = ""  # the plain-text template of the mail, when not the kind's own

    @property
    def template(self) -> str:
        return self.mail_template or f"notifications/email/{self.code}.txt"

    @property
    def choices(self) -> tuple[str, ...]:
        if self.required:
            return ()
        if self.audience == "admin":
            return (DIGEST, EACH, APP)
        if self.default == OFF:
            return (EMAIL, APP, OFF)
        return (EMAIL, APP)


def _account(code: str, label, template: str) -> Kind:
    """Account mail: sent whatever the preferences, never in the centre (not signed in yet)."""
    return Kind(code, label, "account", True, in_app=False, mail_template=template)


def _decision(code: str, label, template: str = "") -> Kind:
    """A decision about a member: always mailed, and shown in the centre."""
    return Kind(code, label, "member", True, mail_template=template)


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        _account("password_reset", _l("Password reset"), "auth/email/reset_password.txt"),
        _account("email_confirmation", _l("E-mail confirmation"), "auth/email/confirm_email.txt"),
        _account("registration_attempt", _l("Registration with your address"),
                 "auth/email/register_attempt.txt"),
        _account("faculty_invitation", _l("Faculty account created"),
                 "admin/email/faculty_invitation.txt"),
        _decision("claim_decided", _l("CPD claim decided"), "cpd/email/decision.txt"),
        _decision("claim_info_requested", _l("More information asked about a CPD claim")),
        _decision("certification_decided", _l("Certification application decided"),
                  "certification/email/decision.txt"),
        _decision("certificate_issued", _l("Certificate issued")),
        _decision("certificate_revoked", _l("Certificate revoked")),
        _decision("membership_decided", _l("Membership application decided")),
        _decision("membership_info_requested",
                  _l("More information asked about a membership application"),
                  "notifications/email/membership_decided.txt"),
        # Reminders: optional.
        Kind("certificate_expiring", _l("Certificate about to expire"), "member"),
        Kind("certificate_expired", _l("Certificate expired"), "member"),
        Kind("cpd_shortfall", _l("CPD cycle ending with points missing"), "member"),
        Kind("behind_pace", _l("Behind pace with CPD points (monthly)"), "member", default=OFF),
        Kind("renewal_due", _l("Membership renewal due"), "member"),
        # Faculty.
        Kind("draft_returned", _l("Draft returned with comments"), "faculty"),
        Kind("draft_published", _l("Draft published"), "faculty"),
        # Admins: waiting work, as a daily digest by default.
        Kind("admin_waiting", _l("Work waiting for the secretariat"), "admin", default=DIGEST),
        Kind("admin_digest", _l("Daily digest of waiting work"), "admin", default=DIGEST,
             in_app=False),
    )
}  # fmt: skip

CHANNEL_LABELS = {
    EMAIL: _l("E-mail and in the app"),
    APP: _l("In the app only"),
    OFF: _l("Off"),
    DIGEST: _l("One daily digest e-mail"),
    EACH: _l("An e-mail for each item"),
}


def choosable(roles: set[str]) -> list[Kind]:
    """The kinds a person with these roles can set (required and account mail are not listed)."""
    audiences = {"member"} if "member" in roles else set()
    if "faculty" in roles or "admin" in roles:
        audiences.add("faculty")
    if "admin" in roles:
        audiences.add("admin")
    return [kind for kind in KINDS.values()
            if kind.audience in audiences and kind.choices and kind.code != "admin_digest"]  # fmt: skip
