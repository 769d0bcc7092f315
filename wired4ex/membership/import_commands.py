"""`flask members import FILE.csv [--dry-run]` and `flask members renewals FILE.csv [--dry-run]`:
the register and renewal imports from the command line, with the engine the admin pages use."""

from pathlib import Path

import click

from wired4ex.admin.commands import _account, members_cli
from wired4ex.membership.import_apply import apply_import
from wired4ex.membership.imports import ImportReport, plan_import
from wired4ex.membership.invitations import send_invitations
from wired4ex.membership.renewal_imports import run_renewals


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise click.BadParameter(
            f"cannot read {path}: {error.strerror}", param_hint="FILE"
        ) from error


def _echo_report(report: ImportReport) -> None:
    for row in report.rows:
        if row.action == "refuse":
            click.echo(f"line {row.line}: refused: {' '.join(row.reasons)}")
        elif row.action == "update":
            changes = "; ".join(row.changes) or "no change"
            click.echo(f"line {row.line}: update {row.email} ({changes})")
        else:
            number = row.number or "number assigned"
            click.echo(f"line {row.line}: create {row.email} {row.category} {number}")


@members_cli.command("import")
@click.argument("path", metavar="FILE.csv")
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@click.option("--by", "admin_email", help="E-mail of the admin responsible (audit log).")
def import_command(path, dry_run, admin_email):
    """Import the membership register from a CSV, all or nothing (see README, "The register")."""
    data = _read(path)
    by = _account(admin_email, "--by") if admin_email else None
    report = plan_import(data) if dry_run else apply_import(data, by=by)
    for problem in report.problems:
        click.echo(f"{path}: {problem}", err=True)
    _echo_report(report)
    summary = (
        f"{len(report.created)} to create, {len(report.updated)} to update, "
        f"{len(report.refused)} refused"
    )
    if report.problems or report.refused:
        raise click.ClickException(f"{summary}: nothing imported. Refused lines: "
                                   f"{', '.join(map(str, report.refused_lines)) or '-'}")  # fmt: skip
    if dry_run:
        click.echo(f"{summary} (dry run: nothing imported).")
        return
    sent = send_invitations(report.invited)
    click.echo(f"Imported: {len(report.created)} created, {len(report.updated)} updated; "
               f"{sent} invitation(s) sent.")  # fmt: skip


@members_cli.command("renewals")
@click.argument("path", metavar="FILE.csv")
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@click.option("--by", "admin_email", required=True, help="E-mail of the admin recording them.")
def renewals_command(path, dry_run, admin_email):
    """Record renewals from a CSV (membership_number,renewed_on,amount,reference), all or nothing."""
    data = _read(path)
    report = run_renewals(data, by=_account(admin_email, "--by"), apply=not dry_run)
    for problem in report.problems:
        click.echo(f"{path}: {problem}", err=True)
    for row in report.rows:
        if row.refused:
            click.echo(f"line {row.line}: refused: {' '.join(row.reasons)}")
        else:
            click.echo(f"line {row.line}: {row.number} renewed on {row.renewed_on}, "
                       f"{row.amount}, {row.reference}: valid until {row.renews_on}")  # fmt: skip
    if not report.ok:
        raise click.ClickException(f"{len(report.refused)} refused: nothing recorded.")
    click.echo(
        f"{len(report.rows)} renewal(s) "
        + ("recorded." if report.applied else "checked (dry run).")
    )
