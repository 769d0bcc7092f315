"""Corporate seats: the contact person's staff page (and its CSV), and the invited person's
acceptance page. Only the contact sees their organisation's staff (404 for anyone else)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wired4ex.admin.exports import csv_response
from wired4ex.auth.access import confirmed_required
from wired4ex.cpd.views import policy_or_503
from wired4ex.extensions import db
from wired4ex.mail import send_mail
from wired4ex.membership import corporate
from wired4ex.membership.register_forms import SeatInviteForm
from wired4ex.membership.register_models import CorporateSeat
from wired4ex.membership.register_views import bp
from wired4ex.timeutil import local_today
from wired4ex.urls import public_url


def _contact_membership_or_404():
    membership = corporate.contact_membership(current_user)
    if membership is None:
        abort(404)
    return membership


def _staff_page(membership, form, status=200):
    policy = policy_or_503()
    seats = corporate.open_seats(membership)
    rows = corporate.staff_standing(seats, policy, local_today())
    return render_template("membership/corporate_staff.html", membership=membership, rows=rows,
                           form=form, cycle=policy.cycle_for(local_today())), status  # fmt: skip


@bp.get("/membership/staff")
@login_required
def staff():
    return _staff_page(_contact_membership_or_404(), SeatInviteForm())


def _send_seat_invitation(seat, membership) -> None:
    """Mail the invitation in the invited person's language when they have an account."""
    from wired4ex.auth.services import find_user_by_email

    person = find_user_by_email(seat.email)
    language = person.language if person else current_user.language
    with force_locale(language):
        send_mail(seat.email, _("%(organisation)s invites you to its HeSMA East Africa membership",
                                organisation=membership.organisation_name),
                  render_template("membership/email/seat_invitation.txt", membership=membership,
                                  contact=current_user, has_account=person is not None,
                                  link=public_url("member_register.seats"),
                                  register_link=public_url("auth.register")))  # fmt: skip


@bp.post("/membership/staff")
@confirmed_required
def invite_staff():
    membership = _contact_membership_or_404()
    form = SeatInviteForm()
    if not form.validate_on_submit():
        return _staff_page(membership, form, 400)
    try:
        seat = corporate.invite(membership, form.email.data, current_user)
    except corporate.SeatError as error:
        form.email.errors.append(str(error))
        return _staff_page(membership, form, 400)
    _send_seat_invitation(seat, membership)
    flash(_("The invitation was sent to %(email)s.", email=seat.email), "success")
    return redirect(url_for("member_register.staff"))


@bp.post("/membership/staff/<int:seat_id>/remove")
@login_required
def remove_staff(seat_id: int):
    membership = _contact_membership_or_404()
    seat = db.get_or_404(CorporateSeat, seat_id)
    if seat.membership_id != membership.id or seat.ended_at is not None:
        abort(404)
    corporate.end_seat(seat, current_user)
    flash(_("%(email)s no longer holds a seat.", email=seat.email), "success")
    return redirect(url_for("member_register.staff"))


def _target_state(row) -> str:
    if not row.verified:
        return "membership not verified"
    return "exempt" if row.summary.exempt else ("yes" if row.summary.target_met else "no")


@bp.get("/membership/staff.csv")
@login_required
def staff_csv():
    membership = _contact_membership_or_404()
    policy = policy_or_503()
    today = local_today()
    rows = corporate.staff_standing(corporate.open_seats(membership), policy, today)
    header = ["name", "email", "seat", "courses_enrolled", "courses_completed", "cpd_cycle",
              "cpd_points_counted", "cpd_target", "target_met"]  # fmt: skip

    def lines():
        for row in rows:
            summary = row.summary
            yield [
                row.seat.user.full_name if summary else "", row.seat.email, row.seat.state,
                row.enrolled if summary else "", row.courses_completed if summary else "",
                summary.cycle.label if summary else "", summary.counted if summary else "",
                "" if not summary or summary.exempt else summary.target,
                "" if not summary else _target_state(row),
            ]  # fmt: skip

    return csv_response(f"staff-cpd-{today.isoformat()}.csv", header, lines())


@bp.get("/membership/seats")
@login_required
def seats():
    return render_template("membership/seat_invitations.html",
                           invitations=corporate.invitations_for(current_user),
                           held=corporate.seat_of(current_user))  # fmt: skip


@bp.post("/membership/seats/<int:seat_id>/leave")
@login_required
def leave_seat(seat_id: int):
    seat = corporate.seat_of(current_user)
    if seat is None or seat.id != seat_id:
        abort(404)
    corporate.end_seat(seat, current_user)
    flash(_("You have left %(name)s.", name=seat.membership.organisation_name), "info")
    return redirect(url_for("member_register.seats"))


def _own_invitation(seat_id: int) -> CorporateSeat:
    seat = db.get_or_404(CorporateSeat, seat_id)
    if (
        seat.ended_at is not None
        or seat.accepted_at is not None
        or seat.email != current_user.email
    ):
        abort(404)
    return seat


@bp.post("/membership/seats/<int:seat_id>/accept")
@confirmed_required
def accept_seat(seat_id: int):
    seat = _own_invitation(seat_id)
    try:
        corporate.accept(seat, current_user)
    except corporate.SeatError as error:
        flash(str(error), "error")
        return redirect(url_for("member_register.seats"))
    flash(_("You now hold a seat of %(name)s.", name=seat.membership.organisation_name), "success")
    return redirect(url_for("member_register.seats"))


@bp.post("/membership/seats/<int:seat_id>/decline")
@login_required
def decline_seat(seat_id: int):
    seat = _own_invitation(seat_id)
    corporate.end_seat(seat, current_user)
    flash(_("Invitation declined."), "info")
    return redirect(url_for("member_register.seats"))
