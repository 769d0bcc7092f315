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
from wired4ex.cpd.pdfstore import stored_pdf
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.cpd.snapshots import Period
from wired4ex.cpd.verifiable import format_code
from wired4ex.extensions import db
from wired4ex.learning.models import LedgerEntry
from wired4ex.membership.models import Membership
from wired4ex.membership.status import open_application_category, status_from
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url

cpd_cli = AppGroup("cpd", help="CPD batch work.")
CHUNK = 500


def _members_query(category: str | None, first_id: int | None, last_id: int | None, size: int):
    """The active members (with their membership and open application), by id, a chunk at a
    time: add `User.id > last id read`."""
    query = (
        sa.select(User, Membership, open_application_category().label("pending"))
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(User.is_active_account.is_(True))
        .order_by(User.id)
        .limit(size)
    )
    if category:
        query = query.where(User.membership_category == category)
    if first_id is not None:
        query = query.where(User.id >= first_id)
    if last_id is not None:
        query = query.where(User.id <= last_id)
    return query


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
@click.option("--chunk", "chunk_size", type=click.IntRange(1, 5000), default=CHUNK,
              show_default=True, help="Members read and issued together.")  # fmt: skip
def statements_command(year, out_dir, category, first_id, last_id, chunk_size):
    """Issue (or reuse, when nothing changed) a statement per member and write its PDF.

    Members are read in chunks, each with a fixed number of statements whatever its size (the
    members with their memberships, their ledger entries, the statements already issued for
    their figures, the new ones in one insert), so memory stays flat; --first-id/--last-id split
    the work between machines. A PDF comes from the stored files (STATEMENT_PDF_DIR) when the
    statement was drawn before: an unchanged statement is not rendered again.
    """
    try:
        policy = load_policy()
    except PolicyMissing as error:
        raise click.ClickException(str(error)) from error
    if not 1900 <= year <= 2200:
        raise click.BadParameter("give a year such as 2026", param_hint="--cycle")
    cycle = policy.cycle_starting(year)
    period = Period(cycle.start, cycle.end, cycle.label)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    query = _members_query(category, first_id, last_id, chunk_size)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.limit(None).subquery()))
    today = local_today()
    issued = reused = count = 0
    last = None
    started = time.monotonic()
    session = db.session()
    # Committing a chunk keeps what it read: writing the PDFs reads no row again.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with click.progressbar(
            length=total,
            label=f"Statements {cycle.label}",  # untranslated: CLI
            file=sys.stderr,
        ) as bar:
            while True:
                rows = db.session.execute(query if last is None else query.where(User.id > last))
                rows = rows.all()
                if not rows:
                    break
                ids = [row.User.id for row in rows]
                entries = defaultdict(list)
                for entry in db.session.scalars(
                    sa.select(LedgerEntry).where(
                        LedgerEntry.user_id.in_(ids),
                        LedgerEntry.activity_date >= cycle.start,
                        LedgerEntry.activity_date <= cycle.end,
                    )
                ):
                    entries[entry.user_id].append(entry)
                members = [
                    (row.User, status_from(row.Membership, row.pending, today), entries[row.User.id])
                    for row in rows
                ]  # fmt: skip
                db.session.commit()  # end the reading transaction: issuing starts with its lock
                written = statements.issue_many(policy, members, period, today)
                db.session.commit()
                for (member, _status, _entries), (statement, new) in zip(
                    members, written, strict=True
                ):
                    issued += new
                    reused += not new
                    code = format_code(statement.code)
                    verify = public_url("verify.verify", code=code)
                    name = f"{member.membership_number or member.id}-{code}.pdf".replace("/", "-")
                    with force_locale(member.language):  # each statement in its member's language
                        (out / name).write_bytes(stored_pdf(statement, verify))
                count += len(rows)
                last = ids[-1]
                bar.update(len(rows))
                if len(rows) < chunk_size:
                    break
    finally:
        session.expire_on_commit = expire_on_commit
    seconds = time.monotonic() - started
    click.echo(
        f"{count} members: {issued} statements issued, {reused} unchanged and reused; "
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
    click.echo(f"  Statement {format_code(payload['code'])}, issued {payload['issued_at']}")
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
