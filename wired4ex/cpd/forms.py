"""CPD forms: claims, decisions, adjustments, audit samples, cycle choice."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from wired4ex.fields import (
    NUMBER_MESSAGE,
    BoundedDateField,
    PointsField,
    latest_period_date,
)
from wired4ex.forms import Form


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClaimForm(Form):
    title = StringField(_l("Activity title"), validators=[DataRequired(), Length(max=200)])
    provider = StringField(
        _l("Provider or organiser"), validators=[DataRequired(), Length(max=200)]
    )
    category = SelectField(_l("CPD category"), validators=[DataRequired()])
    start_date = BoundedDateField(
        _l("Start date"), validators=[InputRequired(message=_l("Enter a date."))]
    )
    end_date = BoundedDateField(
        _l("End date"), validators=[InputRequired(message=_l("Enter a date."))]
    )
    hours = PointsField(
        _l("Hours of learning"),
        places=1,
        validators=[InputRequired(message=NUMBER_MESSAGE), NumberRange(min=0, max=2000)],
    )
    points_claimed = PointsField(
        _l("Points claimed"),
        places=1,
        validators=[InputRequired(message=NUMBER_MESSAGE), NumberRange(min=0, max=1000)],
    )
    reflection = TextAreaField(
        _l("Reflection: what changed in your practice?"),
        validators=[DataRequired(), Length(min=20, max=5000)],
    )
    competencies = MultiCheckboxField(_l("Competencies addressed"), validate_choice=True)
    evidence = FileField(_l("Evidence (PDF, JPEG or PNG, up to 5 MB)"))
    save_draft = SubmitField(_l("Save as draft"))
    submit_claim = SubmitField(_l("Submit for verification"))


class WithdrawForm(Form):
    submit = SubmitField(_l("Withdraw this claim"))


class QueueFilterForm(Form):
    """The claim queue's filters, sent by GET: no CSRF token; a bad value is ignored and said."""

    class Meta:
        csrf = False

    category = SelectField(_l("CPD category"), choices=[], validators=[Optional()])
    age = SelectField(
        _l("Waiting"),
        choices=[
            ("", _l("Any time")),
            ("7", _l("More than 7 days")),
            ("14", _l("More than 14 days")),
            ("30", _l("More than 30 days")),
        ],
        validators=[Optional()],
    )


class DecisionForm(Form):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[InputRequired(message=_l("Choose approve or reject."))],
    )
    points_approved = PointsField(
        _l("Points approved"),
        places=1,
        validators=[Optional(), NumberRange(min=0, max=1000)],
    )
    reason = TextAreaField(
        _l("Reason (required to reject or to approve fewer points)"),
        validators=[Length(max=2000)],
    )
    # The claim's version the reviewer saw: a decision on another version is refused.
    version = HiddenField()
    submit = SubmitField(_l("Record decision"))


class InfoRequestForm(Form):
    """The reviewer's question to the member (the claim goes back to them until they answer)."""

    question = TextAreaField(
        _l("Your question to the member"),
        description=_l("Say exactly what is missing or unclear; the member reads this as written."),
        validators=[
            DataRequired(message=_l("Write the question the member should answer.")),
            Length(max=2000),
        ],
    )
    version = HiddenField()
    submit = SubmitField(_l("Ask the member"))


class InfoReplyForm(Form):
    """The member's answer to the secretariat's question, with new evidence if they have it."""

    reply = TextAreaField(
        _l("Your answer"),
        validators=[
            DataRequired(message=_l("Write your answer to the secretariat's question.")),
            Length(max=5000),
        ],
    )
    evidence = FileField(
        _l("New evidence (optional)"),
        description=_l("PDF, JPEG or PNG, up to 5 MB. It replaces the evidence attached now."),
    )
    version = HiddenField()
    submit = SubmitField(_l("Send answer and resubmit"))


class AdjustmentForm(Form):
    points = PointsField(
        _l("Points (negative to deduct)"),
        places=1,
        validators=[InputRequired(message=NUMBER_MESSAGE), NumberRange(min=-100, max=100)],
    )
    category = SelectField(_l("CPD category"), validators=[DataRequired()])
    activity_date = BoundedDateField(
        _l("Date it counts on"), validators=[InputRequired(message=_l("Enter a date."))]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Add adjustment"))


class AuditSampleForm(Form):
    cycle = SelectField(_l("Cycle"), coerce=int)
    percentage = IntegerField(
        _l("Percentage of members with claims"),
        default=10,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    submit = SubmitField(_l("Draw sample"))


class AuditOutcomeForm(Form):
    outcome = RadioField(
        _l("Audit outcome"),
        choices=[("passed", _l("Passed")), ("failed", _l("Failed"))],
        validators=[InputRequired(message=_l("Choose passed or failed."))],
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record outcome"))


class MemberSearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Name, e-mail or membership number"), validators=[Length(max=100)])
    submit = SubmitField(_l("Search"), name="")


class StatementForm(Form):
    """Issue a statement (a POST with CSRF): for a cycle (hidden), or for any dates."""

    cycle = IntegerField(widget=HiddenInput(), validators=[Optional()])
    start = BoundedDateField(_l("From"), validators=[Optional()], latest=latest_period_date)
    end = BoundedDateField(_l("To"), validators=[Optional()], latest=latest_period_date)


class RevokeForm(Form):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke statement"))
