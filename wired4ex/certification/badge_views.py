"""Open Badges pages: signed credentials, the issuer profile, programme (achievement) pages, the
revocation status list and the public key. All public, like the verify page."""

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from wired4ex import signing
from wired4ex.catalog.services import get_courses_by_key, list_competency_domains
from wired4ex.certification import badges, bp, services
from wired4ex.certification.eligibility import load_programmes
from wired4ex.certification.models import Certificate
from wired4ex.certification.verify import verify_bp
from wired4ex.cpd.verifiable import format_code
from wired4ex.dbtypes import utcnow
from wired4ex.errors import render_error
from wired4ex.extensions import db
from wired4ex.i18n import canonical
from wired4ex.urls import public_url

VC_JWT = "application/vc+jwt"


def badge_urls() -> badges.BadgeUrls:
    """The public addresses credentials refer to, absolute."""
    programme = public_url("certification.programme", code="CODE")
    return badges.BadgeUrls(
        issuer=public_url("certification.issuer"),
        home=public_url("catalog.index"),
        jwks=public_url("verify.jwks"),
        status_list=public_url("certification.status_list"),
        framework=public_url("catalog.competencies"),
        programmes=programme.removesuffix("CODE"),
    )


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (Accept: application/json or ld+json)."""
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/ld+json"]
    )
    return best in ("application/json", "application/ld+json")


def _signing_unavailable():
    current_app.logger.error(
        "No signing key at %s: credentials cannot be signed", signing.key_path()
    )
    body, status = render_error(
        503,
        _("Credentials cannot be signed just now because the association's signing key is not "
          "installed. The certificate itself can still be checked on its verification page."),
    )  # fmt: skip
    return body, status, {"Retry-After": "3600"}


def _jwt_response(token: str, filename: str | None = None):
    response = make_response(token)
    response.headers["Content-Type"] = VC_JWT
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/badges/<code>.jwt")
def badge(code: str):
    """The certificate as an Open Badges 3.0 credential, signed (VC-JWT); ?download=1 saves it."""
    found = services.find_certificate(code)
    if found is None:
        abort(404)
    urls = badge_urls()
    domain_names = {domain.code: domain.label for domain in list_competency_domains()}
    document = badges.credential(
        found,
        credential_url=public_url("certification.badge", code=found.code),
        verify_url=public_url("verify.verify", code=format_code(found.code)),
        urls=urls,
        domain_names=domain_names,
    )
    try:
        token = badges.signed_credential(document, urls.jwks)
    except signing.SigningKeyMissing:
        return _signing_unavailable()
    download = request.args.get("download") == "1"
    return _jwt_response(token, f"open-badge-{found.code}.jwt" if download else None)


@bp.get("/badges/<code>.json")
def badge_json(code: str):
    """The earlier address of a certificate's Open Badge: now the signed credential."""
    return redirect(url_for("certification.badge", code=code), 308)


@bp.get("/status/revocation")
def status_list():
    """The revocation list of every certificate, as a signed Bitstring Status List credential."""
    revoked = db.session.scalars(db.select(Certificate.id).where(Certificate.status == "revoked"))
    try:
        token = badges.signed_status_list(badge_urls(), list(revoked), utcnow())
    except signing.SigningKeyMissing:
        return _signing_unavailable()
    response = _jwt_response(token)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _criteria(programme) -> str:
    titles = {
        key: c.title for key, c in get_courses_by_key(list(programme.required_courses)).items()
    }
    domains = {domain.code: domain.name for domain in list_competency_domains()}
    return programme.criteria_text(titles, domains)


@bp.get("/programmes/<code>")
def programme(code: str):
    """A certification programme: its page, or its Open Badges Achievement in JSON."""
    found = next((p for p in load_programmes() if p.code == code), None)
    if found is None:
        abort(404)
    if wants_json():
        with canonical():  # what a machine reads is in English, as the credentials are
            document = badges.achievement(found.code, found.name, found.level, _criteria(found),
                                          badge_urls())  # fmt: skip
        return {"@context": [badges.VC_CONTEXT, badges.OB_CONTEXT], **document}
    return render_template("certification/programme.html", programme=found,
                           criteria=_criteria(found))  # fmt: skip


@bp.get("/issuer")
def issuer():
    """The association as the issuer of its credentials: its page, or its Profile in JSON."""
    if wants_json():
        return badges.issuer_profile(badge_urls())
    return render_template("certification/issuer.html", programmes=load_programmes())


@verify_bp.get("/.well-known/jwks.json")
def jwks():
    """The public key that verifies the association's signatures."""
    try:
        keys = signing.published_keys(public_url("verify.jwks"))
    except signing.SigningKeyMissing:
        return _signing_unavailable()
    response = make_response({"keys": keys})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
