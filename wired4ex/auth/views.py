"""Account pages: register, log in and out, password reset, profile."""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from wired4ex.auth import bp, services, sessions, tokens
from wired4ex.auth.access import confirmed_required
from wired4ex.auth.forms import (
    MEMBERSHIP_LABELS,
    ChangePasswordForm,
    ForgotPasswordForm,
    KeepTokensForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    RevokeTokenForm,
    TokenForm,
)
from wired4ex.auth.passwords import verify_password
from wired4ex.dbtypes import utcnow
from wired4ex.extensions import db, limiter, login_manager
from wired4ex.i18n import SESSION_KEY as LANGUAGE_KEY
from wired4ex.membership.services import request_status
from wired4ex.notifications.outbox import queue_mail
from wired4ex.security import is_safe_redirect
from wired4ex.timeutil import local_today
from wired4ex.ui import confirmation_page


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_session_user(session_id)


login_manager.login_view = "auth.login"
login_manager.login_message = None


@bp.app_context_processor
def _account_labels() -> dict:
    return {"membership_label": lambda value: MEMBERSHIP_LABELS.get(value, value)}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed_login(response) -> bool:
    """Only failed attempts count towards the throttle (a success redirects)."""
    return response.status_code != 302


def _login_email_key() -> str:
    return "login-email:" + request.form.get("email", "").strip().lower()[:254]


def _start_session(user, remember: bool = False) -> None:
    """A fresh session for a fresh login: nothing from before carries over."""
    sessions.start(user, remember=remember)
    services.record_login(user)


bp.before_app_request(sessions.check)


@bp.post("/language")
def set_language():
    """The language switch in the page header: a plain form, so it works without JavaScript.

    A visitor's choice lives in the session; a member's is saved to the profile as well."""
    code = request.form.get("language", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    session[LANGUAGE_KEY] = code
    if current_user.is_authenticated:
        services.set_language(current_user, code)
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("catalog.index"))


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _register_email_key() -> str:
    return "register-email:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@limiter.limit(_register_limit, methods=["POST"], key_func=_register_email_key)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        account = services.NewAccount(
            email=form.email.data,
            full_name=form.full_name.data,
            password=form.password.data,
            country=form.country.data,
            language=str(get_locale()),
        )
        user, created = services.register_account(account)
        if created:
            _send_confirmation(user)
        else:
            _send_registration_attempt(user)
        # The same answer whether or not the address already had an account.
        return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form)


def _send_confirmation(user) -> None:
    queue_mail(user, "email_confirmation", uuid.uuid4().hex)
    db.session.commit()


def _send_registration_attempt(user) -> None:
    queue_mail(user, "registration_attempt", uuid.uuid4().hex)
    db.session.commit()


