"""One line per notification for the centre and the API, in the reader's language."""

from datetime import date

from flask_babel import gettext as _

from wired4ex.i18n import show_date
from wired4ex.notifications.kinds import KINDS
from wired4ex.notifications.models import Notification


def notification_text(item: Notification) -> str:
    p = item.params or {}
    title = p.get("title", "")
    texts = {
        "claim_decided": lambda: {
            "approved": _("Your CPD claim \"%(title)s\" has been approved.", title=title),
            "reduced": _("Your CPD claim \"%(title)s\" has been approved with fewer points.",
                         title=title),
        }.get(p.get("outcome"), _("Your CPD claim \"%(title)s\" was not approved.", title=title)),
        "claim_info_requested": lambda: _(
            "More information is needed about your CPD claim \"%(title)s\".", title=title),
        "certification_decided": lambda: (
            _("Your application for %(programme)s has been approved.", programme=title)
            if p.get("approved") else
            _("Your application for %(programme)s was not approved.", programme=title)),
        "certificate_issued": lambda: _("Your certificate %(programme)s has been issued.",
                                        programme=title),
        "certificate_revoked": lambda: _("Your certificate %(programme)s has been revoked.",
                                         programme=title),
        "certificate_expiring": lambda: _("Your certificate expires in %(days)s days.",
                                          days=p.get("days")),
        "certificate_expired": lambda: _("Your certificate has expired."),
        "cpd_shortfall": lambda: _("Your CPD cycle ends in %(days)s days: %(points)s points to go.",
                                   days=p.get("days"), points=p.get("still_needed")),
        "behind_pace": lambda: _("You are behind pace with your CPD points."),
        "membership_decided": lambda: (
            _("Your membership application has been approved. Your membership number is "
              "%(number)s.", number=p.get("number") or "-")
            if p.get("approved") else _("Your membership application was not approved.")),
        "membership_info_requested": lambda: _(
            "The secretariat needs more information about your membership application."),
        "renewal_due": lambda: (
            _("Your membership is due for renewal on %(date)s.",
              date=show_date(date.fromisoformat(p["renews_on"])))
            if p.get("renews_on") else _("Your membership is due for renewal.")),
        "draft_returned": lambda: _("Your draft \"%(title)s\" was returned with comments.",
                                    title=title),
        "draft_published": lambda: _("Your draft \"%(title)s\" has been published.", title=title),
        "admin_waiting": lambda: _("New for the secretariat: %(what)s.", what=title),
    }  # fmt: skip
    if item.kind in texts:
        return texts[item.kind]()
    kind = KINDS.get(item.kind)
    return str(kind.label) if kind else item.kind
