"""A queued mail made into an e-mail: subject, plain text and HTML (the site's look, CSS inlined),
in the recipient's language, every link built from PUBLIC_BASE_URL."""

import re
from email.message import EmailMessage
from hashlib import sha256

import css_inline
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

from wired4ex.notifications import content
from wired4ex.notifications.kinds import KINDS
from wired4ex.notifications.models import MailMessage
from wired4ex.notifications.tokens import unsubscribe_token
from wired4ex.urls import base_host, public_url

URL = re.compile(r"https?://[^\s<>\"]+")


def html_paragraphs(text: str) -> list[Markup]:
    """The plain text's paragraphs as HTML, its addresses as links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = str(escape(block.strip()))
        linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append(Markup(linked.replace("\n", "<br>\n")))
    return paragraphs


def build(message: MailMessage) -> EmailMessage:
    """The e-mail for a queued mail (raises NothingToSend when its subject is gone)."""
    kind = KINDS.get(message.kind)
    with force_locale(message.language or "en"):
        if kind is None:  # wired4ex.mail.send_mail's free text
            subject, text = message.params.get("subject", ""), message.params.get("body", "")
        else:
            subject, context = content.context_for(message)
            text = render_template(kind.template, **context)
        unsubscribe = None
        if kind is not None and not kind.required and message.user_id is not None:
            unsubscribe = public_url(
                "notifications.unsubscribe",
                token=unsubscribe_token(message.user_id, preference_kind(kind.code)),
            )
        html = render_template(
            "notifications/email/layout.html",
            subject=subject,
            paragraphs=html_paragraphs(text),
            unsubscribe=unsubscribe,
            preferences=public_url("notifications.preferences"),
        )
    if unsubscribe:
        text += "\n\n" + _unsubscribe_line(message.language, unsubscribe)
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = subject
    digest = sha256(message.idempotency_key.encode()).hexdigest()[:24]
    host = base_host(current_app.config["PUBLIC_BASE_URL"]) or "wired4ex.invalid"
    email["Message-ID"] = f"<{digest}.{message.id}@{host}>"
    email["X-Wired4EX-Kind"] = message.kind
    if unsubscribe:
        # RFC 8058: one click (a POST from the mail program) unsubscribes without signing in.
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(text)
    email.add_alternative(inline(html), subtype="html")
    message.subject = str(subject)[:300]
    return email


def _unsubscribe_line(language: str, link: str) -> str:
    from flask_babel import gettext as _

    with force_locale(language or "en"):
        return _("To stop these e-mails: %(link)s", link=link)


def inline(html: str) -> str:
    """The page's <style> moved into style attributes, as mail programs need."""
    return css_inline.inline(html)


def preference_kind(code: str) -> str:
    """The preference a mail's unsubscribe link changes (the digest follows 'admin_waiting')."""
    return "admin_waiting" if code == "admin_digest" else code
