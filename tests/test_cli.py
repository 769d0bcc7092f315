"""Command-line interface: users create, demo seed."""

import re

import sqlalchemy as sa

from wired4ex.auth.models import User
from wired4ex.auth.services import authenticate, find_user_by_email
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db
from wired4ex.membership.models import Membership, MembershipApplication
from wired4ex.membership.services import membership_status


def institution(slug="lake-region-university"):
    item = Institution(slug=slug, name="Lake Region University", short_name="LRU", country="Kenya")
    db.session.add(item)
    db.session.commit()
    return item


def test_users_create_with_password_option(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Admin@Example.org", "--name", "Asha Admin",
              "--role", "admin", "--password", "a-strong-admin-passphrase"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "admin@example.org"
    assert user.role_names == {"member", "admin"}
    assert authenticate("admin@example.org", "a-strong-admin-passphrase") is not None


def test_users_create_prompts_for_the_password(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "m@example.org", "--name", "M"],
        input="a-prompted-passphrase\na-prompted-passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert authenticate("m@example.org", "a-prompted-passphrase") is not None


def test_faculty_needs_a_known_institution(runner):
    args = ["users", "create", "--email", "f@example.org", "--name", "F", "--role", "faculty",
            "--password", "a-strong-faculty-passphrase"]  # fmt: skip
    missing = runner.invoke(args=args)
    assert missing.exit_code != 0 and "--institution is required" in missing.output
    unknown = runner.invoke(args=[*args, "--institution", "nowhere"])
    assert unknown.exit_code != 0 and "unknown institution 'nowhere'" in unknown.output
    home = institution()
    created = runner.invoke(args=[*args, "--institution", "lake-region-university"])
    assert created.exit_code == 0, created.output
    user = db.session.scalar(sa.select(User))
    assert user.institution_id == home.id and user.is_faculty


def test_users_create_refuses_weak_password_and_duplicates(runner, make_user):
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "w@example.org",
            "--name",
            "W",
            "--password",
            "password1",
        ]
    )
    assert weak.exit_code != 0
    make_user(email="taken@example.org")
    taken = runner.invoke(
        args=["users", "create", "--email", "TAKEN@example.org", "--name", "T",
              "--password", "a-strong-passphrase-here"]
    )  # fmt: skip
    assert taken.exit_code != 0 and "already exists" in taken.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_demo_seed_is_safe_to_run_twice(runner, synced_content):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "member@wired4ex.example" in first.output and "password:" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    # The three demo accounts, a student whose application waits, a member who let it lapse.
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 5
    states = {email: membership_status(find_user_by_email(email)).state for email in (
        "member@wired4ex.example", "faculty@wired4ex.example", "student@wired4ex.example",
        "lapsed@wired4ex.example")}  # fmt: skip
    assert states == {
        "member@wired4ex.example": "verified",
        "faculty@wired4ex.example": "verified",
        "student@wired4ex.example": "pending",
        "lapsed@wired4ex.example": "lapsed",
    }
    numbers = db.session.scalars(sa.select(Membership.number)).all()
    assert len(numbers) == 3 and all(re.match(r"^HSM-\d{4}-\d{5}$", n) for n in numbers)
    waiting = db.session.scalar(sa.select(MembershipApplication))
    assert waiting.category == "student" and waiting.proof_type == "application/pdf"
    faculty = db.session.scalar(sa.select(User).where(User.email == "faculty@wired4ex.example"))
    assert faculty.is_faculty and faculty.institution.slug == "lake-region-university"
    assert authenticate("member@wired4ex.example", "demo-member-pass-2026") is not None
    # demo accounts need no confirmation link: everything they do counts at once
    assert all(user.email_confirmed_at for user in db.session.scalars(sa.select(User)))
    assert "demo event: HeSMA Annual Scientific Conference" in first.output
    assert "demo event: already there" in second.output
