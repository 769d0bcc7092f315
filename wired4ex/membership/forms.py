"""Forms of the membership pages. The application form is built from the category's fields in
membership.yml; the secretariat's forms decide, grant, renew and change categories."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from wired4ex.auth.forms import membership_choices
from wired4ex.fields import PointsField
from wired4ex.forms import Form
from wired4ex.membership.applications import MAX_SEATS, REASON_LIMIT, TEXT_LIMITS
from wired4ex.membership.policy import CategoryPolicy


def application_form(policy: CategoryPolicy, formdata=None) -> Form:
    """A form with one field per field of the category's policy, labelled in the reader's
    language; the service checks every answer again."""

    class ApplicationForm(Form):
        category = HiddenField()
        submit = SubmitField(_l("Send the application"))

    for field in policy.fields:
        required = [InputRequired()] if field.required else [Optional()]
        description = field.help or None
        if field.type == "long_text":
            made = TextAreaField(field.label, required + [Length(max=TEXT_LIMITS["long_text"])],
                                 description=description)  # fmt: skip
        elif field.type == "date":
            made = DateField(field.label, required, description=description)
        elif field.type == "number":
            made = IntegerField(field.label, required + [NumberRange(1, MAX_SEATS)],
                                description=description)  # fmt: skip
        elif field.type == "file":
            made = FileField(field.label, description=description,
                             render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})  # fmt: skip
        else:
            made = StringField(field.label, required + [Length(max=TEXT_LIMITS["text"])],
                               description=description)  # fmt: skip
        setattr(ApplicationForm, field.code, made)
    form = ApplicationForm(formdata=formdata) if formdata is not None else ApplicationForm()
    form.category.data = policy.code
    return form


class AnswerForm(Form):
    answer = TextAreaField(_l("Your answer"), validators=[Length(max=REASON_LIMIT)])
    proof = FileField(_l("A file, if one was asked for (PDF, JPEG or PNG, at most 5 MB)"),
                      render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})  # fmt: skip
    submit = SubmitField(_l("Send the answer"))


class WithdrawForm(Form):
    submit = SubmitField(_l("Withdraw the application"))


class ApproveForm(Form):
    category = SelectField(_l("Category to grant"), choices=membership_choices)
    reason = TextAreaField(
        _l("Reason (needed when the category differs from the one applied for)"),
        validators=[Length(max=REASON_LIMIT)],
    )
    keep_claimed_number = BooleanField(_l("Keep the number the applicant held before"))
    started_on = DateField(_l("Membership starts on"), validators=[Optional()])
    submit = SubmitField(_l("Approve"))


class RequestInfoForm(Form):
    message = TextAreaField(
        _l("What the applicant should send"),
        validators=[DataRequired(), Length(max=REASON_LIMIT)],
    )
    submit = SubmitField(_l("Ask for more information"))


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason for the refusal (the applicant reads it)"),
        validators=[DataRequired(), Length(max=REASON_LIMIT)],
    )
    submit = SubmitField(_l("Reject"))


class GrantForm(Form):
    email = EmailField(
        _l("E-mail address of the person"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    category = SelectField(_l("Category"), choices=membership_choices, default="life")
    reason = TextAreaField(
        _l("Reason for the grant"), validators=[DataRequired(), Length(max=REASON_LIMIT)]
    )
    started_on = DateField(_l("Membership starts on"), validators=[Optional()])
    number = StringField(
        _l("Existing membership number (leave empty for a new one)"),
        validators=[Optional(), Length(max=40)],
    )
    organisation_name = StringField(
        _l("Organisation (corporate only)"), validators=[Optional(), Length(max=200)]
    )
    seats = IntegerField(
        _l("Seats (corporate only)"), validators=[Optional(), NumberRange(1, MAX_SEATS)]
    )
    submit = SubmitField(_l("Grant the membership"))


class RenewalForm(Form):
    renewed_on = DateField(_l("Paid on"), validators=[InputRequired()])
    amount = PointsField(_l("Amount paid (KES)"), validators=[InputRequired()])
    reference = StringField(
        _l("Receipt number or M-Pesa reference"),
        validators=[DataRequired(), Length(min=3, max=60)],
    )
    submit = SubmitField(_l("Record the renewal"))


class CategoryForm(Form):
    category = SelectField(_l("New category"), choices=membership_choices)
    reason = TextAreaField(
        _l("Reason for the change"), validators=[DataRequired(), Length(max=REASON_LIMIT)]
    )
    submit = SubmitField(_l("Change the category"))
