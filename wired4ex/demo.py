"""Demo accounts and data, so a first run of `make run` has something to show."""

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.auth.services import NewAccount, create_user, find_user_by_email
from wired4ex.catalog.models import Institution
from wired4ex.catalog.quiz import right_answer_values
from wired4ex.extensions import db


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    full_name: str
    roles: tuple[str, ...]
    category: str = "professional"
    institution_slug: str | None = None


DEMO_INSTITUTION = "lake-region-university"
DEMO_ACCOUNTS = (
    DemoAccount(
        "admin@wired4ex.example", "demo-admin-pass-2026", "Amani Mwakyusa", ("member", "admin")
    ),
    DemoAccount(
        "faculty@wired4ex.example",
        "demo-faculty-pass-2026",
        "Dr Achieng Otieno",
        ("member", "faculty"),
        institution_slug=DEMO_INSTITUTION,
    ),
    DemoAccount(
        "member@wired4ex.example", "demo-member-pass-2026", "Wanjirũ Ng'ang'a", ("member",)
    ),
)


def _institution_id(slug: str | None) -> int | None:
    if slug is None:
        return None
    return db.session.scalar(sa.select(Institution.id).where(Institution.slug == slug))


def seed() -> Iterator[str]:
    """Create the demo accounts and the demo member's year; yields lines for the console."""
    yield from seed_accounts()
    member = find_user_by_email("member@wired4ex.example")
    admin = find_user_by_email("admin@wired4ex.example")
    if admin is not None:
        from wired4ex.membership.demo import seed_memberships

        yield from seed_memberships(admin, DEMO_PDF)
    if member is not None and admin is not None:
        yield from seed_member_year(member, admin)
        yield from seed_event(member, admin)


def seed_accounts() -> Iterator[str]:
    """Create whatever demo accounts are missing; yields a line per account."""
    for demo in DEMO_ACCOUNTS:
        user: User | None = find_user_by_email(demo.email)
        if user is None:
            institution_id = _institution_id(demo.institution_slug)
            roles = demo.roles
            if demo.institution_slug and institution_id is None:
                roles = tuple(r for r in roles if r != "faculty")
            user = create_user(
                NewAccount(
                    email=demo.email,
                    full_name=demo.full_name,
                    password=demo.password,
                    membership_category=demo.category,
                    country="KE",
                ),
                roles=roles,
                institution_id=institution_id,
            )
            state = "created"
        else:
            state = "exists"
        roles = ", ".join(sorted(user.role_names))
        yield f"{demo.email:28} password: {demo.password:24} ({roles}; {state})"


# A small but real PDF, so the demo claims have evidence a browser can open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 60>>stream\nBT /F1 18 Tf 72 760 Td (Certificate of attendance) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _right_answers(quiz: list[dict]) -> dict[str, list[str]]:
    return {question["id"]: right_answer_values(question) for question in quiz}


