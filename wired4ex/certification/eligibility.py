"""The eligibility engine: for each member and programme, each rule met or not, and what is missing.

One function, `evaluate`, serves the pages, the API and the batch command. It reads a whole group
of members with a fixed number of queries (completions, ledger, certificates, memberships),
never a query per member or per rule.

Windows count back from the day of evaluation: "within the last 24 months" on 22 November 2026
includes activities dated 22 November 2024 and later. Counted points apply each cycle's category
caps to the activities of that cycle inside the window. Points towards a competency domain are
the points of activities that address a competency of the domain.

The work per member is plain arithmetic: each programme's rule texts are worked out once per
evaluation (`_prepare`), each ledger entry's cycle, allowed points and domains once per member,
and each window's counted points once per member whatever the number of programmes using it.
"""

import functools
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.catalog.services import get_courses_by_key
from wired4ex.catalog.structure import structure
from wired4ex.certification.models import Certificate
from wired4ex.certification.programmes import (
    DomainRule,
    Prepared,
    Programme,
    _,
    _fmt,
    load_programmes,
    months_after,
    months_before,
    prepare_all,
    prepared_cache,
    say,
    texts,
)
from wired4ex.cpd.policy import CpdPolicy
from wired4ex.cpd.standing import activity_points, counted_in_window
from wired4ex.extensions import db
from wired4ex.i18n import policy_text, show_date
from wired4ex.learning.models import CourseCompletion, LedgerEntry
from wired4ex.membership.status import (
    MembershipStatus,
    request_status,
    statuses_with_applications,
)

__all__ = [
    "DomainRule", "Eligibility", "Programme", "RuleResult", "counted_points", "evaluate",
    "evaluate_with_certificates", "load_programmes", "months_after", "months_before", "_",
]  # fmt: skip

ZERO = Decimal("0")


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


class _Entry(NamedTuple):
    """What activity_points reads of a ledger entry."""

    points: Decimal
    category: str
    source: str


@dataclass
class _MemberData:
    completed_courses: set[int] = field(default_factory=set)
    certificates: list[Certificate] = field(default_factory=list)
    # Worked out once per entry: (day, cycle key, category, allowed points); and the entries
    # with points and a competency domain: (day, points, domains).
    allowed: list[tuple[date, int, str, Decimal]] = field(default_factory=list)
    by_domain: list[tuple[date, Decimal, frozenset[str]]] = field(default_factory=list)
    counted: dict[date, Decimal] = field(default_factory=dict)  # counted points by window start
    valid_codes: set[str] | None = None  # programmes of the certificates valid today


def _null(kind):
    return sa.cast(sa.null(), kind)


def _text(column):
    return sa.cast(column, sa.Text)


class _Facts:
    """Ledger values read as text, each distinct one converted once: a date with its cycle, points
    with the points an activity may count, competencies with their domains."""

    def __init__(self, policy: CpdPolicy, domains: dict[str, str], dialect: str):
        self.policy, self.competency_domains = policy, domains
        self.sqlite = dialect == "sqlite"
        self.days: dict[str, tuple[date, int]] = {}
        self.values: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {}
        self.found: dict[str, frozenset[str]] = {}

    def day(self, text: str) -> tuple[date, int]:
        known = self.days.get(text)
        if known is None:
            day = date.fromisoformat(text)
            known = self.days[text] = (day, self.policy.cycle_for(day).key)
        return known

    def points(self, text: str, category: str, source: str) -> tuple[Decimal, Decimal]:
        key = (text, category, source)
        known = self.values.get(key)
        if known is None:
            # As the Numeric(6, 1) column gives them: SQLite keeps a float, formatted to 0.1.
            points = Decimal(f"{float(text):.1f}") if self.sqlite else Decimal(text)
            allowed = activity_points(self.policy, _Entry(points, category, source))
            known = self.values[key] = (points, allowed)
        return known

    def domains(self, text: str) -> frozenset[str]:
        known = self.found.get(text)
        if known is None:
            codes = json.loads(text) or ()
            known = self.found[text] = frozenset(
                self.competency_domains[code] for code in codes if code in self.competency_domains
            )
        return known


def _content(programmes: list[Programme]):
    """The required courses by key, each competency's domain and the domains' names in the
    reader's language: from the course structure."""
    course_keys = sorted({key for p in programmes for key in p.required_courses})
    framework = structure()
    domains = {code: c.domain_code for code, c in framework.competencies.items()}
    domain_names = {domain.code: policy_text(domain.name) for domain in framework.domains}
    return get_courses_by_key(course_keys), domains, domain_names


