"""Admin forms: member filters and changes, institutions, faculty accounts, report filters."""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from wired4ex.auth.forms import LANGUAGE_CHOICES, country_choices, membership_choices
from wired4ex.auth.models import RoleName
from wired4ex.auth.services import find_user_by_email
from wired4ex.catalog.models import Institution
from wired4ex.extensions import db
from wired4ex.fields import BoundedDateField, latest_period_date
from wired4ex.forms import Form

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
ROLE_LABELS = {
    RoleName.MEMBER.value: _l("Member"),
    RoleName.FACULTY.value: _l("Faculty"),
    RoleName.ADMIN.value: _l("Admin (secretariat)"),
}
# Readable names of audit actions; an action without one is shown as recorded.
AUDIT_ACTION_LABELS = {
    "auth.login": _l("Logged in"),
    "auth.login_failed": _l("Failed login"),
    "auth.logout": _l("Logged out"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_reset": _l("Password reset by e-mail link"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "member.roles_changed": _l("Roles changed"),
    "member.category_changed": _l("Membership category changed"),
    "content.synced": _l("Content synced"),
    "export.downloaded": _l("Export downloaded"),
}
CPD_STATUS_LABELS = {"met": _l("Met"), "not_met": _l("Not met"), "exempt": _l("Exempt")}
ANY = ("", _l("Any"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GetForm(Form):
    """Filters sent by GET: no CSRF token, and bad values are simply ignored."""

    class Meta:
        csrf = False


class MemberFilterForm(GetForm):
    q = StringField(_l("Name, e-mail or membership number"), validators=[Length(max=100)])
    category = SelectField(_l("Membership category"), choices=[], validators=[Optional()])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    role = SelectField(_l("Role"), choices=[], validators=[Optional()])
    cpd = SelectField(_l("CPD status"), choices=[], validators=[Optional()])
    cycle = SelectField(_l("CPD cycle"), coerce=int, choices=[], validators=[Optional()])
    course = SelectField(_l("Completed course"), choices=[], validators=[Optional()])
    account = SelectField(
        _l("Account"),
        choices=[("active", _l("Active")), ("deactivated", _l("Deactivated")), ("all", _l("All"))],
        default="active",
        validators=[Optional()],
    )

    def setup(self, cycles: list[tuple[int, str]], courses: list[tuple[str, str]]) -> None:
        self.category.choices = [ANY, *membership_choices()]
        self.country.choices = [ANY, *country_choices()]
        self.role.choices = [ANY, *ROLE_LABELS.items()]
        self.cpd.choices = [ANY, *CPD_STATUS_LABELS.items()]
        self.cycle.choices = cycles
        self.course.choices = [ANY, *courses]


class MembershipForm(Form):
    # The category is changed on the membership's own page (/admin/memberships), with a reason.
    roles = MultiCheckboxField(
        _l("Roles"), choices=list(ROLE_LABELS.items()), validators=[DataRequired()]
    )
    institution = SelectField(_l("Institution (for faculty)"), coerce=int, choices=[])
    submit = SubmitField(_l("Save changes"))

    def validate_institution(self, field) -> None:
        if RoleName.FACULTY.value in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("Faculty belong to one institution: choose it."))


class AccountStateForm(Form):
    submit = SubmitField(_l("Confirm"))


class InstitutionForm(Form):
    slug = StringField(
        _l("Short address (slug)"),
        validators=[DataRequired(), Length(max=80)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=40)])
    country = StringField(_l("Country"), validators=[DataRequired(), Length(max=80)])
    website = URLField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(message=_l("Enter a web address."))],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save institution"))

    def __init__(self, *args, institution: Institution | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution

    def validate_slug(self, field) -> None:
        if self.institution is not None:
            return  # the slug is part of course addresses: it is fixed once made
        if not SLUG.match(field.data or ""):
            raise ValidationError(
                _l("Use lower-case letters, digits and hyphens, starting with a letter or digit.")
            )
        taken = db.session.scalar(sa.select(Institution.id).where(Institution.slug == field.data))
        if taken is not None:
            raise ValidationError(_l("Another institution already uses this slug."))

    def validate_website(self, field) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("Enter a web address starting with http:// or https://."))


class FacultyForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)])
    country = SelectField(_l("Country"), choices=country_choices, default="KE")
    membership_category = SelectField(
        _l("Membership category"), choices=membership_choices, default="professional"
    )
    language = SelectField(
        _l("Language of the invitation and the account"), choices=LANGUAGE_CHOICES, default="en"
    )
    submit = SubmitField(_l("Create faculty account and send invitation"))

    def validate_email(self, field) -> None:
        if find_user_by_email(field.data or "") is not None:
            raise ValidationError(_l("An account with this e-mail address already exists."))


class DashboardForm(GetForm):
    year = SelectField(_l("Year"), coerce=int, choices=[], validators=[Optional()])


class CourseFilterForm(GetForm):
    country = SelectField(_l("Learners' country"), choices=[], validators=[Optional()])
    category = SelectField(_l("Membership category"), choices=[], validators=[Optional()])

    def setup(self) -> None:
        self.country.choices = [ANY, *country_choices()]
        self.category.choices = [ANY, *membership_choices()]


class AuditFilterForm(GetForm):
    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    actor = StringField(_l("Done by (name or e-mail)"), validators=[Length(max=100)])
    member = StringField(_l("Member concerned (name or e-mail)"), validators=[Length(max=100)])
    start = BoundedDateField(_l("From"), validators=[Optional()], latest=latest_period_date)
    end = BoundedDateField(_l("To"), validators=[Optional()], latest=latest_period_date)


class GrantAttemptForm(Form):
    submit = SubmitField(_l("Grant one more attempt"))
