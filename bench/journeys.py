"""The pages of the visitor, member, faculty and admin journeys, on the demo data.

Used by the screenshot book (`python -m bench.screenshots`) and by the browser test that measures
every page (tests/browser/test_design.py), so both look at the same pages. `prepare()` adds what
the demo seed leaves out (a certificate, a course written in the editor with a draft waiting for
review) and `journeys()` lists (role, name, path) for each page.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from wired4ex import demo
from wired4ex.auth import tokens
from wired4ex.auth.services import find_user_by_email
from wired4ex.authoring import services as authoring
from wired4ex.catalog.models import Course, Institution
from wired4ex.catalog.quiz import question_type, right_answer_values
from wired4ex.certification.eligibility import load_programmes, months_after
from wired4ex.certification.models import Certificate
from wired4ex.cpd import statements
from wired4ex.cpd.models import Claim
from wired4ex.cpd.policy import load_policy
from wired4ex.cpd.snapshots import Period
from wired4ex.cpd.standing import ledger_entries
from wired4ex.cpd.verifiable import format_code, new_code
from wired4ex.events import checkin as event_checkin
from wired4ex.events.models import Event
from wired4ex.extensions import db
from wired4ex.learning import services as learning

INSTITUTION = "lake-region-university"
COURSE = "county-health-leadership"
EDITOR_COURSE = "community-outreach"
ROLES = ("visitor", "member", "faculty", "admin")
ACCOUNTS = {account.roles[-1]: account for account in demo.DEMO_ACCOUNTS}
MODULE_TEXT = """## What an outreach day costs

Every outreach day needs fuel, allowances for the team and medical supplies.

| Cost | Who pays | Budget line |
|---|---|---|
| Fuel | County | Transport |
| Allowances | County | Personnel |