@functools.cache
def _statement(ledger: bool, completions: bool):
    """`_load`'s statement, built once per shape with bound parameters (member_ids, since, today,
    course_ids): building it costs more than running it for one member."""
    member_ids = sa.bindparam("member_ids", expanding=True)
    parts = []
    if ledger:
        parts.append(
            sa.select(
                LedgerEntry.user_id, _null(sa.Integer), _text(LedgerEntry.activity_date),
                LedgerEntry.category, _text(LedgerEntry.points), _text(LedgerEntry.competencies),
                LedgerEntry.source,
            ).where(LedgerEntry.user_id.in_(member_ids),
                    LedgerEntry.activity_date >= sa.bindparam("since"),
                    LedgerEntry.activity_date <= sa.bindparam("today"))
        )  # fmt: skip
    if completions:
        parts.append(
            sa.select(
                CourseCompletion.user_id, CourseCompletion.course_id, _null(sa.Text),
                _null(sa.String), _null(sa.Text), _null(sa.Text), _null(sa.String),
            ).where(CourseCompletion.user_id.in_(member_ids),
                    CourseCompletion.course_id.in_(sa.bindparam("course_ids", expanding=True)))
        )  # fmt: skip
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)


def _load(member_ids: list[int], programmes: list[Programme], policy: CpdPolicy, today: date,
          content, certificates: dict[int, list[Certificate]] | None = None):  # fmt: skip
    """Each member's data; `certificates`: every certificate of each member, when the caller
    read them (otherwise read here)."""
    courses, domains, _names = content
    course_ids = [course.id for course in courses.values()]
    data: dict[int, _MemberData] = defaultdict(_MemberData)
    # One statement for both: the ledger entries within the longest window, and the completions
    # of the courses the programmes require (rows with a course id). The entry's date, points and
    # competencies come as text: thousands of rows repeat a few hundred values, each converted
    # once (`_Facts`) rather than once per row.
    longest = max((p.longest_window for p in programmes), default=0)
    if longest or course_ids:
        facts = _Facts(policy, domains, db.session.get_bind().dialect.name)
        days, values, found_by_text = facts.days, facts.values, facts.found
        params = {"member_ids": member_ids, "course_ids": course_ids, "today": today}
        params["since"] = months_before(today, longest) if longest else today
        statement = _statement(bool(longest), bool(course_ids))
        rows = db.session.execute(statement, params).all()
        for user_id, course_id, day, category, points, competencies, source in rows:
            member = data[user_id]
            if course_id is not None:
                member.completed_courses.add(course_id)
                continue
            day, cycle = days.get(day) or facts.day(day)
            points, allowed = values.get((points, category, source)) or facts.points(
                points, category, source
            )
            member.allowed.append((day, cycle, category, allowed))
            if points > 0 and competencies:
                found = found_by_text.get(competencies)
                if found is None:
                    found = facts.domains(competencies)
                if found:
                    member.by_domain.append((day, points, found))
    if certificates is None:
        found = db.session.scalars(
            sa.select(Certificate).where(Certificate.user_id.in_(member_ids))
        )
    else:
        found = (c for member_id in member_ids for c in certificates.get(member_id, ()))
    for certificate in found:
        data[certificate.user_id].certificates.append(certificate)
    return data


def counted_points(policy: CpdPolicy, entries, since: date, today: date) -> Decimal:
    """Points within [since, today], each cycle's CPD rules applied to its part of the window."""
    rows = [
        SimpleNamespace(activity_date=day, category=category, points=points, source=source)
        for day, category, points, _competencies, source in entries
    ]
    return counted_in_window(policy, rows, since, today)


def _counted(member: _MemberData, caps: dict[str, Decimal | None], since: date) -> Decimal:
    """counted_points over the member's entries (all dated today or earlier), from the figures
    worked out once per entry; caps: each category's cap (category_counted, inlined)."""
    total = member.counted.get(since)
    if total is None:
        sums: dict[tuple[int, str], Decimal] = {}
        for day, cycle, category, allowed in member.allowed:
            if day >= since:
                key = (cycle, category)
                sums[key] = sums[key] + allowed if key in sums else allowed
        total = ZERO
        for (_cycle, code), value in sums.items():
            cap = caps.get(code)
            if cap is not None and cap < value:
                value = cap
            total += value if value >= ZERO else ZERO
        member.counted[since] = total
    return total


def _domain_points(member: _MemberData, domain: str, since: date, today: date) -> Decimal:
    return sum(
        (points for day, points, found in member.by_domain
         if domain in found and since <= day <= today),
        ZERO,
    )  # fmt: skip


