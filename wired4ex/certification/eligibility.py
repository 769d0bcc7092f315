"""The eligibility engine: for each member and programme, each rule met or not, and what is missing.

One function, `evaluate`, serves the pages, the API and the batch command. It reads a whole group
of members with a fixed number of queries (completions, ledger, certificates, competencies),
never a query per member or per rule.

Windows count back from the day of evaluation: "within the last 24 months" on 22 November 2026
includes activities dated 22 November 2024 and later. Counted points apply each cycle's category
caps to the activities of that cycle inside the window. Points towards a competency domain are
the points of activities that address a competency of the domain.
"""

import calendar
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _

from wired4ex.auth.models import User
from wired4ex.catalog.models import Competency, CompetencyDomain, PolicyDocument
from wired4ex.catalog.services import get_courses_by_key
from wired4ex.certification.models import Certificate
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.standing import counted_in_window
from wired4ex.extensions import db
from wired4ex.i18n import localised, policy_text, show_date
from wired4ex.learning.models import CourseCompletion, LedgerEntry
from wired4ex.membership.services import request_status, statuses_of

ZERO = Decimal("0")


def months_before(day: date, months: int) -> date:
    """The same day N months earlier (the month's last day when that day does not exist)."""
    year, month_zero = divmod(day.year * 12 + (day.month - 1) - months, 12)
    last_day = calendar.monthrange(year, month_zero + 1)[1]
    return date(year, month_zero + 1, min(day.day, last_day))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


@dataclass(frozen=True)
class DomainRule:
    domain: str
    minimum: Decimal
    window_months: int


@dataclass(frozen=True)
class Programme:
    code: str
    texts: tuple[tuple[str, str], ...]  # name, description and their _sw forms, as given
    level: int
    validity_months: int | None
    membership_categories: tuple[str, ...] | None
    required_courses: tuple[str, ...]
    cpd_minimum: Decimal | None
    cpd_window_months: int | None
    domain_rules: tuple[DomainRule, ...]
    prerequisites: tuple[str, ...]
    good_standing: bool = False  # rule member_in_good_standing: an approved, current membership

    @classmethod
    def from_data(cls, data: dict) -> "Programme":
        rules = data.get("rules") or {}
        points = rules.get("cpd_points") or {}
        categories = rules.get("membership_categories")
        return cls(
            code=str(data["code"]),
            texts=tuple(
                (key, " ".join(str(value).split()))
                for key, value in data.items()
                if key.startswith(("name", "description"))
            ),
            level=int(data.get("level", 1)),
            validity_months=data.get("validity_months"),
            membership_categories=tuple(categories) if categories else None,
            required_courses=tuple(rules.get("required_courses") or ()),
            cpd_minimum=Decimal(str(points["minimum"])) if points else None,
            cpd_window_months=int(points["window_months"]) if points else None,
            domain_rules=tuple(
                DomainRule(str(r["domain"]), Decimal(str(r["minimum"])), int(r["window_months"]))
                for r in rules.get("domain_points") or ()
            ),
            prerequisites=tuple(rules.get("prerequisites") or ()),
            good_standing=rules.get("member_in_good_standing") is True,
        )

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return localised(dict(self.texts))

    @property
    def description(self) -> str:
        return localised(dict(self.texts), "description")

    @property
    def longest_window(self) -> int:
        windows = [r.window_months for r in self.domain_rules]
        if self.cpd_window_months:
            windows.append(self.cpd_window_months)
        return max(windows, default=0)

    def criteria_text(self, course_titles: dict[str, str], domain_names: dict[str, str]) -> str:
        """The rules in one paragraph, for the certificate and its Open Badge."""
        parts = []
        if self.good_standing:
            parts.append(_("being a member in good standing"))
        if self.membership_categories:
            parts.append(_("open to these membership categories: %(categories)s",
                           categories=_membership_names(self.membership_categories)))  # fmt: skip
        if self.prerequisites:
            parts.append(_("holding a valid %(names)s certification",
                           names=", ".join(self.prerequisites)))  # fmt: skip
        for key in self.required_courses:
            parts.append(_("completing %(title)s", title=course_titles.get(key, key)))
        if self.cpd_minimum is not None:
            parts.append(_cpd_rule(self.cpd_minimum, self.cpd_window_months))
        for rule in self.domain_rules:
            parts.append(_domain_rule(rule.minimum, domain_names.get(rule.domain, rule.domain),
                                      rule.window_months))  # fmt: skip
        return _("Awarded for %(criteria)s.", criteria="; ".join(parts)) if parts else ""


