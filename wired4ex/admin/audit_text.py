"""The audit log as a person reads it: one sentence per event ("Amani Mwakyusa approved 3 of 6
points for claim 'County health summit' by Wanjirũ Ng'ang'a") and a small table of the fields that
changed, with names instead of ids, in the reader's language.

The stored events keep their raw values (the CSV export gives them as recorded); this module only
presents them. Records are named with one query per kind of record on the page.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from wired4ex.admin.forms import AUDIT_ACTION_LABELS, ROLE_LABELS
from wired4ex.audit import AuditEvent
from wired4ex.auth.forms import MEMBERSHIP_LABELS
from wired4ex.auth.models import User
from wired4ex.authoring.models import Draft
from wired4ex.catalog.models import Course, Institution, Module, ModuleVersion
from wired4ex.certification.models import Application
from wired4ex.cpd.models import Claim
from wired4ex.events.models import Event, EventSession
from wired4ex.extensions import db

# Readable names of the fields kept in before/after.
FIELD_LABELS = {
    "status": _l("Status"),
    "points_claimed": _l("Points claimed"),
    "points_approved": _l("Points approved"),
    "points": _l("Points"),
    "reason": _l("Reason"),
    "membership_category": _l("Membership category"),
    "roles": _l("Roles"),
    "institution_id": _l("Institution"),
    "institution": _l("Institution"),
    "active": _l("Account active"),
    "outcome": _l("Outcome"),
    "notes": _l("Notes"),
    "title": _l("Title"),
    "name": _l("Name"),
    "short_name": _l("Short name"),
    "country": _l("Country"),
    "website": _l("Website"),
    "slug": _l("Short address (slug)"),
    "category": _l("Category"),
    "date": _l("Date"),
    "comment": _l("Comment"),
    "email": _l("E-mail"),
    "address": _l("Network address"),
    "present": _l("Present"),
    "certificate": _l("Certificate"),
    "scopes": _l("Scopes"),
    "file": _l("File"),
    "external": _l("Organised by another body"),
    "role": _l("Role"),
    "version": _l("Version"),
    "question": _l("Question"),
    "reply": _l("Reply"),
    "round": _l("Round"),
    "evidence": _l("Evidence"),
    "drafts": _l("Drafts"),
    "cycle": _l("CPD cycle"),
    "percentage": _l("Share drawn (%)"),
    "population": _l("Members in the cycle"),
    "drawn": _l("Members drawn"),
}
STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "info_requested": _l("Information asked for"),
    "draft": _l("Draft"),
    "valid": _l("Valid"),
    "revoked": _l("Revoked"),
    "passed": _l("Passed"),
    "failed": _l("Failed"),
}
# Readable names of the actions the secretariat's forms did not name yet (the filter and each
# entry's heading use both).
MORE_ACTION_LABELS = {
    "claim.approved": _l("Claim approved"),
    "claim.rejected": _l("Claim rejected"),
    "claim.info_requested": _l("More information asked about a CPD claim"),
    "claim.info_answered": _l("Claim question answered"),
    "claim.withdrawn": _l("Claim withdrawn"),
    "member.deactivated": _l("Account deactivated"),
    "member.reactivated": _l("Account reactivated"),
    "member.erased": _l("Personal data erased"),
    "statement.revoked": _l("Statement revoked"),
    "certificate.revoked": _l("Certificate revoked"),
    "certification.approved": _l("Certification approved"),
    "certification.rejected": _l("Certification rejected"),
    "ledger.adjustment": _l("Ledger adjusted"),
    "audit_sample.drawn": _l("Audit sample drawn"),
    "audit_sample.outcome": _l("Audit outcome recorded"),
    "institution.created": _l("Institution added"),
    "institution.updated": _l("Institution changed"),
    "faculty.created": _l("Faculty account created"),
    "course.created": _l("Course created"),
    "course.imported": _l("Course imported"),
    "module.archived": _l("Module archived"),
    "module.published": _l("Module published"),
    "draft.submitted": _l("Draft sent for review"),
    "draft.returned": _l("Draft returned"),
    "event.created": _l("Event created"),
    "event.updated": _l("Event changed"),
    "event.session_added": _l("Session added"),
    "event.session_updated": _l("Session changed"),
    "event.organiser": _l("Organisers changed"),
    "event.attendance_marked": _l("Attendance marked"),
    "event.attendance_restored": _l("Attendance restored"),
    "event.attendance_undone": _l("Attendance removed"),
    "quiz.attempt_granted": _l("Attempt granted"),
    "membership.applied": _l("Membership applied for"),
    "membership.approved": _l("Membership approved"),
    "membership.rejected": _l("Membership application rejected"),
    "membership.info_requested": _l("More information asked"),
    "membership.info_answered": _l("More information given"),
    "membership.withdrawn": _l("Membership application withdrawn"),
    "membership.granted": _l("Membership granted"),
    "membership.renewed": _l("Membership renewed"),
    "membership.category_changed": _l("Membership category changed"),
}


def action_label(action: str) -> str:
    """An action's readable name, or the action as recorded when it has none."""
    return str(AUDIT_ACTION_LABELS.get(action) or MORE_ACTION_LABELS.get(action) or action)


