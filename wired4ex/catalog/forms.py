"""Catalogue forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField, SubmitField
from wtforms.validators import Length, Optional

from wired4ex.forms import Form, Select

LANGUAGE_NAMES = {"en": "English", "sw": "Kiswahili"}


class CatalogFilterForm(Form):
    """The catalogue's filters, sent by GET so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search courses"), validators=[Optional(), Length(max=200)])
    sort = SelectField(
        _l("Sort by"),
        choices=[("relevance", _l("Best match")), ("title", _l("Title")),
                 ("newest", _l("Newest")), ("points", _l("CPD points"))],
        default="relevance",
        validate_choice=False,
        widget=Select(),
    )  # fmt: skip
    institution = SelectField(_l("Institution"), validate_choice=False, widget=Select())
    competency = SelectField(_l("Competency"), validate_choice=False, widget=Select())
    language = SelectField(_l("Language"), validate_choice=False, widget=Select())
    submit = SubmitField(_l("Filter courses"), name="")

    def set_choices(self, institutions, domains) -> None:
        """Fill the options from the database."""
        self.institution.choices = [("", _l("All institutions"))] + [
            (i.slug, i.name) for i in institutions
        ]
        # A dict makes option groups (one per domain); the empty group holds "all".
        self.competency.choices = {"": [("", _l("All competencies"))]} | {
            domain.label: [(c.code, f"{c.code} {c.label}") for c in domain.competencies]
            for domain in domains
        }
        self.language.choices = [("", _l("All languages"))] + list(LANGUAGE_NAMES.items())
