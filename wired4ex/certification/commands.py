"""`flask certification evaluate [--programme CODE] [--out FILE.csv]`: eligibility for everyone."""

import contextlib
import csv
import gc
import sys
import time
from collections.abc import Iterator

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from wired4ex.auth.models import User
from wired4ex.certification.eligibility import evaluate, load_programmes
from wired4ex.cpd.policy import PolicyMissing, load_policy
from wired4ex.csvsafe import safe_cell
from wired4ex.extensions import db
from wired4ex.membership.models import Membership
from wired4ex.membership.status import open_application_category, status_from
from wired4ex.timeutil import local_today

certification_cli = AppGroup("certification", help="Certification batch work.")
CHUNK = 1000
COLUMNS = ["member_id", "name", "email", "membership_category", "programme", "eligible",
           "rules_met", "rules_total", "missing"]  # fmt: skip


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while one chunk is worked on: a chunk's tens of
    thousands of small tuples would start collections that scan the whole heap, again and again
    (half the time of a chunk). What a chunk leaves is freed by reference counting; the
    collector runs again between chunks."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@certification_cli.command("evaluate")
@click.option("--programme", "programme_code", help="Only this programme (its code, e.g. AHSM).")
@click.option("--out", "out_file", type=click.File("w", encoding="utf-8"), help="Write a CSV here.")
@click.option("--closest", default=5, show_default=True, help="How many of the closest to list.")
@click.option("--chunk", "chunk_size", type=click.IntRange(1, 10_000), default=CHUNK,
              show_default=True, help="Members read and evaluated together.")  # fmt: skip
def evaluate_command(programme_code, out_file, closest, chunk_size):
    """Evaluate every active member; print who is eligible and who is closest.

    Members are read in chunks (by id, after the last one read), each with three statements: the
    members with their memberships, their ledger and completions, their certificates."""
    try:
        policy = load_policy()
    except PolicyMissing as error:
        raise click.ClickException(str(error)) from error
    programmes = load_programmes()
    if programme_code:
        programmes = [p for p in programmes if p.code == programme_code]
        if not programmes:
            known = ", ".join(p.code for p in load_programmes()) or "none"
            raise click.BadParameter(f"unknown programme {programme_code!r} (known: {known})")
    if not programmes:
        raise click.ClickException("No certification programmes: run `flask content sync`.")
    today = local_today()
    active = User.is_active_account.is_(True)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(active))
    members_query = (
        sa.select(User.id, User.full_name, User.email, User.membership_category, Membership,
                  open_application_category().label("pending"))
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(active)
        .order_by(User.id)
        .limit(chunk_size)
    )  # fmt: skip
    writer = csv.writer(out_file) if out_file else None
    if writer:
        writer.writerow(COLUMNS)
    eligible = {p.code: 0 for p in programmes}
    nearest: dict[str, list[tuple[int, str, str]]] = {p.code: [] for p in programmes}
    started = time.monotonic()
    label = "Evaluating"  # untranslated: CLI output for the secretariat's operators
    count, last_id = 0, None
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        while True:
            query = members_query if last_id is None else members_query.where(User.id > last_id)
            rows = db.session.execute(query).all()
            if not rows:
                break
            statuses = {row.id: status_from(row.Membership, row.pending, today) for row in rows}
            with collector_paused():  # the chunk's work
                results = evaluate(rows, programmes, policy, today, statuses)
                for member in rows:
                    for result in results[member.id]:
                        unmet = result.unmet
                        missing = "; ".join(r.missing for r in unmet)
                        if not unmet:
                            eligible[result.programme_code] += 1
                        else:
                            nearest[result.programme_code].append(
                                (len(unmet), member.full_name, missing)
                            )
                        if writer:
                            writer.writerow([
                                member.id, safe_cell(member.full_name), safe_cell(member.email),
                                safe_cell(member.membership_category), safe_cell(result.programme_code),
                                "yes" if not unmet else "no", len(result.rules) - len(unmet),
                                len(result.rules), safe_cell(missing),
                            ])  # fmt: skip
            # Only the closest few are listed: keep no more than that in memory.
            for code, found in nearest.items():
                if len(found) > closest:
                    nearest[code] = sorted(found)[:closest]
            count += len(rows)
            last_id = rows[-1].id
            bar.update(len(rows))
            if len(rows) < chunk_size:
                break
    seconds = time.monotonic() - started
    click.echo(f"{count} members evaluated in {seconds:.1f} s.")
    for programme in programmes:
        click.echo(f"{programme.code} {programme.name}: {eligible[programme.code]} eligible")
        for missing_count, name, missing in sorted(nearest[programme.code])[:closest]:
            click.echo(f"  closest: {name} ({missing_count} missing: {missing})")
