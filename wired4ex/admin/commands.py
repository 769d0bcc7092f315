"""`flask members erase EMAIL --by ADMIN_EMAIL --reason TEXT`: erasure of personal data on request;
`flask members rebuild-cpd-sums`: the admin reports' CPD sums and totals rebuilt from the ledger."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from wired4ex.admin.erasure import ErasureError, erase_member
from wired4ex.auth.models import User
from wired4ex.extensions import db

members_cli = AppGroup("members", help="Members' records.")


def _account(email: str, option: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.BadParameter(f"no account with the e-mail {email!r}", param_hint=option)
    return user


@members_cli.command("erase")
@click.argument("email")
@click.option("--by", "admin_email", required=True, help="E-mail of the admin who decided it.")
@click.option("--reason", required=True, help="Why: e.g. the date and reference of the request.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email, admin_email, reason, yes):
    """Erase a person's name, e-mail and membership number on request (ledger figures stay)."""
    member = _account(email, "EMAIL")
    admin = _account(admin_email, "--by")
    if not yes:
        click.confirm(
            f"Erase the personal data of account {member.id} ({member.full_name})? "
            "This cannot be undone",
            abort=True,
        )
    try:
        report = erase_member(member, admin, reason)
    except ErasureError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Erased account {report.member_id}: name, e-mail and membership number replaced in the "
        f"account, {report.statements} statement(s) and {report.certificates} certificate(s); "
        f"{report.tokens} token(s) revoked; the ledger's figures are kept. Audited as member.erased."
    )


@members_cli.command("rebuild-cpd-sums")
def rebuild_cpd_sums_command():
    """Rebuild the CPD sums and per-member totals of the admin reports from the whole ledger
    (recovery; safe any time)."""
    from wired4ex.admin.cpd_sums import rebuild_for
    from wired4ex.cpd.policy import PolicyMissing, load_policy

    try:
        policy = load_policy()
    except PolicyMissing as error:
        raise click.ClickException(str(error)) from error
    rows = rebuild_for(policy)
    click.echo(f"Rebuilt the CPD sums from the ledger: {rows} row(s) (member, cycle, category).")
