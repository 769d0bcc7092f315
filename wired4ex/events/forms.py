"""Event forms: events, sessions, check-in, attendance, organisers, evaluation."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from wired4ex.cpd.forms import NUMBER_MESSAGE, MultiCheckboxField, PointsField
from wired4ex.forms import Form

DATE_MESSAGE = _l("Enter a date.")
TIME_MESSAGE = _l("Enter a time, for example 09:30.")
WHOLE_NUMBER = _l("Enter a whole number.")


class WholeNumberField(IntegerField):
    """An integer with a plain message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(WHOLE_NUMBER) from error


class ClockField(TimeField):
    """A time of day, with a plain message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(TIME_MESSAGE) from error


class EventForm(Form):
    title = StringField(_l("Event title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    organiser_name = StringField(_l("Organiser"), validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    online = BooleanField(_l("Online event"))
    start_date = DateField(_l("First day"), validators=[InputRequired(message=DATE_MESSAGE)])
    end_date = DateField(_l("Last day"), validators=[InputRequired(message=DATE_MESSAGE)])
    capacity = WholeNumberField(
        _l("Places (leave empty for no limit)"),
        validators=[Optional(), NumberRange(min=1, max=100000)],
    )
    evaluation = BooleanField(_l("Ask attendees for a short evaluation"))
    institution = SelectField(_l("Partner institution"), coerce=int, default=0)
    external = BooleanField(_l("A partner's event, accredited by the secretariat"))
    submit = SubmitField(_l("Save event"))


class SessionForm(Form):
    title = StringField(_l("Session title"), validators=[DataRequired(), Length(max=200)])
    day = DateField(_l("Day"), validators=[InputRequired(message=DATE_MESSAGE)])
    start_time = ClockField(_l("Starts at"), validators=[InputRequired(message=TIME_MESSAGE)])
    end_time = ClockField(_l("Ends at"), validators=[InputRequired(message=TIME_MESSAGE)])
    points = PointsField(
        _l("CPD points"),
        places=1,
        validators=[InputRequired(message=NUMBER_MESSAGE), NumberRange(min=0, max=1000)],
    )
    category = SelectField(_l("CPD category"), validators=[DataRequired()])
    competencies = MultiCheckboxField(_l("Competencies addressed"), validate_choice=True)
    code_period = WholeNumberField(
        _l("Seconds each attendance code is shown"),
        validators=[InputRequired(message=WHOLE_NUMBER), NumberRange(min=15, max=600)],
    )
    window_before = WholeNumberField(
        _l("Check-in opens this many minutes before the start"),
        default=15,
        validators=[InputRequired(message=WHOLE_NUMBER), NumberRange(min=0, max=240)],
    )
    window_after = WholeNumberField(
        _l("Check-in closes this many minutes after the end"),
        default=30,
        validators=[InputRequired(message=WHOLE_NUMBER), NumberRange(min=0, max=240)],
    )
    submit = SubmitField(_l("Save session"))


class CheckinForm(Form):
    code = StringField(
        _l("Attendance code"),
        validators=[DataRequired(message=_l("Type the code shown on the screen.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    # When the code was typed, if the phone kept it while offline (ISO 8601, UTC).
    typed_at = HiddenField()
    submit = SubmitField(_l("Check in"))


class ButtonForm(Form):
    """A form that is only a button (register, cancel): CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))


class MarkForm(Form):
    member_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Mark present"))


class UndoForm(Form):
    member_id = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Undo check-in"))


class OrganiserForm(Form):
    email = StringField(_l("E-mail address of the account"),
                        validators=[DataRequired(), Length(max=254)])  # fmt: skip
    role = SelectField(
        _l("Role at this event"),
        choices=[("checkin", _l("Check-in only (a partner's organiser)")),
                 ("organiser", _l("Organiser"))],
    )  # fmt: skip
    submit = SubmitField(_l("Give this role"))


RATINGS = [(str(n), str(n)) for n in range(1, 6)]


class EvaluationForm(Form):
    relevance = RadioField(
        _l("How relevant was the event to your work? (1 = not at all, 5 = very)"),
        choices=RATINGS,
        validators=[InputRequired(message=_l("Choose a number from 1 to 5."))],
    )
    quality = RadioField(
        _l("How good were the sessions? (1 = poor, 5 = excellent)"),
        choices=RATINGS,
        validators=[InputRequired(message=_l("Choose a number from 1 to 5."))],
    )
    will_apply = RadioField(
        _l("Will you change something in your practice because of it?"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validators=[InputRequired(message=_l("Choose yes or no."))],
    )
    comment = TextAreaField(_l("Comments (optional)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Send evaluation"))
