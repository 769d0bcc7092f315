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
    template: str = ""  # the plain-text template of the mail

    @property
    def choices(self) -> tuple[str, ...]:
        if self.required:
            return ()
        if self.audience == "admin":
            return (DIGEST, EACH, APP)
        if self.default == OFF:
            return (EMAIL, APP, OFF)
        return (EMAIL, APP)


def _t(name: str) -> str:
    return f"notifications/email/{name}.txt"


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        # Account mail: sent whatever the preferences, never in the centre (not signed in yet).
        Kind("password_reset", _l("Password reset"), "account", True, in_app=False,
             template="auth/email/reset_password.txt"),
        Kind("email_confirmation", _l("E-mail confirmation"), "account", True, in_app=False,
             template="auth/email/confirm_email.txt"),
        Kind("registration_attempt", _l("Registration with your address"), "account", True,
             in_app=False, template="auth/email/register_attempt.txt"),
        Kind("faculty_invitation", _l("Faculty account created"), "account", True, in_app=False,
             template="admin/email/faculty_invitation.txt"),
        # Decisions about a member: always mailed.
        Kind("claim_decided", _l("CPD claim decided"), "member", True,
             template="cpd/email/decision.txt"),
        Kind("claim_info_requested", _l("More information asked about a CPD claim"), "member",
             True, template=_t("claim_info_requested")),
        Kind("certification_decided", _l("Certification application decided"), "member", True,
             template="certification/email/decision.txt"),
        Kind("certificate_issued", _l("Certificate issued"), "member", True,
             template=_t("certificate_issued")),
        Kind("certificate_revoked", _l("Certificate revoked"), "member", True,
             template=_t("certificate_revoked")),
        Kind("membership_decided", _l("Membership application decided"), "member", True,
             template=_t("membership_decided")),
        # Reminders: optional.
        Kind("certificate_expiring", _l("Certificate about to expire"), "member",
             template=_t("certificate_expiring")),
        Kind("certificate_expired", _l("Certificate expired"), "member",
             template=_t("certificate_expired")),
        Kind("cpd_shortfall", _l("CPD cycle ending with points missing"), "member",
             template=_t("cpd_shortfall")),
        Kind("behind_pace", _l("Behind pace with CPD points (monthly)"), "member", default=OFF,
             template=_t("behind_pace")),
        Kind("renewal_due", _l("Membership renewal due"), "member",
             template=_t("renewal_due")),
        # Faculty.
        Kind("draft_returned", _l("Draft returned with comments"), "faculty",
             template=_t("draft_returned")),
        Kind("draft_published", _l("Draft published"), "faculty",
             template=_t("draft_published")),
        # Admins: waiting work, as a daily digest by default.
        Kind("admin_waiting", _l("Work waiting for the secretariat"), "admin", default=DIGEST,
             template=_t("admin_waiting")),
        Kind("admin_digest", _l("Daily digest of waiting work"), "admin", default=DIGEST,
             in_app=False, template=_t("admin_digest")),
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
