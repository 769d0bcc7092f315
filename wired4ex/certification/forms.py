"""Certification forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from wired4ex.forms import Form


class ApplicationForm(Form):
    statement = TextAreaField(
        _l("Your statement: why you are applying and how you meet the standard"),
        validators=[DataRequired(), Length(min=20, max=4000)],
    )
    cv = FileField(_l("CV (optional, PDF, up to 5 MB)"))
    submit = SubmitField(_l("Submit application"))


class ApplicationDecisionForm(Form):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve and issue the certificate")), ("reject", _l("Reject"))],
        validators=[InputRequired(message=_l("Choose approve or reject."))],
    )
    reason = TextAreaField(_l("Reason (required to reject)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record decision"))


class RevokeCertificateForm(Form):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke certificate"))


class VerifyDocumentForm(Form):
    document = FileField(_l("CPD statement (PDF, up to 5 MB)"))
    submit = SubmitField(_l("Check the file"))
