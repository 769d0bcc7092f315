"""The faster form widgets of wired4ex/forms.py write exactly what WTForms' own write."""

import pytest
from flask_babel import lazy_gettext
from markupsafe import Markup
from wtforms import Form, RadioField, SelectField, StringField, widgets

from wired4ex import forms

ATTRIBUTES = [
    {},
    {"id": "q1", "name": "q1", "checked": True, "disabled": False},
    {"class_": "quiz-typed", "aria_describedby": 'a "b" <c> & d', "aria_invalid": False},
    {"data_x_y": "1", "for_": "x", "value": 0, "maxlength": 200, "inputmode": "decimal"},
    {"value": None, "title": Markup('<b>safe</b> "quoted"'), "placeholder": "it's"},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_html_params_as_wtforms(attributes):
    assert forms.html_params(**attributes) == widgets.html_params(**attributes)
    assert isinstance(forms.html_params(**attributes), Markup)


CHOICES = [("a", "Plain & <b>"), ("b", Markup("<em>Marked</em>")), ("", "Empty value"),
           ("c", lazy_gettext("Title")), (True, "Yes")]  # fmt: skip


def _form(fast: bool):
    class Sample(Form):
        pick = SelectField("Pick", choices=CHOICES, widget=forms.Select() if fast else None)
        radio = RadioField("Radio", choices=CHOICES,
                           option_widget=forms.RadioInput() if fast else None)  # fmt: skip
        text = StringField("Text", widget=forms.TextInput() if fast else widgets.TextInput())

    return Sample(data={"pick": "b", "radio": "a", "text": 'x "y" <z>'})


def test_widgets_as_wtforms(app):
    with app.test_request_context():
        fast, plain = _form(True), _form(False)
        assert fast.pick() == plain.pick()
        assert fast.pick(class_="wide") == plain.pick(class_="wide")
        assert [str(o()) for o in fast.radio] == [str(o()) for o in plain.radio]
        assert fast.text(maxlength=200, aria_invalid=False) == plain.text(
            maxlength=200, aria_invalid=False
        )
        assert "selected" in fast.pick() and "checked" in str(list(fast.radio)[0]())
