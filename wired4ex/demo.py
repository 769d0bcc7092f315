"""Demo accounts and data, so a first run of `make run` has something to show."""

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.auth.services import NewAccount, create_user, find_user_by_email
from wired4ex.catalog.models import Institution
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
    """Create whatever demo accounts are missing; yields a line per account for the console."""
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
                    membership_number=f"HSM-{demo.email[:3].upper()}-0001",
                ),
                roles=roles,
                institution_id=institution_id,
            )
            state = "created"
        else:
            state = "exists"
        roles = ", ".join(sorted(user.role_names))
        yield f"{demo.email:28} password: {demo.password:24} ({roles}; {state})"
