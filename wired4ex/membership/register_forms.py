"""Forms of the register and renewal imports and of the corporate seats."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Length

from wired4ex.forms import Form


class RegisterUploadForm(Form):
    csv_file = FileField(_l("CSV file of the register (UTF-8, up to 5 MB)"))
    submit = SubmitField(_l("Check the file"))


class RenewalUploadForm(Form):
    csv_file = FileField(_l("CSV file of renewals (UTF-8, up to 5 MB)"))
    submit = SubmitField(_l("Check the file"))


class SeatInviteForm(Form):
    email = EmailField(
        _l("Staff member's e-mail address"), validators=[DataRequired(), Length(max=254)]
    )
    submit = SubmitField(_l("Send the invitation"))
