"""`flask cpd statements --cycle YEAR --out DIR [--category C]`: year-end statements in batch."""

import sys
import time
from collections import defaultdict
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from wired4ex.auth.models import MembershipCategory, User
from wired4ex.cpd import statements
from wired4ex.cpd.documents import render_pdf
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url

cpd_cli = AppGroup("cpd", help="CPD batch work.")
CHUNK = 200


def _member_ids(category: str | None) -> list[int]:
    query = sa.select(User.id).where(User.is_active_account.is_(True)).order_by(User.id)
    if category:
        query = query.where(User.membership_category == category)
    return list(db.session.scalars(query))


@cpd_cli.command("statements")
@click.option("--cycle", "year", type=int, required=True, help="The year the cycle starts in.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the PDFs."
)
@click.option(
    "--category",
    type=click.Choice([c.value for c in MembershipCategory]),
    help="Only this membership category.",
)
@click.option("--first-id", type=int, default=None, help="Only members with this id or higher.")
@click.option("--last-id", type=int, default=None, help="Only members with this id or lower.")
def statements_command(year, out_dir, category, first_id, last_id):
    """Issue (or reuse, when nothing changed) a statement per member and write its PDF.

    Members are read in chunks of 200 with their ledger entries in one query per chunk, so
    memory stays flat; --first-id/--last-id split the work between machines.
    """
    try:
        policy = load_policy()
    except PolicyMissing as error:
        raise click.ClickException(str(error)) from error
    if not 1900 <= year <= 2200:
        raise click.BadParameter("give a year such as 2026", param_hint="--cycle")
    cycle = policy.cycle_starting(year)
    period = statements.Period(cycle.start, cycle.end, cycle.label)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ids = [
        i
        for i in _member_ids(category)
        if (first_id is None or i >= first_id) and (last_id is None or i <= last_id)
    ]
    today = local_today()
    issued = reused = 0
    started = time.monotonic()
    with click.progressbar(
        length=len(ids),
        label=f"Statements {cycle.label}",  # untranslated: CLI
        file=sys.stderr,
    ) as bar:
        for offset in range(0, len(ids), CHUNK):
            chunk = ids[offset : offset + CHUNK]
            members = list(
                db.session.scalars(sa.select(User).where(User.id.in_(chunk)).order_by(User.id))
            )
            entries = defaultdict(list)
            for entry in db.session.scalars(
                sa.select(LedgerEntry).where(
                    LedgerEntry.user_id.in_(chunk),
                    LedgerEntry.activity_date >= cycle.start,
                    LedgerEntry.activity_date <= cycle.end,
                )
            ):
                entries[entry.user_id].append(entry)
            written = []
            for member in members:
                statement, new = statements.issue_statement(
                    policy, member, period, entries[member.id], today, commit=False
                )
                issued += new
                reused += not new
                written.append((member, statement))
            db.session.commit()
            for member, statement in written:
                code = statements.format_code(statement.code)
                verify = public_url("verify.verify", code=code)
                name = f"{member.membership_number or member.id}-{code}.pdf".replace("/", "-")
                with force_locale(member.language):  # each statement in its member's language
                    (out / name).write_bytes(render_pdf(statement, verify))
            db.session.expunge_all()
            bar.update(len(chunk))
    seconds = time.monotonic() - started
    click.echo(
        f"{len(ids)} members: {issued} statements issued, {reused} unchanged and reused; "
        f"PDFs in {out} ({seconds:.1f} s)."
    )


@click.command("verify")
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--jwks",
    "jwks_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check against this saved copy of /.well-known/jwks.json instead of the installed key.",
)
def verify_command(pdf_file, jwks_file):
    """Check the signed snapshot embedded in a CPD statement PDF; exit 1 unless it is valid."""
    import json

    from wired4ex.cpd import signatures
    from wired4ex.cpd.models import Statement
    from wired4ex.signing import SigningKeyMissing

    tokens = signatures.embedded_tokens(pdf_file.read_bytes())
    if not tokens:
        click.echo(f"{pdf_file}: no signed CPD statement is embedded in this file.")
        sys.exit(1)
    jwk = None
    if jwks_file:
        try:
            keys = json.loads(jwks_file.read_text())["keys"]
            jwk = next(key for key in keys if key.get("crv") == "Ed25519")
        except (ValueError, KeyError, StopIteration, TypeError):
            raise click.ClickException(f"{jwks_file} holds no Ed25519 key") from None
    try:
        found = signatures.check_token(tokens[0], jwk)
    except SigningKeyMissing:
        raise click.ClickException("no signing key installed here: pass --jwks FILE") from None
    if found.state != "signed":
        click.echo(f"{pdf_file}: the embedded statement is NOT signed by HeSMA East Africa's key "
                   "(altered, or signed with another key). Do not rely on it.")  # fmt: skip
        sys.exit(1)
    payload, snap = found.payload, found.payload["snapshot"]
    member = snap["member"]
    state = (member.get("membership") or {}).get("state", "verified")
    target = ("exempt" if snap["exempt"] else
              f"no target: membership {state.replace('_', ' ')}" if snap["target"] is None else
              f"target {snap['target']} {'met' if snap['target_met'] else 'not met'}")  # fmt: skip
    click.echo(f"{pdf_file}: signature valid, signed by HeSMA East Africa's key.")
    click.echo(
        f"  Statement {statements.format_code(payload['code'])}, issued {payload['issued_at']}"
    )
    click.echo(f"  Member: {member['name']}"
               + (f" ({member['membership_number']})" if member.get("membership_number") else ""))  # fmt: skip
    click.echo(f"  Period: {payload['period_start']} to {payload['period_end']}")
    click.echo(f"  Points: {snap['counted']} counted, {snap['claimed']} earned; {target}")
    statement = db.session.scalar(sa.select(Statement).where(Statement.code == payload["code"]))
    if jwks_file and statement is None:
        click.echo("  Checked against the key only (this statement is not in this database).")
        return
    if statement is None:
        click.echo("  Not found in this database: it was not issued here.")
        sys.exit(1)
    if statement.status == "revoked":
        click.echo(f"  REVOKED on {statement.revoked_at:%Y-%m-%d}: {statement.revoked_reason}")
        sys.exit(1)
    click.echo("  Status: valid (not revoked).")