# Fields shown elsewhere (in the sentence) or of no use to a reader.
HIDDEN_FIELDS = {"via", "event_id", "session_id", "grant_id", "author_id", "module", "course"}
SYNC_LISTS = ("added", "updated", "archived")


@dataclass
class Entry:
    """One event as shown: when, the sentence, and the changed fields as (field, before, after)."""

    event: AuditEvent
    sentence: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def has_before(self) -> bool:
        """Whether the event recorded earlier values (a change) or only what was done."""
        return bool(self.event.before)


@dataclass
class Names:
    """Names of the people and records a page of events refers to."""

    people: dict[int, str] = field(default_factory=dict)
    records: dict[tuple[str, str], str] = field(default_factory=dict)

    def person(self, user_id) -> str:
        if user_id is None:
            return ""
        return self.people.get(int(user_id)) or _("a former account")

    def record(self, kind: str, key) -> str:
        return self.records.get((kind, str(key)), "")


def _ids(events, kind: str) -> list[int]:
    return [int(e.subject_id) for e in events if e.subject_type == kind and e.subject_id.isdigit()]


def _lookup(names: Names, kind: str, column_id, column_name, ids) -> None:
    if ids:
        query = sa.select(column_id, column_name).where(column_id.in_(set(ids)))
        for key, name in db.session.execute(query):
            names.records[(kind, str(key))] = name


def load_names(events: list[AuditEvent]) -> Names:
    """Everything the sentences of these events name, one query per kind of record."""
    names = Names()
    people = {e.actor_id for e in events} | {e.member_id for e in events}
    for e in events:
        for values in (e.before or {}, e.after or {}):
            if isinstance(values.get("author_id"), int):
                people.add(values["author_id"])
    people.discard(None)
    if people:
        query = sa.select(User.id, User.full_name).where(User.id.in_(people))
        names.people = dict(db.session.execute(query).all())
    _lookup(names, "claim", Claim.id, Claim.title, _ids(events, "claim"))
    _lookup(names, "draft", Draft.id, Draft.title, _ids(events, "draft"))
    _lookup(names, "event", Event.id, Event.title, _ids(events, "event"))
    _lookup(names, "event_session", EventSession.id, EventSession.title,
            _ids(events, "event_session"))  # fmt: skip
    _lookup(names, "module_version", ModuleVersion.id, ModuleVersion.title,
            _ids(events, "module_version"))  # fmt: skip
    _lookup(names, "module", Module.id, Module.key, _ids(events, "module"))
    _lookup(names, "certification_application", Application.id, Application.programme_code,
            _ids(events, "certification_application"))  # fmt: skip
    institutions = _ids(events, "institution") + [
        value
        for e in events
        for values in (e.before or {}, e.after or {})
        if isinstance(value := values.get("institution_id"), int)
    ]
    _lookup(names, "institution", Institution.id, Institution.name, institutions)
    paths = {e.subject_id for e in events if e.subject_type == "course"}
    paths |= {e.after["course"] for e in events if isinstance((e.after or {}).get("course"), str)}
    if paths:
        path = Institution.slug + "/" + Course.slug
        query = sa.select(path, Course.title).join(Institution).where(path.in_(paths))
        for key, title in db.session.execute(query):
            names.records[("course", key)] = title
    return names


