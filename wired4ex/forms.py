"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.")
translated through the application's catalogue, since WTForms ships no Swahili."""

from functools import lru_cache

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import Choice


class _CatalogueTranslations:
    """What WTForms asks of a translations object, answered from the app's catalogue. WTForms
    fills in the placeholders itself, so the text is returned as it is in the catalogue."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogueTranslations()


def html_params(**kwargs) -> Markup:
    """WTForms' `html_params` (the same attributes, sorted, escaped, the same output) without a
    Markup format per attribute: a knowledge check renders some fifty inputs and labels."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = widgets.core.clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


class RadioInput(widgets.RadioInput):
    html_params = staticmethod(html_params)


class CheckboxInput(widgets.CheckboxInput):
    html_params = staticmethod(html_params)


class TextInput(widgets.TextInput):
    html_params = staticmethod(html_params)


class Select(widgets.Select):
    """WTForms' select, each option's HTML made once per (value, label, selected) and reused:
    the catalogue's filters render some forty options per page."""

    @classmethod
    def _dispatch_render_option(cls):
        return _render_option


def _render_option(choice) -> Markup:
    if choice.render_kw:
        return widgets.Select.render_option(choice)
    label = choice.label or choice.value
    safe = hasattr(label, "__html__")  # Markup and lazy strings are not escaped again
    text = label.__html__() if safe else str(label)
    return _option_html(choice.value, type(choice.value), text, safe, bool(choice.selected))


@lru_cache(maxsize=4096)
def _option_html(value, kind: type, text: str, safe: bool, selected: bool) -> Markup:
    label = Markup(text) if safe else text
    return widgets.Select.render_option(Choice(value, label, selected, None))


# WTForms' built-in messages, listed so that `make messages` puts them in the catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
)