```quiz
? Which cost belongs in the outreach budget?
- [x] Fuel for the outreach vehicle
- [ ] The facility's electricity bill
> Costs caused by the outreach itself belong in its budget.
```
"""


@dataclass(frozen=True)
class Shot:
    role: str
    name: str
    path: str


def prepare(today: date) -> dict:
    """Add a certificate for the demo member and an editor course with a draft in review, on
    top of `flask demo seed`; return the ids the page list needs. Commits."""
    member = find_user_by_email(ACCOUNTS["member"].email)
    faculty = find_user_by_email(ACCOUNTS["faculty"].email)
    admin = find_user_by_email(ACCOUNTS["admin"].email)
    programme = next(p for p in load_programmes() if p.code == "AHSM")
    issued = months_after(today, -2)
    certificate = Certificate(
        code=new_code(), user_id=member.id, programme_code=programme.code,
        programme_name=programme.name, level=programme.level, holder_name=member.full_name,
        competencies=sorted({rule.domain for rule in programme.domain_rules}),
        criteria="Awarded for the rules of the programme.", issued_on=issued,
        expires_on=months_after(issued, programme.validity_months), status="valid",
    )  # fmt: skip
    db.session.add(certificate)
    db.session.commit()
    institution = db.session.scalars(
        sa.select(Institution).where(Institution.slug == INSTITUTION)
    ).one()
    course = authoring.create_course(
        faculty, institution, EDITOR_COURSE, "Planning Community Outreach",
        "Plan, cost and run outreach days.", "en", None,
        "Outreach days bring services to villages far from a facility.",
    )  # fmt: skip
    fields = {
        "key": "costing-an-outreach-day", "title": "Costing an outreach day", "minutes": 30,
        "cpd_points": Decimal("1.5"), "cpd_category": "structured", "competencies": ["FM1"],
        "pass_mark": 70, "objectives": ["list the costs of an outreach day"],
    }  # fmt: skip
    draft = authoring.open_draft(faculty, course, None)
    authoring.save_draft(draft, fields, MODULE_TEXT)
    authoring.submit_draft(faculty, course, draft)
    module = authoring.approve_draft(admin, course, draft).module
    draft = authoring.open_draft(faculty, course, module)
    authoring.save_draft(draft, fields, draft.body + "\nBook the vehicle a week ahead.\n")
    authoring.submit_draft(faculty, course, draft)
    claims = {
        claim.status: claim.id
        for claim in db.session.scalars(sa.select(Claim).where(Claim.user_id == member.id))
    }
    leadership = db.session.scalars(
        sa.select(Course).join(Institution)
        .where(Institution.slug == INSTITUTION, Course.slug == COURSE)
    ).one()  # fmt: skip
    first_module = next(m for m in leadership.active_modules if m.current_version is not None)
    # The statement the member would issue from My CPD (issuing is a POST; the book downloads it).
    policy = load_policy()
    cycle = policy.cycle_for(today)
    period = Period(cycle.start, cycle.end, cycle.label)
    entries = ledger_entries(member.id, period.start, period.end)
    statement, _new = statements.issue_statement(policy, member, period, entries, today)
    token, _secret = tokens.create_token(member, "HR system", today + timedelta(days=90))
    quiz_module, failed_attempt = _failed_attempt(member, leadership)
    event = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
    first_session = min(event.sessions, key=lambda session: session.starts_at)
    event_checkin.mark_present(admin, first_session, member)  # the checked-in page, evaluation
    event_id, session_id, evaluated = event.id, first_session.id, bool(event.evaluation)
    ids = {
        "member": member.id,
        "token": token.id,
        "statement_code": format_code(statement.code),
        "quiz_module": f"/courses/{INSTITUTION}/{COURSE}/{quiz_module.key}",
        "failed_attempt": failed_attempt,
        "event": event_id,
        "session": session_id,
        "evaluation": evaluated,
        "statement": statement.id,
        "claims": claims,
        "certificate": certificate.id,
        "certificate_code": format_code(certificate.code),
        "course": leadership.id,
        "institution": leadership.institution_id,
        "module": f"/courses/{INSTITUTION}/{COURSE}/{first_module.key}",
        "editor_course": course.id,
        "editor_module": module.id,
        "draft": draft.id,
    }
    # A second module of the editor course with a draft being written (not in review).
    fields = {**fields, "key": "outreach-logistics", "title": "Outreach logistics"}
    writing = authoring.open_draft(faculty, course, None)
    authoring.save_draft(writing, fields, "## Vehicles\n\nBook the vehicle a week ahead.\n")
    ids["draft_editable"] = writing.id
    ids["empty_year"] = today.year - 5
    db.session.commit()
    return ids


def _wrong_answers(questions: list[dict]) -> dict[str, list[str]]:
    """Answers that score wrong, as a form would send them."""
    answers = {}
    for question in questions:
        right = set(right_answer_values(question))
        kind = question_type(question)
        if kind == "choice":
            wrong = [o["id"] for o in question["options"] if o["id"] not in right]
            answers[question["id"]] = wrong[:1] if not question["multiple"] else wrong
        elif kind == "truefalse":
            answers[question["id"]] = ["false" if "true" in right else "true"]
        else:
            answers[question["id"]] = ["987654"]
    return answers


def _failed_attempt(member, course):
    """A knowledge check of `course` the member has just failed: (module, attempt id)."""
    module = next(m for m in course.active_modules if m.current_version and m.current_version.quiz)
    attempt = learning.open_attempt(member, module, module.current_version)
    questions = learning.shown_questions(attempt)
    learning.submit_attempt(
        member, module, attempt.module_version, _wrong_answers(questions), attempt.nonce
    )
    return module, attempt.id


def journeys(ids: dict) -> list[Shot]:
    """Every page of the four journeys, in the order a person meets them."""
    course = f"/courses/{INSTITUTION}/{COURSE}/"
    claims = ids["claims"]
    pages = {
        "visitor": [
            ("catalogue", "/"),
            ("course overview", course),
            ("module (not signed in)", ids["module"]),
            ("log in", "/login"),
            ("register", "/register"),
            ("forgotten password", "/password/forgot"),
            ("verify a document", "/verify"),
            ("verify a certificate", f"/verify/{ids['certificate_code']}"),
            ("competency framework", "/competencies"),
            ("CPD policy", "/cpd/policy"),
            ("help", "/pages/help"),
            ("contact", "/pages/contact"),
            ("privacy", "/pages/privacy"),
            ("terms", "/pages/terms"),
            ("page not found", "/no-such-page"),
            ("verify a statement", f"/verify/{ids['statement_code']}"),
            ("events", "/events/"),
            ("event", f"/events/{ids['event']}"),
            ("certification programme", "/certification/programmes/AHSM"),
            ("issuer", "/certification/issuer"),
            ("check your e-mail", "/register/check-email"),
        ],
        "member": [
            ("dashboard", "/dashboard"),
            ("catalogue", "/"),
            ("course (enrolled)", course),
            ("module", ids["module"]),
            ("My CPD", "/cpd/"),
            ("new claim", "/cpd/claims/new"),
            *[(f"claim ({status})", f"/cpd/claims/{claim}") for status, claim in claims.items()],
            ("statements", "/cpd/statements"),
            ("certification", "/certification/"),
            ("profile", "/profile"),
            ("API tokens", "/profile/tokens"),
            ("knowledge check not passed", f"{ids['quiz_module']}?attempt={ids['failed_attempt']}"),
            ("leave a course", f"{course}unenrol"),
            ("withdraw a claim", f"/cpd/claims/{claims['submitted']}/withdraw"),
            ("revoke a token", f"/profile/tokens/{ids['token']}/revoke"),
            ("change password", "/profile/password"),
            ("CPD policy", "/cpd/policy"),
            ("events", "/events/"),
            ("event", f"/events/{ids['event']}"),
            ("check in", "/checkin"),
            ("checked in", f"/checkin/done/{ids['session']}"),
            *(
                [("evaluate an event", f"/events/{ids['event']}/evaluation")]
                if ids["evaluation"]
                else []
            ),
            ("tokens after a password change", "/profile/tokens/keep"),
            ("apply for certification", "/certification/AHSM/apply"),
            ("verify a statement", f"/verify/{ids['statement_code']}"),
        ],
        "faculty": [
            ("authoring", "/authoring/"),
            ("editor course", f"/authoring/courses/{ids['editor_course']}"),
            ("module history", f"/authoring/modules/{ids['editor_module']}/history"),
            ("edit a draft", f"/authoring/drafts/{ids['draft_editable']}"),
            ("delete a draft (confirm)", f"/authoring/drafts/{ids['draft_editable']}/discard"),
            ("new course", "/authoring/courses/new"),
            ("import", "/authoring/import"),
            ("learners' progress", "/admin/courses"),
            ("course report", f"/admin/courses/{ids['course']}"),
            ("a learner's progress", f"/admin/courses/{ids['course']}/learners/{ids['member']}"),
        ],
        "admin": [
            ("admin dashboard", "/admin/"),
            ("M&E dashboard, empty year", f"/admin/dashboard?year={ids['empty_year']}"),
            ("members", "/admin/members"),
            ("member record", f"/admin/members/{ids['member']}"),
            ("deactivate (confirm)", f"/admin/members/{ids['member']}/deactivate"),
            ("member's CPD ledger", f"/cpd/members/{ids['member']}"),
            ("claims to verify", "/cpd/review"),
            ("verify a claim", f"/cpd/review/{claims['submitted']}"),
            ("claims, filtered", "/cpd/review?category=conference&age=30"),
            ("claims, bad filter", "/cpd/review?age=banana"),
            ("a decided claim", f"/cpd/review/{claims['approved']}"),
            ("revoke a statement", f"/cpd/statements/{ids['statement']}/revoke"),
            ("audit samples", "/cpd/audits"),
            ("course reports", "/admin/courses"),
            ("course report", f"/admin/courses/{ids['course']}"),
            ("audit log", "/admin/audit"),
            ("institutions", "/admin/institutions"),
            ("institution", f"/admin/institutions/{ids['institution']}"),
            ("certification applications", "/certification/applications"),
            ("revoke a certificate", f"/certification/certificates/{ids['certificate']}/revoke"),
            ("drafts to review", "/authoring/reviews"),
            ("review a draft", f"/authoring/drafts/{ids['draft']}/review"),
        ],
    }
    return [Shot(role, name, path) for role in ROLES for name, path in pages[role]]


def documents(ids: dict) -> list[tuple[str, str]]:
    """(name, path) of the PDFs the demo member downloads."""
    return [
        ("CPD statement", f"/cpd/statements/{ids['statement']}.pdf"),
        ("certificate", f"/certification/certificates/{ids['certificate']}.pdf"),
    ]


def set_language(language: str) -> None:
    """Every demo account reads in `language` (members' pages follow their profile). Commits."""
    for account in ACCOUNTS.values():
        find_user_by_email(account.email).language = language
    db.session.commit()
