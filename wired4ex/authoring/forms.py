"""Authoring forms: course details, the module editor, images, review, import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from wired4ex.cpd.forms import MultiCheckboxField, PointsField
from wired4ex.forms import Form
from wired4ex.markup import check_limits

MAX_BODY = 500_000  # characters; a module is a page, not a book
SLUG_RULE = Regexp(
    r"^[a-z0-9][a-z0-9-]{0,79}$", message=_l("Use lower-case letters, digits and dashes.")
)


def renderable_markdown(form, field) -> None:
    """Refuse Markdown over the rendering limits (see wired4ex.markup), with the line to fix."""
    problems = check_limits(field.data or "")
    if problems:
        line, message = problems[0]
        raise ValidationError(_l("Line %(line)s: %(message)s", line=line, message=message))


class CourseForm(Form):
    slug = StringField(
        _l("Course id (part of its address)"), validators=[DataRequired(), SLUG_RULE]
    )
    title = StringField(_l("Course title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary (one or two sentences)"), validators=[DataRequired(), Length(max=1000)]
    )
    language = SelectField(_l("Language"), choices=[("en", "English"), ("sw", "Kiswahili")])
    level = SelectField(
        _l("Level"),
        choices=[
            ("", _l("Not set")),
            ("introductory", _l("Introductory")),
            ("intermediate", _l("Intermediate")),
            ("advanced", _l("Advanced")),
        ],  # fmt: skip
        validators=[Optional()],
    )
    overview = TextAreaField(
        _l("Overview (Markdown)"), validators=[Length(max=MAX_BODY), renderable_markdown]
    )
    submit = SubmitField(_l("Save course"))


class DraftForm(Form):
    title = StringField(_l("Module title"), validators=[Length(max=200)])
    key = StringField(
        _l("Module id (keep it when you rename the module)"), validators=[DataRequired(), SLUG_RULE]
    )
    minutes = IntegerField(
        _l("Learning time in minutes"), validators=[InputRequired(), NumberRange(min=0, max=6000)]
    )
    cpd_points = PointsField(
        _l("CPD points"), places=1, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    cpd_category = SelectField(_l("CPD category"))
    competencies = MultiCheckboxField(_l("Competencies"))
    pass_mark = IntegerField(
        _l("Pass mark (%)"), default=70, validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    objectives = TextAreaField(_l("Objectives (one per line)"), validators=[Length(max=5000)])
    # Knowledge-check settings (front matter; the checker refuses what does not fit the quiz).
    review = SelectField(
        _l("After an attempt, show the right answers"),
        choices=[
            ("after-pass", _l("once the member has passed (recommended)")),
            ("never", _l("never")),
            ("always", _l("always, even after a failed attempt")),
        ],  # fmt: skip
        default="after-pass",
    )
    draw = IntegerField(
        _l("Questions drawn per attempt (empty: all)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
    )
    attempts = IntegerField(
        _l("Attempts allowed (empty: no limit)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    retry_after = StringField(
        _l("After the last attempt, next one opens after (e.g. 30m, 12h, 2d)"),
        validators=[Optional(), Regexp(r"^\d{1,4}\s*[mhdMHD]$",
                                       message=_l("Write a wait such as 30m, 12h or 2d."))],
    )  # fmt: skip
    min_read_minutes = IntegerField(
        _l("Minimum reading time in minutes, without a knowledge check (empty: a quarter of the "
           "learning time, at most 5)"),
        validators=[Optional(), NumberRange(min=0, max=600)],
    )  # fmt: skip
    body = TextAreaField(
        _l("Module text (Markdown)"), validators=[Length(max=MAX_BODY), renderable_markdown]
    )
    image = FileField(_l("Image (PNG or JPEG, up to 2 MB)"))
    upload = SubmitField(_l("Upload image"))
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save draft"))
    submit_review = SubmitField(_l("Submit for review"))


class ImageForm(Form):
    image = FileField(
        _l("Image (PNG or JPEG, up to 2 MB)"),
        validators=[DataRequired(message=_l("Choose an image."))],
    )
    upload = SubmitField(_l("Upload image"))


class ReviewForm(Form):
    comment = TextAreaField(_l("Comments for the author"), validators=[Length(max=5000)])
    approve = SubmitField(_l("Approve and publish"))
    send_back = SubmitField(_l("Return to the author"))


class ImportForm(Form):
    archive = FileField(_l("Course archive (.zip in the content/ folder format)"),
                        validators=[DataRequired(message=_l("Choose a zip file."))])  # fmt: skip
    submit = SubmitField(_l("Import course"))


class ButtonForm(Form):
    """A bare form for one-button actions (CSRF only)."""

    submit = SubmitField(_l("Confirm"))
