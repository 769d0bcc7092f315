"""Command-line interface: `flask --app wsgi users create`, `demo seed`, `content ...`."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from wired4ex.auth.models import MembershipCategory, RoleName
from wired4ex.auth.services import AccountError, NewAccount, create_user
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data for trying the app.")
keys_cli = AppGroup("keys", help="The association's signing key.")


def find_institution(slug: str) -> Institution:
    """The institution with this slug, or a usage error listing the known ones."""
    institution = db.session.scalar(sa.select(Institution).where(Institution.slug == slug))
    if institution is None:
        known = db.session.scalars(sa.select(Institution.slug).order_by(Institution.slug)).all()
        hint = ", ".join(known) if known else "none yet: run `flask content sync` first"
        raise click.BadParameter(f"unknown institution {slug!r} (known: {hint})")
    return institution


@users_cli.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", "full_name", required=True, help="Full name as printed on certificates.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=["member"],
    show_default=True,
    type=click.Choice([r.value for r in RoleName]),
    help="Role to grant (repeat for several).",
)
@click.option("--institution", help="Institution slug (required for faculty).")
@click.option(
    "--category",
    default="professional",
    show_default=True,
    type=click.Choice([c.value for c in MembershipCategory]),
    help="Membership category.",
)
@click.option("--country", default="KE", show_default=True, help="ISO country code.")
@click.password_option(help="Password (prompted when not given).")
def create_user_command(email, full_name, roles, institution, category, country, password):
    """Create an account with the given roles."""
    from wired4ex.auth.passwords import MIN_LENGTH
    from wired4ex.auth.strength import password_problem

    if "faculty" in roles and not institution:
        raise click.UsageError("--institution is required for faculty.")  # untranslated: CLI
    problem = password_problem(password, [full_name, email])
    if len(password) < MIN_LENGTH or problem:
        raise click.BadParameter(
            f"use at least {MIN_LENGTH} characters, hard to guess. {problem or ''}",
            param_hint="password",
        )
    institution_id = find_institution(institution).id if institution else None
    account = NewAccount(
        email=email,
        full_name=full_name,
        password=password,
        membership_category=category,
        country=country.upper(),
    )
    all_roles = tuple(dict.fromkeys(["member", *roles]))
    try:
        user = create_user(account, roles=all_roles, institution_id=institution_id)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    # Whoever runs this command admits the person: an approved membership with a system number.
    from wired4ex.membership.services import grant_membership

    membership = grant_membership(
        user, category, by=None, reason="Account created with `flask users create`."
    )
    db.session.commit()
    click.echo(f"Membership {membership.number} ({category}) granted.")
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.role_names))}")


@demo_cli.command("seed")
def seed_command():
    """Create the demo accounts (and their demo progress); safe to run twice."""
    from wired4ex.demo import seed

    for line in seed():
        click.echo(line)


@keys_cli.command("generate")
@click.option(
    "--force", is_flag=True, help="Replace an existing key (old signatures stop verifying)."
)
def generate_key_command(force):
    """Create the Ed25519 signing key at SIGNING_KEY_PATH (default: instance/signing-key.pem)."""
    from wired4ex import signing

    path = signing.key_path()
    try:
        signing.generate_key(path, overwrite=force)
    except FileExistsError as error:
        raise click.ClickException(f"{path} exists; use --force to replace it") from error
    public = signing.thumbprint(signing.load_key().public_key())
    click.echo(f"Wrote a new Ed25519 signing key to {path} (readable by its owner only).")
    click.echo(f"Key thumbprint: {public}. Back it up; it is published at /.well-known/jwks.json.")


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    from wired4ex.admin.commands import members_cli
    from wired4ex.catalog.commands import content_cli
    from wired4ex.certification.commands import certification_cli
    from wired4ex.cpd.commands import cpd_cli, verify_command
    from wired4ex.membership import import_commands  # noqa: F401  (adds `members import`)
    from wired4ex.notifications.commands import jobs_cli, notifications_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(cpd_cli)
    app.cli.add_command(certification_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(members_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(verify_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(notifications_cli)
