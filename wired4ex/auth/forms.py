"""Account forms: one per screen."""

import functools

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    ValidationError,
)

from wired4ex.auth.models import MembershipCategory
from wired4ex.auth.passwords import MAX_LENGTH, MIN_LENGTH
from wired4ex.auth.strength import password_problem
from wired4ex.auth.tokens import DEFAULT_LIFETIME_DAYS, LIFETIME_DAYS
from wired4ex.forms import Form
from wired4ex.i18n import reading_language

EAST_AFRICA = ("KE", "UG", "TZ", "RW", "BI", "SS", "ET", "SO", "CD")

MEMBERSHIP_LABELS = {
    MembershipCategory.STUDENT: _l("Student"),
    MembershipCategory.PROFESSIONAL: _l("Professional"),
    MembershipCategory.ASSOCIATE: _l("Associate"),
    MembershipCategory.LIFE: _l("Life member"),
    MembershipCategory.CORPORATE: _l("Corporate"),
    MembershipCategory.HONORARY: _l("Honorary"),
}

LANGUAGE_CHOICES = [("en", "English"), ("sw", "Kiswahili")]


def country_choices() -> list[tuple[str, str]]:
    """ISO country codes with their names in the reader's language, East African Community
    members first."""
    return _country_choices(reading_language())


@functools.cache
def _country_choices(language: str) -> list[tuple[str, str]]:
    names = {
        code: name
        for code, name in Locale.parse(language).territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
    }
    first = [(code, names[code]) for code in EAST_AFRICA]
    rest = sorted(((c, n) for c, n in names.items() if c not in EAST_AFRICA), key=lambda x: x[1])
    return first + rest


def membership_choices() -> list[tuple[str, str]]:
    return [(category.value, label) for category, label in MEMBERSHIP_LABELS.items()]


def password_strength(form, field) -> None:
    """Refuse passwords zxcvbn scores below 3, with the person's name and e-mail address as
    words to try first; its feedback becomes the message."""
    if not field.data:
        return
    inputs = [getattr(form, name).data for name in ("full_name", "email") if name in form]
    person = getattr(form, "person", None)
    if person is None and current_user and current_user.is_authenticated:
        person = current_user
    if person is not None:
        inputs += [person.full_name, person.email]
    problem = password_problem(field.data, inputs)
    if problem:
        raise ValidationError(problem)


def new_password_field(label):
    return PasswordField(
        label,
        validators=[
            InputRequired(),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=_l(
                    "Use between %(min)d and %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH
                ),
            ),
            password_strength,
        ],
        render_kw={"autocomplete": "new-password"},
    )


def full_name_field():
    return StringField(
        _l("Full name (as it should appear on certificates)"),
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )


def country_field():
    return SelectField(_l("Country"), choices=country_choices, default="KE")


class RegisterForm(Form):
    full_name = full_name_field()
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Length(max=254), Email()],
        render_kw={"autocomplete": "email"},
    )
    password = new_password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    # No category or number here: a membership is applied for once signed in and granted by
    # the secretariat, which gives the number (wired4ex.membership).
    country = country_field()
    submit = SubmitField(_l("Create account"))


class LoginForm(Form):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField()
    submit = SubmitField(_l("Log in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.remember.label.text = _l(
            "Keep me logged in for %(days)d days (only on a device of your own)",
            days=current_app.config["REMEMBER_ME_DAYS"],
        )


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254), Email()])
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = user  # the account whose name and address the password must not lean on

    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set new password"))


class ProfileForm(Form):
    full_name = full_name_field()
    country = country_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save profile"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


def lifetime_choices() -> list[tuple[int, str]]:
    return [(days, _l("%(days)d days", days=days)) for days in LIFETIME_DAYS]


class TokenForm(Form):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80)],
    )
    expires_in = SelectField(
        _l("Expires after"), choices=lifetime_choices, coerce=int, default=DEFAULT_LIFETIME_DAYS
    )
    scope_me = BooleanField(
        _l("me: your own account, enrolments, CPD, certifications and statements"), default=True
    )
    scope_catalogue = BooleanField(_l("catalogue: the published courses"), default=True)
    scope_admin = BooleanField(_l("admin:read: members and reports (administrators only)"))
    submit = SubmitField(_l("Create token"))

    def chosen_scopes(self) -> list[str]:
        chosen = {"me": self.scope_me.data, "catalogue": self.scope_catalogue.data}
        if "scope_admin" in self:
            chosen["admin:read"] = self.scope_admin.data
        return [scope for scope, ticked in chosen.items() if ticked]


class KeepTokensForm(Form):
    submit = SubmitField(_l("Keep the ticked tokens"))


class ResendConfirmationForm(Form):
    submit = SubmitField(_l("Send a new confirmation link"))


class RevokeTokenForm(Form):
    submit = SubmitField(_l("Revoke"))
