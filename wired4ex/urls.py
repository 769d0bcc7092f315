"""Absolute links that leave the request (mails, PDFs, QR codes, credentials) built from
PUBLIC_BASE_URL, never from the Host header a client sent."""

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute address of an endpoint at PUBLIC_BASE_URL; works inside and outside requests.

    `endpoint` is the full name ("verify.verify"); the request's host, scheme and script root are
    never read, so a forged Host header cannot end up in a link that a person later follows.
    """
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def base_host(base_url: str) -> str | None:
    """The host name of a base URL ("cpd.hesma.example"), or None when it has none."""
    return urlsplit(base_url).hostname
