"""Learning forms: enrolment buttons, the knowledge check, marking a module done."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from wired4ex.forms import Form


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


def quiz_form_class(quiz: list[dict]) -> type[QuizFormBase]:
    """A form with one field per question: radio buttons, or checkboxes for choose-all ones.

    Only option ids and texts go into the form: which options are right never reaches the page.
    """
    fields = {}
    for question in quiz:
        field_class = MultiCheckboxField if question["multiple"] else RadioField
        fields[question["id"]] = field_class(
            question["text"],
            choices=[(option["id"], option["text"]) for option in question["options"]],
            validators=[InputRequired(message=_l("Answer this question."))],
        )
    return type("QuizForm", (QuizFormBase,), fields)


def question_fields(form: QuizFormBase, quiz: list[dict]):
    """The form's question fields in quiz order, with their questions."""
    return [(question, form[question["id"]]) for question in quiz]
