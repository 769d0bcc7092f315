"""The open attempt's knowledge-check form as a module page shows it before anything is submitted,
written from the attempt's questions without building a WTForms form.

A module page is mostly read again and again with the same open attempt; building the form (a
field per question, a bound field per option) and rendering it through WTForms' widgets was about
a third of the page's time. This writes the same bytes as templates/learning/_quiz_fields.html
with a fresh `quiz_form_class` form (no answers, no errors); tests/learning/test_quiz_markup.py
compares the two on every knowledge check of content/ and of the tests, in both languages. A
submission with errors is still rendered by WTForms (views.submit_quiz).

Texts are escaped as Jinja and WTForms escape them; translated labels are inserted as they are,
as WTForms does with lazy strings (which count as safe markup) and as the templates' `_` does.
"""

from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from wired4ex import pagecache
from wired4ex.learning.forms import question_fields


class QuizView:
    """The knowledge-check part of a module page: a submitted attempt's review, the open
    attempt's form, or why no attempt is open (the allowance).

    The open attempt's form is either a WTForms form (`form`: a submission shown again with its
    answers and errors) or, before anything is submitted, its answer sheet (`token`), the form
    then being written by `fresh_quiz_html`."""

    def __init__(self, review=None, form=None, questions=(), allowance=None, token=None,
                 version_id=None):  # fmt: skip
        self.review = review
        self.form = form
        self.questions = list(questions)
        self.allowance = allowance
        self.token = token
        self.version_id = version_id  # the module version the questions are of

    @property
    def open(self) -> bool:
        """Whether the page shows the open attempt's form."""
        return self.form is not None or self.token is not None

    @property
    def fields(self):
        return question_fields(self.form, self.questions) if self.form else []

    def fresh_html(self) -> Markup:
        return fresh_quiz_html(self.questions, self.token, self.version_id)


# The whitespace the template's lines and tags leave around the parts of the form.
_AFTER_HIDDEN = "\n    \n    \n    \n    "
_QUESTION = "\n    \n    {}\n    "
_BEFORE_SUBMIT = "\n    "


def _hidden(name: str, value: str) -> str:
    return f'<input id="{name}" name="{name}" type="hidden" value="{escape(value)}">'


def _typed(question: dict, number: int) -> str:
    qid = escape(question["id"])
    if question.get("type") == "number":
        hint = _("Type a number.")
        attributes = (
            f'aria-describedby="{qid}-hint" class="quiz-typed" id="{qid}" inputmode="decimal"'
        )
    else:
        hint = _("Type a short answer.")
        attributes = (
            f'aria-describedby="{qid}-hint" autocomplete="off" class="quiz-typed" id="{qid}"'
        )
    return (
        '\n    <div class="quiz-question field">\n'
        f'      <label for="{qid}">{number}. {escape(question["text"])}</label>\n'
        f'      <span class="hint" id="{qid}-hint">{hint}</span>\n'
        f'      <input {attributes} maxlength="200" name="{qid}" required type="text" value="">\n'
        "      \n    </div>\n    "
    )


def _choices(question: dict) -> list[tuple[str, str]]:
    """(value, label HTML) of each option, as quiz_form_class gives them to WTForms."""
    if question.get("type") == "truefalse":
        return [("true", _("True")), ("false", _("False"))]
    return [(option["id"], escape(option["text"])) for option in question["options"]]


def _choice(question: dict, number: int) -> str:
    qid = escape(question["id"])
    multiple = question.get("type", "choice") == "choice" and question["multiple"]
    kind = "checkbox" if multiple else "radio"
    text = question["text"]
    legend = f"{number}. {escape(text)}"
    if question.get("multiple") and not text.endswith(")"):
        legend += f' <span class="muted">({_("choose all that apply")})</span>'
    options = "".join(
        f'\n      <div class="option"><input id="{qid}-{index}" name="{qid}" required '
        f'type="{kind}" value="{escape(value)}"> <label for="{qid}-{index}">{label}</label></div>'
        "\n      "
        for index, (value, label) in enumerate(_choices(question))
    )
    return (
        f'\n    <fieldset id="{qid}">\n      <legend>{legend}</legend>\n      {options}'
        "\n      \n    </fieldset>\n    "
    )


def _questions_html(questions: list[dict]) -> str:
    parts = [_AFTER_HIDDEN]
    for number, question in enumerate(questions, start=1):
        typed = question.get("type") in ("number", "text")
        parts.append(_QUESTION.format((_typed if typed else _choice)(question, number)))
    parts.append(_BEFORE_SUBMIT)
    parts.append(f'<input class="button" id="submit" name="submit" type="submit" '
                 f'value="{_("Submit answers")}">')  # fmt: skip
    return "".join(parts)


def _cached_questions_html(questions: list[dict], version_id: int | None) -> str:
    """The questions' HTML, kept per content version, language, module version and the order of
    questions and options (different attempts order them differently) in the page parts'
    store (wired4ex/pagecache.py)."""
    if version_id is None:
        return _questions_html(questions)
    order = tuple((q["id"], tuple(o["id"] for o in q.get("options", ()))) for q in questions)
    return pagecache.part("quiz-questions", (version_id, order), lambda: _questions_html(questions))


def fresh_quiz_html(questions: list[dict], token: str, version_id: int | None = None) -> Markup:
    """The form's inside (hidden fields, questions, submit button) for an attempt's questions in
    the attempt's order; `token` is its answer sheet (services.issue_answer_sheet). With the id of
    the module version the questions are of, the questions' part is kept per content version and
    language and reused (the hidden fields, the member's own, are written for each request)."""
    hidden = f"{_hidden('token', token)}\n{_hidden('csrf_token', generate_csrf())}"
    return Markup(hidden + _cached_questions_html(questions, version_id))
