"""Learning forms: enrolment buttons, the knowledge check, marking a module done."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import ListWidget

from wired4ex.forms import CheckboxInput, Form, RadioInput, TextInput


class EnrolForm(Form):
    submit = SubmitField(_l("Enrol in this course"))


class UnenrolForm(Form):
    submit = SubmitField(_l("Leave this course"))


class MarkDoneForm(Form):
    submit = SubmitField(_l("Mark this module as done"))


class MultiCheckboxField(SelectMultipleField):
    """Several options as checkboxes (choose all that apply)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuizFormBase(Form):
    token = HiddenField()
    submit = SubmitField(_l("Submit answers"))


TRUE_FALSE = [("true", _l("True")), ("false", _l("False"))]


def quiz_form_class(quiz: list[dict]) -> type[QuizFormBase]:
    """A form with one field per question of an attempt, in the attempt's order: radio buttons,
    checkboxes for choose-all questions, True/False, or a text box for numbers and short answers.

    Only option ids and texts go into the form: which options are right never reaches the page.
    """
    fields = {}
    required = InputRequired(message=_l("Answer this question."))
    for question in quiz:
        kind = question.get("type", "choice")
        if kind == "truefalse":
            field = RadioField(question["text"], choices=TRUE_FALSE, validators=[required],
                               option_widget=RadioInput())  # fmt: skip
        elif kind in ("number", "text"):
            hint = {"inputmode": "decimal"} if kind == "number" else {"autocomplete": "off"}
            field = StringField(question["text"], validators=[required, Length(max=200)],
                                render_kw={**hint, "maxlength": 200}, widget=TextInput())  # fmt: skip
        else:
            field_class = MultiCheckboxField if question["multiple"] else RadioField
            field = field_class(
                question["text"],
                choices=[(option["id"], option["text"]) for option in question["options"]],
                validators=[required],
                option_widget=CheckboxInput() if question["multiple"] else RadioInput(),
            )
        fields[question["id"]] = field
    return type("QuizForm", (QuizFormBase,), fields)


def question_fields(form: QuizFormBase, quiz: list[dict]):
    """The form's question fields in the attempt's order, with their questions."""
    return [(question, form[question["id"]]) for question in quiz]