def _membership_names(codes) -> str:
    from wired4ex.auth.forms import MEMBERSHIP_LABELS

    return ", ".join(str(MEMBERSHIP_LABELS.get(code, code)) for code in codes)


def _cpd_rule(points: Decimal, months: int) -> str:
    return _("%(points)s counted CPD points within %(months)d months",
             points=_fmt(points), months=months)  # fmt: skip


def _domain_rule(points: Decimal, domain: str, months: int) -> str:
    return _("%(points)s points in %(domain)s within %(months)d months",
             points=_fmt(points), domain=domain, months=months)  # fmt: skip


def _fmt(points: Decimal) -> str:
    text = f"{Decimal(points).quantize(Decimal('0.1'))}"
    return text[:-2] if text.endswith(".0") else text


def load_programmes() -> list[Programme]:
    """The programmes of the synced certifications policy, by level."""
    document = db.session.get(PolicyDocument, "certifications")
    if document is None:
        return []
    programmes = [Programme.from_data(item) for item in document.data.get("programmes", [])]
    return sorted(programmes, key=lambda p: (p.level, p.code))


@dataclass
class RuleResult:
    kind: str  # membership, prerequisite, course, cpd_points, domain_points
    label: str
    met: bool
    have: str | None = None
    need: str | None = None
    missing: str | None = None


@dataclass
class Eligibility:
    programme_code: str
    programme_name: str
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(rule.met for rule in self.rules)

    @property
    def unmet(self) -> list[RuleResult]:
        return [rule for rule in self.rules if not rule.met]

    def to_json(self) -> dict:
        return {
            "programme": self.programme_code,
            "name": self.programme_name,
            "eligible": self.eligible,
            "rules": [asdict(rule) for rule in self.rules],
        }


@dataclass
class _MemberData:
    completed_courses: set[int] = field(default_factory=set)
    entries: list[tuple[date, str, Decimal, tuple[str, ...], str]] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)


def _load(member_ids: list[int], programmes: list[Programme], today: date):
    course_keys = sorted({key for p in programmes for key in p.required_courses})
    courses = get_courses_by_key(course_keys)
    course_ids = [course.id for course in courses.values()]
    data: dict[int, _MemberData] = defaultdict(_MemberData)
    if course_ids:
        rows = db.session.execute(
            sa.select(CourseCompletion.user_id, CourseCompletion.course_id).where(
                CourseCompletion.user_id.in_(member_ids), CourseCompletion.course_id.in_(course_ids)
            )
        )
        for user_id, course_id in rows:
            data[user_id].completed_courses.add(course_id)
    longest = max((p.longest_window for p in programmes), default=0)
    if longest:
        since = months_before(today, longest)
        rows = db.session.execute(
            sa.select(
                LedgerEntry.user_id, LedgerEntry.activity_date, LedgerEntry.category,
                LedgerEntry.points, LedgerEntry.competencies, LedgerEntry.source,
            ).where(LedgerEntry.user_id.in_(member_ids), LedgerEntry.activity_date >= since,
                    LedgerEntry.activity_date <= today)
        )  # fmt: skip
        for user_id, day, category, points, competencies, source in rows:
            data[user_id].entries.append(
                (day, category, Decimal(points), tuple(competencies or ()), source)
            )
    for certificate in db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id.in_(member_ids))
    ):
        data[certificate.user_id].certificates.append(certificate)
    domains = dict(db.session.execute(sa.select(Competency.code, Competency.domain_code)).all())
    domain_names = {
        code: policy_text(name)
        for code, name in db.session.execute(
            sa.select(CompetencyDomain.code, CompetencyDomain.name)
        )
    }
    return courses, data, domains, domain_names


def counted_points(policy: CpdPolicy, entries, since: date, today: date) -> Decimal:
    """Points within [since, today], each cycle's CPD rules applied to its part of the window."""
    rows = [
        SimpleNamespace(activity_date=day, category=category, points=points, source=source)
        for day, category, points, _competencies, source in entries
    ]
    return counted_in_window(policy, rows, since, today)