@bp.get("/register/check-email")
def check_email():
    return render_template("auth/check_email.html")


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    user = services.confirm_email(token)
    if user is None:
        flash(
            _(
                "This confirmation link is invalid, expired or already used. Log in to get a new one."
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    flash(_("Thank you: your e-mail address is confirmed."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("home.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def confirm_needed():
    form = ResendConfirmationForm()
    if form.validate_on_submit() and not current_user.email_confirmed:
        _send_confirmation(current_user)
        flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email),
              "info")  # fmt: skip
        return redirect(url_for("auth.confirm_needed"))
    return render_template("auth/confirm_needed.html", form=form)


def _login_reason(next_url: str | None) -> str | None:
    """Why the login page was opened on the way to `next_url`: "module" when a visitor opened a
    module, "page" for another page of this site, None without a (safe) next address."""
    if not is_safe_redirect(next_url):
        return None
    try:
        endpoint, _values = current_app.url_map.bind("localhost").match(
            urlsplit(next_url).path, method="GET"
        )
    except (HTTPException, RoutingException):
        return None
    return "module" if endpoint == "learning.module" else "page"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login, key_func=_login_email_key)
def login():
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_redirect(next_url) else url_for("home.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        services.record_login_attempt(form.email.data, user, request.remote_addr)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            return redirect(next_url if is_safe_redirect(next_url) else url_for("home.dashboard"))
        form.password.errors.append(_("The e-mail address or password is not correct."))
    return render_template("auth/login.html", form=form, reason=_login_reason(next_url))


@bp.post("/logout")
@login_required
def logout():
    language = current_user.language
    services.record_logout(current_user, request.remote_addr)
    services.end_all_sessions(current_user)
    sessions.end(keep_language=language)  # the visitor keeps reading in the language they chose
    flash(_("You have logged out."), "info")
    response = redirect(url_for("catalog.index"))
    # Courses saved for offline reading stay with the member who saved them, not on the phone.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.is_active_account:
            queue_mail(user, "password_reset", uuid.uuid4().hex)
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            _("If an account uses that address, we have sent it a link to set a new password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, expired or already used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        logout_user()
        session.clear()
        flash(_("Your password has been changed. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            full_name=form.full_name.data,
            country=form.country.data,
            language=form.language.data,
        )
        with force_locale(form.language.data):  # the next page is in the language just chosen
            flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, membership=request_status(current_user))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is not correct."))
        else:
            user = current_user._get_current_object()
            remember = bool(session.get(sessions.REMEMBER))
            services.set_password(user, form.password.data)
            _start_session(user, remember=remember)  # this session stays; every other one ends
            flash(_("Your password has been changed."), "success")
            if tokens.held_tokens(user.id):
                return redirect(url_for("auth.keep_api_tokens"))
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form)


def _token_form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    if not current_user.is_admin:
        del form.scope_admin
    return form


def _render_tokens(form: TokenForm, new_secret: str | None = None):
    response = make_response(
        render_template(
            "auth/tokens.html",
            form=form,
            revoke_form=RevokeTokenForm(),
            tokens=tokens.list_tokens(current_user.id),
            new_secret=new_secret,
            expires_on=tokens.expires_on,
            now=utcnow(),
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the new secret must not stay in a cache
    return response


@bp.route("/profile/tokens", methods=["GET", "POST"])
@login_required
@confirmed_required
def api_tokens():
    form = _token_form()
    if form.validate_on_submit():
        try:
            _token, secret = tokens.create_token(
                current_user,
                form.name.data,
                local_today() + timedelta(days=form.expires_in.data),
                scopes=form.chosen_scopes(),
            )
        except tokens.TokenError as error:
            form.name.errors.append(str(error))
        else:
            # Shown on this response only (no redirect): the secret is stored nowhere.
            flash(_("Copy your new token now: it will not be shown again."), "success")
            return _render_tokens(_token_form(formdata=None), new_secret=secret)
    return _render_tokens(form)


@bp.route("/profile/tokens/keep", methods=["GET", "POST"])
@login_required
def keep_api_tokens():
    """After a password change every token stops; the member keeps the ones still wanted."""
    held = tokens.held_tokens(current_user.id)
    form = KeepTokensForm()
    if form.validate_on_submit():
        chosen = {int(v) for v in request.form.getlist("keep") if v.isdigit()}
        kept, revoked = tokens.keep_tokens(current_user.id, chosen)
        flash(_("Tokens kept: %(kept)d. Tokens revoked: %(revoked)d.", kept=kept, revoked=revoked),
              "success")  # fmt: skip
        return redirect(url_for("auth.api_tokens"))
    response = make_response(
        render_template("auth/keep_tokens.html", form=form, held=held, expires_on=tokens.expires_on)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_api_token(token_id: int):
    """GET asks for confirmation on a page of its own (no script needed); POST revokes."""
    token = tokens.get_own_token(current_user.id, token_id)
    if token is None:
        abort(404)
    if request.method == "GET":
        if token.state_at(utcnow()) not in ("active", "held"):
            return redirect(url_for("auth.api_tokens"))
        return confirmation_page(
            _("Revoke the token %(name)s?", name=token.name),
            [_("A program that uses this token stops working at once: its requests are refused."),
             _("A revoked token cannot be used again. Make a new one if the program still needs access.")],
            RevokeTokenForm(), (url_for("auth.api_tokens"), _("No, keep the token")),
        )  # fmt: skip
    if RevokeTokenForm().validate_on_submit():
        tokens.revoke_token(token)
        flash(_("The token %(name)s has been revoked.", name=token.name), "success")
    return redirect(url_for("auth.api_tokens"))