def _standing_missing(status, known: dict) -> str:
    if status.state == "lapsed":
        return say(known, "renew your membership (lapsed since %(date)s)",
                   date=show_date(status.lapsed_since))  # fmt: skip
    if status.state == "pending":
        return say(known, "wait for the secretariat to approve your membership application")
    return say(known, "apply for membership and have it approved by the secretariat")


def _evaluate_one(prepared: Prepared, data: _MemberData, caps: dict[str, Decimal | None],
                  today: date, status, known: dict) -> Eligibility:  # fmt: skip
    programme = prepared.programme
    result = Eligibility(programme.code, prepared.name)
    rules = result.rules
    if programme.good_standing:
        verified = status.verified
        rules.append(RuleResult(
            "good_standing", prepared.standing_label, verified, have=status.state,
            need="verified", missing=None if verified else _standing_missing(status, known),
        ))  # fmt: skip
    if prepared.membership is not None:
        allowed_categories, label, need, missing = prepared.membership
        category = status.target_category  # only an approved, current membership has one
        allowed = category in allowed_categories
        rules.append(RuleResult("membership", label, allowed, have=category, need=need,
                                missing=None if allowed else missing))  # fmt: skip
    if prepared.prerequisites:
        if data.valid_codes is None:
            data.valid_codes = {
                c.programme_code for c in data.certificates if c.state_on(today) == "valid"
            }
        for code, label, missing in prepared.prerequisites:
            held = code in data.valid_codes
            rules.append(RuleResult("prerequisite", label, held,
                                    missing=None if held else missing))  # fmt: skip
    for course_id, label, missing in prepared.courses:
        done = course_id is not None and course_id in data.completed_courses
        rules.append(RuleResult("course", label, done, missing=None if done else missing))
    if prepared.cpd is not None:
        since, label, need = prepared.cpd
        have = _counted(data, caps, since)
        minimum = programme.cpd_minimum
        met = have >= minimum
        rules.append(RuleResult(
            "cpd_points", label, met, have=_fmt(have), need=need,
            missing=None if met else say(
                known, "%(points)s more CPD points within the last %(months)d months",
                points=_fmt(minimum - have), months=programme.cpd_window_months),
        ))  # fmt: skip
    for rule, since, name, label, need in prepared.domains:
        have = _domain_points(data, rule.domain, since, today)
        met = have >= rule.minimum
        rules.append(RuleResult(
            "domain_points", label, met, have=_fmt(have), need=need,
            missing=None if met else say(
                known, "%(points)s more CPD points in %(domain)s within the last %(months)d months",
                points=_fmt(rule.minimum - have), domain=name, months=rule.window_months),
        ))  # fmt: skip
    return result


def evaluate(
    members: list[User],
    programmes: list[Programme],
    policy: CpdPolicy,
    today: date,
    statuses: dict[int, MembershipStatus] | None = None,
) -> dict[int, list[Eligibility]]:
    """Eligibility of every member for every programme, in a fixed number of queries.

    statuses: each member's membership status, when the caller read them already (the batch
    command reads them with the members); members only need an id."""
    return evaluate_with_certificates(members, programmes, policy, today, statuses)[0]


def evaluate_with_certificates(
    members: list[User],
    programmes: list[Programme],
    policy: CpdPolicy,
    today: date,
    statuses: dict[int, MembershipStatus] | None = None,
    certificates: dict[int, list[Certificate]] | None = None,
) -> tuple[dict[int, list[Eligibility]], dict[int, list[Certificate]]]:
    """`evaluate`, and every certificate of each member (read for the evaluation anyway, unless
    the caller gives them: `certificates`, every certificate of each member)."""
    if not members or not programmes:
        return {member.id: [] for member in members}, {}
    ids = [member.id for member in members]
    known = texts()
    prepared_for = prepared_cache(programmes, today)
    content = prepared_for[0] if prepared_for else _content(programmes)
    data = _load(ids, programmes, policy, today, content, certificates)
    certificates = {member_id: list(data[member_id].certificates) for member_id in ids}
    if statuses is None and len(members) == 1:  # a member's page: the request's status
        statuses = {members[0].id: request_status(members[0])}
    elif statuses is None:
        statuses = statuses_with_applications(ids, today)
    caps = {code: category.cap for code, category in policy.categories.items()}
    if prepared_for:
        prepared = prepared_for[1]
    else:
        prepared = prepare_all(programmes, content, today, known)
        if prepared_for is not None:
            prepared_for.extend((content, prepared))
    results = {
        member_id: [
            _evaluate_one(item, data[member_id], caps, today, statuses[member_id], known)
            for item in prepared
        ]
        for member_id in ids
    }
    return results, certificates