def _standing_missing(status) -> str:
    if status.state == "lapsed":
        return _("renew your membership (lapsed since %(date)s)",
                 date=show_date(status.lapsed_since))  # fmt: skip
    if status.state == "pending":
        return _("wait for the secretariat to approve your membership application")
    return _("apply for membership and have it approved by the secretariat")


def _evaluate_one(member: User, programme: Programme, data: _MemberData, courses, domains,
                  domain_names, names_by_code, policy: CpdPolicy, today: date,
                  status) -> Eligibility:  # fmt: skip
    result = Eligibility(programme.code, programme.name)
    rules = result.rules
    category = status.target_category  # only an approved, current membership has a category
    if programme.good_standing:
        rules.append(RuleResult(
            "good_standing", _("Member in good standing"), status.verified,
            have=status.state, need="verified",
            missing=None if status.verified else _standing_missing(status),
        ))  # fmt: skip
    if programme.membership_categories:
        allowed = category in programme.membership_categories
        categories = _membership_names(programme.membership_categories)
        rules.append(RuleResult(
            "membership", _("Membership category"), allowed,
            have=category, need=", ".join(programme.membership_categories),
            missing=None if allowed else _("only for these membership categories: %(categories)s",
                                           categories=categories),
        ))  # fmt: skip
    for code in programme.prerequisites:
        held = any(
            c.programme_code == code and c.state_on(today) == "valid" for c in data.certificates
        )
        name = names_by_code.get(code, code)
        rules.append(RuleResult(
            "prerequisite", _("Valid %(name)s certification", name=name), held,
            missing=None if held else _("requires a valid %(name)s certification", name=name),
        ))  # fmt: skip
    for key in programme.required_courses:
        course = courses.get(key)
        title = course.title if course else key
        done = course is not None and course.id in data.completed_courses
        rules.append(RuleResult(
            "course", _("Complete %(title)s", title=title), done,
            missing=None if done else _("complete %(title)s", title=title),
        ))  # fmt: skip
    if programme.cpd_minimum is not None:
        since = months_before(today, programme.cpd_window_months)
        have = counted_points(policy, data.entries, since, today)
        met = have >= programme.cpd_minimum
        short = programme.cpd_minimum - have
        rules.append(RuleResult(
            "cpd_points", _cpd_rule(programme.cpd_minimum, programme.cpd_window_months), met,
            have=_fmt(have), need=_fmt(programme.cpd_minimum),
            missing=None if met else _("%(points)s more CPD points within the last %(months)d months",
                                       points=_fmt(short), months=programme.cpd_window_months),
        ))  # fmt: skip
    for rule in programme.domain_rules:
        since = months_before(today, rule.window_months)
        have = sum(
            (points for day, _c, points, competencies, _s in data.entries
             if since <= day <= today and points > 0
             and any(domains.get(code) == rule.domain for code in competencies)),
            ZERO,
        )  # fmt: skip
        met = have >= rule.minimum
        name = domain_names.get(rule.domain, rule.domain)
        rules.append(RuleResult(
            "domain_points", _domain_rule(rule.minimum, name, rule.window_months), met,
            have=_fmt(have), need=_fmt(rule.minimum),
            missing=None if met else _(
                "%(points)s more CPD points in %(domain)s within the last %(months)d months",
                points=_fmt(rule.minimum - have), domain=name, months=rule.window_months),
        ))  # fmt: skip
    return result


def evaluate(
    members: list[User], programmes: list[Programme], policy: CpdPolicy, today: date
) -> dict[int, list[Eligibility]]:
    """Eligibility of every member for every programme, in a fixed number of queries."""
    if not members or not programmes:
        return {member.id: [] for member in members}
    courses, data, domains, domain_names = _load([m.id for m in members], programmes, today)
    # Prerequisites may name programmes outside the ones being evaluated.
    names_by_code = {p.code: p.name for p in load_programmes()} | {
        p.code: p.name for p in programmes
    }
    if len(members) == 1:  # a member's own page: the status the request already read
        statuses = {members[0].id: request_status(members[0])}
    else:
        statuses = statuses_of([m.id for m in members], today)
    return {
        member.id: [
            _evaluate_one(
                member,
                programme,
                data[member.id],
                courses,
                domains,
                domain_names,
                names_by_code,
                policy,
                today,
                statuses[member.id],
            )  # fmt: skip
            for programme in programmes
        ]
        for member in members
    }
