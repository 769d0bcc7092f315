"""Learning forms: enrolment buttons, the knowledge check, marking a module done."""

from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import ListWidget

from wired4ex.forms import CheckboxInput, Form, RadioInput, TextInput, html_params


class EnrolForm(Form):
    submit = SubmitField(_l("Enrol in this course"))


class UnenrolForm(Form):
    submit = SubmitField(_l("Leave this course"))


class MarkDoneForm(Form):
    submit = SubmitField(_l("Mark this module as done"))


class FreshButtonForm:
    """A form of one submit button (MarkDoneForm) as a page shows it before it is submitted:
    the same markup as the FlaskForm's `hidden_tag()` and `submit(...)`, without building one
    on every page (tests/learning/test_quiz_markup.py compares them)."""

    def __init__(self, form_class: type[Form]):
        self.label = form_class.submit.args[0]

    def hidden_tag(self) -> Markup:
        return Markup(f'<input id="csrf_token" name="csrf_token" type="hidden" '
                      f'value="{escape(generate_csrf())}">')  # fmt: skip

    def submit(self, **attributes) -> Markup:
        params = html_params(id="submit", name="submit", type="submit", value=self.label,
                             **attributes)  # fmt: skip
        return Markup(f"<input {params}>")


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