def _value(name: str, value, names: Names) -> str:
    """A stored value as a reader reads it: labels, names, "—" for nothing, never `None`."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "roles" and isinstance(value, list):
        return ", ".join(str(ROLE_LABELS.get(role, role)) for role in value)
    if name == "membership_category":
        return str(MEMBERSHIP_LABELS.get(value, value))
    if name in ("status", "outcome"):
        return str(STATUS_LABELS.get(value, value))
    if name == "institution_id":
        return names.record("institution", value) or "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):  # e.g. an application's answers: each under a readable name
        return ", ".join(
            f"{FIELD_LABELS.get(key, key.replace('_', ' ').capitalize())}: {_value(key, item, names)}"
            for key, item in value.items()
            if item
        )
    return str(value)


def changes(event: AuditEvent, names: Names) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field that changed or was set, in a stable order."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for name in [*before, *(key for key in after if key not in before)]:
        if name in HIDDEN_FIELDS or name in SYNC_LISTS or name == "unchanged":
            continue
        old, new = before.get(name), after.get(name)
        if name in before and old == new:
            continue
        label = str(FIELD_LABELS.get(name, name.replace("_", " ").capitalize()))
        rows.append((label, _value(name, old, names) if name in before else "",
                     _value(name, new, names)))  # fmt: skip
    return rows


def _quoted(text: str) -> str:
    return f"‘{text}’" if text else ""


def sentence(event: AuditEvent, names: Names) -> str:  # noqa: C901 (one branch per action)
    """The event as one sentence in the reader's language."""
    after, before = event.after or {}, event.before or {}
    via_cli = after.get("via") == "the command line"
    actor = names.person(event.actor_id) or (
        _("Someone at the command line") if via_cli else _("The system")
    )
    member = names.person(event.member_id)
    action = event.action
    subject = names.record(event.subject_type, event.subject_id)
    values = {"actor": actor, "member": member or _("a member")}
    if action == "claim.approved":
        return _("%(actor)s approved %(approved)s of %(claimed)s points for claim %(title)s by "
                 "%(member)s", approved=after.get("points_approved") or "0",
                 claimed=before.get("points_claimed") or "?", title=_quoted(subject), **values)  # fmt: skip
    if action == "claim.rejected":
        return _("%(actor)s rejected claim %(title)s by %(member)s", title=_quoted(subject),
                 **values)  # fmt: skip
    if action == "claim.info_requested":
        return _("%(actor)s asked %(member)s for more information about claim %(title)s",
                 title=_quoted(subject), **values)  # fmt: skip
    if action == "claim.info_answered":
        return _("%(actor)s answered the secretariat's question about claim %(title)s",
                 title=_quoted(subject), **values)  # fmt: skip
    if action == "claim.withdrawn":
        return _("%(actor)s withdrew claim %(title)s", title=_quoted(subject), **values)
    simple = {
        "auth.login": _("%(actor)s logged in"),
        "auth.logout": _("%(actor)s logged out"),
        "auth.password_changed": _("%(actor)s changed their password"),
        "auth.password_reset": _("%(actor)s set a new password with an e-mail link"),
        "member.category_changed": _("%(actor)s changed the membership category of %(member)s"),
        "member.roles_changed": _("%(actor)s changed the roles of %(member)s"),
        "member.deactivated": _("%(actor)s deactivated the account of %(member)s"),
        "member.reactivated": _("%(actor)s reactivated the account of %(member)s"),
        "member.erased": _("%(actor)s erased the personal data of %(member)s"),
        "statement.revoked": _("%(actor)s revoked a CPD statement of %(member)s"),
        "certificate.revoked": _("%(actor)s revoked a certificate of %(member)s"),
        "ledger.adjustment": _("%(actor)s adjusted the CPD ledger of %(member)s"),
        "event.attendance_restored": _("%(actor)s restored the attendance of %(member)s"),
        "event.attendance_undone": _("%(actor)s removed the attendance of %(member)s"),
        "event.attendance_marked": _("%(actor)s marked %(member)s present"),
        "membership.applied": _("%(actor)s applied for a membership"),
        "membership.approved": _("%(actor)s approved the membership application of %(member)s"),
        "membership.rejected": _("%(actor)s rejected the membership application of %(member)s"),
        "membership.info_requested": _("%(actor)s asked %(member)s for more information"),
        "membership.info_answered": _("%(actor)s answered the secretariat's questions"),
        "membership.withdrawn": _("%(actor)s withdrew their membership application"),
        "membership.granted": _("%(actor)s granted a membership to %(member)s"),
        "membership.renewed": _("%(actor)s recorded a membership renewal for %(member)s"),
        "membership.category_changed": _("%(actor)s changed the membership category of %(member)s"),
    }
    if action in simple:
        return simple[action] % values
    titled = {
        "token.created": _("%(actor)s created the API token %(title)s"),
        "token.revoked": _("%(actor)s revoked the API token %(title)s"),
        "institution.created": _("%(actor)s added the institution %(title)s"),
        "institution.updated": _("%(actor)s changed the details of the institution %(title)s"),
        "course.created": _("%(actor)s created the course %(title)s"),
        "course.imported": _("%(actor)s imported the course %(title)s into the editor"),
        "module.archived": _("%(actor)s archived the module %(title)s"),
        "draft.submitted": _("%(actor)s sent the draft of %(title)s for review"),
        "draft.returned": _("%(actor)s returned the draft of %(title)s to its author"),
        "event.created": _("%(actor)s created the event %(title)s"),
        "event.updated": _("%(actor)s changed the event %(title)s"),
        "event.session_added": _("%(actor)s added the session %(title)s"),
        "event.session_updated": _("%(actor)s changed the session %(title)s"),
        "event.organiser": _("%(actor)s changed who organises the event %(title)s"),
        "quiz.attempt_granted": _("%(actor)s gave %(member)s one more attempt at %(title)s"),
    }
    if action in titled:
        title = (
            subject
            or names.record("course", event.subject_id)
            or after.get("title")
            or after.get("name")
            or after.get("module")
            or after.get("slug")
            or ""
        )
        if action in ("draft.submitted", "draft.returned", "quiz.attempt_granted"):
            title = subject or after.get("module") or ""
        return titled[action] % {**values, "title": _quoted(str(title))}
    if action == "auth.login_failed":
        return _("Failed login for %(email)s", email=after.get("email") or "?")
    if action == "module.published":
        return _("%(actor)s published version %(version)s of %(title)s by %(author)s",
                 version=after.get("version", "?"), title=_quoted(subject),
                 author=names.person(after.get("author_id")) or "?", actor=actor)  # fmt: skip
    if action in ("certification.approved", "certification.rejected"):
        verb = {
            "certification.approved": _("%(actor)s approved the %(programme)s application of "
                                        "%(member)s"),
            "certification.rejected": _("%(actor)s rejected the %(programme)s application of "
                                        "%(member)s"),
        }[action]  # fmt: skip
        return verb % {**values, "programme": subject or "?"}
    if action == "faculty.created":
        return _("%(actor)s created a faculty account for %(member)s", **values)
    if action == "content.synced":
        counts = {name: len(after.get(name) or []) for name in SYNC_LISTS}
        return _("%(actor)s synced the course content: %(added)d added, %(updated)d updated, "
                 "%(archived)d archived", actor=actor, **counts)  # fmt: skip
    if action == "export.downloaded":
        return _("%(actor)s downloaded %(file)s", actor=actor, file=after.get("file") or "?")
    if action == "audit_sample.drawn":
        return ngettext("%(actor)s drew %(num)d member for the CPD audit of %(cycle)s",
                        "%(actor)s drew %(num)d members for the CPD audit of %(cycle)s",
                        int(after.get("drawn") or 0), actor=actor, cycle=after.get("cycle", "?"))  # fmt: skip
    if action == "audit_sample.outcome":
        if after.get("outcome") == "failed":
            return _("%(actor)s recorded that %(member)s failed the CPD audit", **values)
        return _("%(actor)s recorded that %(member)s passed the CPD audit", **values)
    # An action without a sentence of its own (a newer feature): its name and whom it concerns.
    label = action_label(action)
    if member:
        return _("%(actor)s: %(action)s (%(member)s)", actor=actor, action=label, member=member)
    return _("%(actor)s: %(action)s", actor=actor, action=label)


def entries(events: list[AuditEvent]) -> list[Entry]:
    names = load_names(events)
    return [Entry(event, sentence(event, names), changes(event, names)) for event in events]
