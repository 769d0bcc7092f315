"""The secretariat's upload pages: the register import and the renewals import.

Upload, see what would happen (created, updated, refused, with CSV line numbers), then confirm.
The file is kept in `membership_imports` between the preview and the confirmation, and checked
again when confirmed (the database may have changed meanwhile); a file is imported once."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wired4ex.auth.access import admin_required
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db
from wired4ex.membership.import_apply import apply_import
from wired4ex.membership.imports import plan_import
from wired4ex.membership.invitations import send_invitations
from wired4ex.membership.register_forms import RegisterUploadForm, RenewalUploadForm
from wired4ex.membership.register_models import MembershipImport
from wired4ex.membership.renewal_imports import run_renewals

bp = Blueprint("member_register", __name__, template_folder="templates")

KINDS = {"register": RegisterUploadForm, "renewals": RenewalUploadForm}
KEEP_UNCONFIRMED = timedelta(days=1)
HISTORY = 10


def _uploaded(form) -> tuple[str, bytes] | None:
    upload = form.csv_file.data
    if not getattr(upload, "filename", ""):
        form.csv_file.errors.append(_("Choose a CSV file."))
        return None
    return upload.filename[-200:], upload.read()


def _check(kind: str, data: bytes):
    if kind == "register":
        return plan_import(data)
    return run_renewals(data, by=current_user, apply=False)


def _keep(kind: str, filename: str, data: bytes, rows: int) -> MembershipImport:
    """Keep the file until it is confirmed; files never confirmed go after a day (they hold
    personal data and nobody will confirm them any more)."""
    db.session.execute(
        sa.delete(MembershipImport).where(
            MembershipImport.applied_at.is_(None),
            MembershipImport.created_at < utcnow() - KEEP_UNCONFIRMED,
        )
    )
    batch = MembershipImport(kind=kind, filename=filename, content=data, rows=rows,
                             sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=current_user.id)  # fmt: skip
    db.session.add(batch)
    db.session.commit()
    return batch


def _upload(kind: str):
    form = KINDS[kind]()
    report, batch = None, None
    if form.validate_on_submit():
        uploaded = _uploaded(form)
        if uploaded:
            filename, data = uploaded
            report = _check(kind, data)
            if report.ok:
                batch = _keep(kind, filename, data, len(report.rows))
    status = 400 if form.errors or (report is not None and not report.ok) else 200
    return render_template(f"membership/import_{kind}.html", form=form, report=report,
                           batch=batch, history=_history(kind)), status  # fmt: skip


def _history(kind: str) -> list[MembershipImport]:
    """The latest files imported of this kind: when, by whom, how many rows."""
    return list(
        db.session.scalars(
            sa.select(MembershipImport)
            .options(sa.orm.joinedload(MembershipImport.applied_by))
            .where(MembershipImport.kind == kind, MembershipImport.applied_at.is_not(None))
            .order_by(MembershipImport.applied_at.desc())
            .limit(HISTORY)
        )
    )


@bp.route("/admin/memberships/import", methods=["GET", "POST"])
@admin_required
def import_register():
    return _upload("register")


@bp.route("/admin/memberships/renewals/import", methods=["GET", "POST"])
@admin_required
def import_renewals():
    return _upload("renewals")


def _claim(batch_id: int, kind: str) -> MembershipImport:
    """The batch, marked applied in the current transaction; 409 when it already was."""
    batch = db.get_or_404(MembershipImport, batch_id)
    if batch.kind != kind:
        abort(404)
    if batch.applied_at is None and batch.created_at < utcnow() - KEEP_UNCONFIRMED:
        flash(_("This file was checked more than a day ago: upload it again."), "error")
        abort(redirect(url_for(f"member_register.import_{kind}")))
    claimed = db.session.execute(
        sa.update(MembershipImport)
        .where(MembershipImport.id == batch.id, MembershipImport.applied_at.is_(None))
        .values(applied_at=utcnow(), applied_by_id=current_user.id)
    ).rowcount
    if not claimed:
        db.session.rollback()
        flash(_("This file has already been imported."), "error")
        abort(redirect(url_for(f"member_register.import_{kind}")))
    return batch


@bp.post("/admin/memberships/import/<int:batch_id>")
@admin_required
def confirm_register(batch_id: int):
    batch = _claim(batch_id, "register")
    report = apply_import(batch.content, by=current_user)
    if not report.applied:
        db.session.rollback()
        return render_template("membership/import_register.html", form=RegisterUploadForm(),
                               report=report, batch=None, changed=True,
                               history=_history("register")), 409  # fmt: skip
    sent = send_invitations(report.invited)
    flash(_("Imported: %(created)d created, %(updated)d updated; %(sent)d invitation(s) sent.",
            created=len(report.created), updated=len(report.updated), sent=sent), "success")  # fmt: skip
    return redirect(url_for("member_register.import_register"))


@bp.post("/admin/memberships/renewals/import/<int:batch_id>")
@admin_required
def confirm_renewals(batch_id: int):
    batch = _claim(batch_id, "renewals")
    report = run_renewals(batch.content, by=current_user, apply=True)
    if not report.applied:
        db.session.rollback()
        return render_template("membership/import_renewals.html", form=RenewalUploadForm(),
                               report=report, batch=None, changed=True,
                               history=_history("renewals")), 409  # fmt: skip
    flash(_("%(count)d renewal(s) recorded.", count=len(report.rows)), "success")
    return redirect(url_for("member_register.import_renewals"))


from wired4ex.membership import corporate_views  # noqa: E402,F401  (routes attach to bp)