def seed_member_year(member: User, admin: User) -> Iterator[str]:
    """Give the demo member a realistic year: completed modules, an approved and a pending claim.

    Runs once: when the member already has an enrolment, nothing is added.
    """
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from wired4ex.catalog.services import get_course
    from wired4ex.cpd import services as cpd
    from wired4ex.dbtypes import utcnow
    from wired4ex.learning import services as learning
    from wired4ex.learning.models import Enrolment
    from wired4ex.timeutil import local_date

    if db.session.scalar(sa.select(Enrolment.id).where(Enrolment.user_id == member.id)):
        yield "demo member's year: already there"
        return
    leadership = get_course(DEMO_INSTITUTION, "county-health-leadership")
    financing = get_course(DEMO_INSTITUTION, "health-financing")
    if leadership is None or financing is None:
        yield "demo member's year: skipped (run `flask content sync` first)"
        return
    now = utcnow()
    today = local_date(now)
    # Spread over the current year so far (at least a few weeks back).
    days_into_year = max((today - today.replace(month=1, day=1)).days, 30)
    step = days_into_year // 8
    moments = [now - timedelta(days=days_into_year - step * i) for i in range(1, 8)]
    learning.enrol(member, leadership, at=moments[0])
    learning.enrol(member, financing, at=moments[0])
    plan = [(leadership, m) for m in leadership.active_modules[:3]] + [
        (financing, m) for m in financing.active_modules[:2]
    ]
    for (course, module), at in zip(plan, moments, strict=False):
        enrolment = learning.get_enrolment(member.id, course.id)
        # Opened a while before finishing: modules without a check need their reading time.
        learning.record_visit(member.id, enrolment.id, module.id, at=at - timedelta(minutes=30))
        version = module.current_version
        if version.quiz:
            attempt = learning.open_attempt(member, module, version, at=at)
            learning.submit_attempt(
                member, module, version, _right_answers(learning.shown_questions(attempt)),
                attempt.nonce, at=at,
            )  # fmt: skip
        else:
            learning.mark_done(member, module, at=at)
    approved = cpd.save_claim(
        member,
        cpd.ClaimInput(
            title="East African Health Managers Conference",  # untranslated: demo data
            provider="HeSMA East Africa, Kisumu chapter",
            category="conference",
            start_date=local_date(moments[2]) - timedelta(days=2),
            end_date=local_date(moments[2]),
            hours=Decimal("16"),
            points_claimed=Decimal("8"),
            reflection=(
                "Sessions on facility improvement funds changed how our hospital management team "
                "plans its quarterly spending; we now review collections against the work plan."
            ),
            competencies=["FM4", "LG3"],
        ),
        upload=FileStorage(BytesIO(DEMO_PDF), filename="conference-certificate.pdf"),
        submit=True,
        at=moments[2],
    )
    cpd.decide_claim(
        approved, admin, cpd.Decision(True, Decimal("6"), "Two of the sessions were social events."),
        at=moments[3],
    )  # fmt: skip
    cpd.save_claim(
        member,
        cpd.ClaimInput(
            title="Supervising nursing interns at Nyanjiru Health Centre",  # untranslated: demo data
            provider="Ziwa County Department of Health",
            category="teaching",
            start_date=local_date(moments[5]) - timedelta(days=20),
            end_date=local_date(moments[5]),
            hours=Decimal("10"),
            points_claimed=Decimal("4"),
            reflection=(
                "Weekly supervision of four interns; I built a simple checklist for ward rounds "
                "that the facility now uses for all new staff."
            ),
            competencies=["HR2"],
        ),
        upload=FileStorage(BytesIO(DEMO_PDF), filename="supervision-letter.pdf"),
        submit=True,
        at=moments[5],
    )
    yield "demo member's year: 5 modules completed, 1 claim approved, 1 waiting for review"


DEMO_EVENT = "HeSMA Annual Scientific Conference"  # untranslated: demo data


def seed_event(member: User, admin: User) -> Iterator[str]:
    """A two-day conference from today: its first session open for check-in now (try the code
    screen as the admin and check in as the member), the second tomorrow. Runs once."""
    from datetime import datetime, time, timedelta
    from decimal import Decimal

    from wired4ex.cpd.policy import PolicyMissing, load_policy
    from wired4ex.dbtypes import utcnow
    from wired4ex.events import registration as event_registration
    from wired4ex.events import services as events
    from wired4ex.events.models import Event
    from wired4ex.timeutil import association_zone, local_date

    if db.session.scalar(sa.select(Event.id).where(Event.title == DEMO_EVENT)):
        yield "demo event: already there"
        return
    try:
        policy = load_policy()
    except PolicyMissing:
        yield "demo event: skipped (run `flask content sync` first)"
        return
    now = utcnow().replace(second=0, microsecond=0)
    today = local_date(now)
    about = "Two days on financing and running county health services."  # untranslated: demo data
    event = events.create_event(admin, events.EventInput(
        title=DEMO_EVENT, organiser_name="HeSMA East Africa", venue="Kisumu, Acacia Hall",
        description=about, online=False, start_date=today, end_date=today + timedelta(days=1), capacity=400,
        evaluation=True,
    ))  # fmt: skip
    opening = now - timedelta(minutes=30)
    if local_date(opening) != today:
        opening = datetime.combine(today, time(0, 0), tzinfo=association_zone())
    tomorrow = datetime.combine(today + timedelta(days=1), time(9, 0), tzinfo=association_zone())
    plans = [
        ("Opening plenary: financing primary health care", opening, "2"),  # untranslated: demo data
        ("Workshop: costing an outreach day", tomorrow, "3"),  # untranslated: demo data
    ]
    for title, starts, points in plans:
        events.add_session(admin, policy, event, events.SessionInput(
            title=title, starts_at=starts, ends_at=starts + timedelta(hours=3), points=Decimal(points),
            category="conference", competencies=["FM1"],
        ))  # fmt: skip
    event_registration.register(member, event)
    yield f"demo event: {DEMO_EVENT}, 2 sessions, the first open for check-in now"
