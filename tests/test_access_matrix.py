"""The access-control matrix: every route of the app, requested by every kind of caller.

Each rule in `app.url_map` is requested with real objects in its URL (member A's claim, enrolment,
statement, certificate, application and API token; a draft of a course of institution X, ...) as:

  anonymous      nobody signed in (and, for /api/v1, no token)
  member         member A, who owns the member objects in the URL
  other_member   member B, asking for A's objects
  other_faculty  faculty of institution Y, which owns nothing in the URL
  own_faculty    faculty of institution X, which owns the course and the draft in the URL
  admin          the secretariat

The status of each (rule, method, role) is compared with EXPECTED below. A redirect to the login
page is written LOGIN. POSTs are sent without a CSRF token (CSRF is switched off for this app),
so what is measured is access control, not the CSRF check; a POST that a role may not make must be
refused and must change nothing in the database. A route without an entry in EXPECTED, or an
entry for a route that no longer exists, fails the test: new routes cannot be forgotten.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage

from tests.conftest import PASSWORD, _snapshot
from wired4ex.auth.services import make_password_reset_token
from wired4ex.auth.tokens import create_token
from wired4ex.authoring import folders
from wired4ex.authoring import services as authoring
from wired4ex.authoring.images import add_image
from wired4ex.catalog.models import Institution
from wired4ex.catalog.quiz import right_answer_values
from wired4ex.catalog.services import get_course
from wired4ex.certification.models import Application, Certificate
from wired4ex.cpd import evidence
from wired4ex.cpd import services as cpd
from wired4ex.cpd.models import AuditSample, AuditSampleMember
from wired4ex.cpd.policy import load_policy
from wired4ex.cpd.snapshots import Period
from wired4ex.cpd.statements import issue_statement
from wired4ex.cpd.verifiable import format_code, new_code
from wired4ex.dbtypes import utcnow
from wired4ex.events import checkin as event_checkin
from wired4ex.events import registration as event_registration
from wired4ex.events import services as events
from wired4ex.extensions import db
from wired4ex.learning import services as learning
from wired4ex.membership import corporate as seats
from wired4ex.membership.applications import submit_application
from wired4ex.membership.register_models import MembershipImport
from wired4ex.membership.services import grant_membership
from wired4ex.notifications.models import Notification
from wired4ex.notifications.outbox import notify, queue_mail
from wired4ex.notifications.tokens import unsubscribe_token
from wired4ex.timeutil import association_zone, local_today

LOGIN = "login"  # a redirect to the login page
ROLES = ("anonymous", "member", "other_member", "other_faculty", "own_faculty", "admin")
# Refusals: a request answered so must change nothing in the database.
REFUSED = {LOGIN, 400, 401, 403, 404, 405, 409}
# POSTs that end what other routes of the matrix use: an allowed role sends them last, in this
# order (so that, say, the draft is still there to be edited, and logging out is the very last).
ENDS_SOMETHING = ("membership_admin.request_info", "membership_admin.approve",
                  "membership_admin.reject", "membership.withdraw",
                  "authoring.discard", "authoring.archive", "cpd.withdraw_claim",
                  "learning.unenrol", "auth.revoke_api_token", "admin.account_state",
                  "member_register.leave_seat",
                  "auth.logout")  # fmt: skip

# endpoint: {method: (anonymous, member, other_member, other_faculty, own_faculty, admin)}
# The `static` endpoint is the only one left out: it serves the files of wired4ex/static to
# everyone and takes no objects (see test_every_rule_has_an_expectation).
# fmt: off
EXPECTED: dict[str, dict[str, tuple]] = {
    #                               anonymous member other_m other_f own_f admin
    # -- public pages
    "catalog.index":                {"GET": (200, 200, 200, 200, 200, 200)},
    "catalog.competencies":         {"GET": (200, 200, 200, 200, 200, 200)},
    "catalog.page":                 {"GET": (200, 200, 200, 200, 200, 200)},
    # an image of X's unpublished course: its authors' preview only
    "catalog.media":                {"GET": (404, 404, 404, 404, 200, 200)},
    "learning.course":              {"GET": (200, 200, 200, 200, 200, 200)},
    "verify.verify_form":           {"GET": (200, 200, 200, 200, 200, 200)},
    "verify.verify":                {"GET": (200, 200, 200, 200, 200, 200)},
    "certification.badge":          {"GET": (200, 200, 200, 200, 200, 200)},
    "certification.badge_json":     {"GET": (308, 308, 308, 308, 308, 308)},
    "certification.status_list":    {"GET": (200, 200, 200, 200, 200, 200)},
    "certification.programme":      {"GET": (200, 200, 200, 200, 200, 200)},
    "certification.issuer":         {"GET": (200, 200, 200, 200, 200, 200)},
    "verify.jwks":                  {"GET": (200, 200, 200, 200, 200, 200)},
    # a statement PDF to check by its signature: the matrix sends no file
    "verify.verify_document":       {"POST": (400, 400, 400, 400, 400, 400)},
    # -- accounts (a signed-in caller is sent on from the login and register pages)
    "auth.register":                {"GET": (200, 302, 302, 302, 302, 302),
                                     "POST": (200, 302, 302, 302, 302, 302)},
    "auth.login":                   {"GET": (200, 302, 302, 302, 302, 302),
                                     "POST": (200, 302, 302, 302, 302, 302)},
    "auth.logout":                  {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "auth.check_email":             {"GET": (200, 200, 200, 200, 200, 200)},
    # member A's reset token is no confirmation link: refused, sent to log in
    "auth.confirm_email":           {"GET": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    # everyone in the world is confirmed: the page says so, and nothing is sent
    "auth.confirm_needed":          {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 200, 200, 200, 200, 200)},
    "auth.set_language":            {"POST": (302, 302, 302, 302, 302, 302)},
    "auth.forgot_password":         {"GET": (200, 200, 200, 200, 200, 200),
                                     "POST": (200, 200, 200, 200, 200, 200)},
    # member A's reset link: the token in the URL is the credential
    "auth.reset_password":          {"GET": (200, 200, 200, 200, 200, 200),
                                     "POST": (200, 200, 200, 200, 200, 200)},
    "auth.profile":                 {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 302, 302, 302, 302, 302)},
    "auth.change_password":         {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 200, 200, 200, 200, 200)},
    "auth.api_tokens":              {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 200, 200, 200, 200, 200)},
    # no token is held in this world: the page says so; the button changes nothing
    "auth.keep_api_tokens":         {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 302, 302, 302, 302, 302)},
    # member A's token
    "auth.revoke_api_token":        {"GET": (LOGIN, 200, 404, 404, 404, 404),
                                     "POST": (LOGIN, 302, 404, 404, 404, 404)},
    # -- learning: member A is enrolled; faculty of X and admins may read without enrolling
    "home.dashboard":               {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "learning.module":              {"GET": (LOGIN, 200, 302, 302, 200, 200)},
    "learning.enrol":               {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "learning.unenrol":             {"GET": (LOGIN, 200, 302, 302, 302, 302),
                                     "POST": (LOGIN, 302, 302, 302, 302, 302)},
    "learning.mark_done":           {"POST": (LOGIN, 303, 403, 403, 403, 403)},
    "learning.submit_quiz":         {"POST": (LOGIN, 400, 403, 403, 403, 403)},
    # -- offline (issue 24): the web app shell is public; saving needs the enrolment, the pack
    # whoever reads the modules; the save and remove forms only reach the server without the
    # service worker (they then say so); the sync refuses what names no sheet of the caller's
    "offline.service_worker":       {"GET": (200, 200, 200, 200, 200, 200)},
    "offline.manifest":             {"GET": (200, 200, 200, 200, 200, 200)},
    "offline.offline_page":         {"GET": (200, 200, 200, 200, 200, 200)},
    "offline.kept":                 {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "offline.saved":                {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "offline.course_manifest":      {"GET": (LOGIN, 200, 403, 403, 403, 403)},
    "offline.pack":                 {"GET": (LOGIN, 200, 403, 403, 200, 200)},
    "offline.save":                 {"POST": (LOGIN, 303, 303, 303, 303, 303)},
    "offline.remove":               {"POST": (LOGIN, 303, 303, 303, 303, 303)},
    "offline.sync_token":           {"GET": (401, 200, 200, 200, 200, 200)},
    "offline.sync":                 {"POST": (401, 400, 400, 400, 400, 400)},
    # -- CPD: member A's claim (submitted, with evidence) and statement
    "cpd.index":                    {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "cpd.policy":                   {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "cpd.new_claim":                {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 302, 302, 302, 302, 302)},
    "cpd.claim":                    {"GET": (LOGIN, 200, 404, 404, 404, 200)},
    "cpd.claim_evidence":           {"GET": (LOGIN, 200, 404, 404, 404, 200)},
    # A's claim is submitted, so frozen: A is sent to it (GET) or refused (POST)
    "cpd.edit_claim":               {"GET": (LOGIN, 302, 404, 404, 404, 404),
                                     "POST": (LOGIN, 409, 404, 404, 404, 404)},
    "cpd.withdraw_claim":           {"GET": (LOGIN, 200, 404, 404, 404, 404),
                                     "POST": (LOGIN, 302, 404, 404, 404, 404)},
    # A's second claim waits on A's answer to the secretariat's question; a third is submitted,
    # for the secretariat to ask about (the first is approved by cpd.review)
    "cpd.answer_claim":             {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "cpd.ask_member":               {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "cpd.download_statement":       {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "cpd.issue_statement":          {"POST": (LOGIN, 303, 303, 303, 303, 303)},
    "cpd.statement_list":           {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "cpd.statement_file":           {"GET": (LOGIN, 200, 404, 404, 404, 200)},
    "cpd.revoke_statement":         {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "cpd.review_queue":             {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    # the reviewer's sandboxed look at A's evidence, and its first page drawn as an image (the
    # world's evidence is a PDF header with no page to draw: 404 for the admin too)
    "cpd.review_evidence":          {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "cpd.review_evidence_page":     {"GET": (LOGIN, 403, 403, 403, 403, 404)},
    "cpd.review":                   {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "cpd.members":                  {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "cpd.member":                   {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "cpd.adjust":                   {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "cpd.audits":                   {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "cpd.audit_sample":             {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "cpd.audit_outcome":            {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    # -- certification: member A's application (with a CV) and certificate; AHSM to apply for
    "certification.index":          {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "certification.apply":          {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 409, 409, 409, 409, 409)},
    "certification.applications":   {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "certification.application":    {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "certification.application_cv": {"GET": (LOGIN, 200, 404, 404, 404, 200)},
    "certification.certificate_pdf": {"GET": (LOGIN, 200, 404, 404, 404, 200)},
    "certification.revoke":         {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    # -- authoring: X's browser-edited course, its module and version, an open draft, a draft
    #    in review; faculty of another institution are told it does not exist
    "authoring.index":              {"GET": (LOGIN, 403, 403, 200, 200, 200)},
    "authoring.new_course":         {"GET": (LOGIN, 403, 403, 200, 200, 302),
                                     "POST": (LOGIN, 403, 403, 302, 302, 302)},
    "authoring.import_course":      {"GET": (LOGIN, 403, 403, 200, 200, 200),
                                     "POST": (LOGIN, 403, 403, 400, 302, 302)},
    "authoring.course":             {"GET": (LOGIN, 403, 403, 404, 200, 200),
                                     "POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.export":             {"GET": (LOGIN, 403, 403, 404, 200, 200)},
    "authoring.move":               {"POST": (LOGIN, 403, 403, 404, 302, 302)},
    # GET: the confirmation step
    "authoring.archive":            {"GET": (LOGIN, 403, 403, 404, 200, 200),
                                     "POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.new_draft":          {"POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.upload_image":       {"POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.edit_draft":         {"GET": (LOGIN, 403, 403, 404, 200, 200),
                                     "POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.live_preview":       {"POST": (LOGIN, 403, 403, 404, 200, 200)},
    # GET: the confirmation step
    "authoring.discard":            {"GET": (LOGIN, 403, 403, 404, 200, 200),
                                     "POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.history":            {"GET": (LOGIN, 403, 403, 404, 200, 200)},
    "authoring.restore":            {"POST": (LOGIN, 403, 403, 404, 302, 302)},
    "authoring.reviews":            {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "authoring.review":             {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    # -- administration: admins; course reports also for faculty of the course's institution
    "admin.index":                  {"GET": (LOGIN, 403, 403, 403, 403, 302)},
    "admin.dashboard":              {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.dashboard_csv":          {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.members":                {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.members_csv":            {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.member":                 {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.change_membership":      {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    # GET: the confirmation step
    "admin.account_state":          {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    # -- memberships: a person's own card and application; the queue for admins only
    "membership.mine":              {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "membership.apply":             {"GET": (LOGIN, 302, 200, 200, 200, 200),
                                     "POST": (LOGIN, 302, 302, 302, 302, 302)},
    "membership.proof":             {"GET": (LOGIN, 200, 404, 404, 404, 200)},
    "membership.answer":            {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "membership.withdraw":          {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "membership_admin.queue":       {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "membership_admin.application": {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "membership_admin.request_info": {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "membership_admin.approve":     {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "membership_admin.reject":      {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "membership_admin.grant":       {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "membership_admin.member":      {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "membership_admin.renew":       {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "membership_admin.change":      {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "admin.institutions":           {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.new_institution":        {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "admin.institution":            {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                     "POST": (LOGIN, 403, 403, 403, 403, 302)},
    "admin.new_faculty":            {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "admin.audit_log":              {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.audit_csv":              {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "admin.courses":                {"GET": (LOGIN, 403, 403, 200, 200, 200)},
    "admin.course_report":          {"GET": (LOGIN, 403, 403, 404, 200, 200)},
    "admin.course_csv":             {"GET": (LOGIN, 403, 403, 404, 200, 200)},
    "admin.course_learner":         {"GET": (LOGIN, 403, 403, 404, 200, 200)},
    "admin.grant_attempt":          {"POST": (LOGIN, 403, 403, 404, 302, 302)},
    # -- notifications: member A's notification; a failed mail; an unsubscribe link of A's
    "notifications.index":          {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "notifications.mark_read":      {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "notifications.open_item":      {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "notifications.mark_all_read":  {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "notifications.preferences":    {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 302, 302, 302, 302, 302)},
    # the link in the mail works without signing in (RFC 8058)
    "notifications.unsubscribe":    {"GET": (200, 200, 200, 200, 200, 200),
                                     "POST": (200, 200, 200, 200, 200, 200)},
    "notifications.admin_messages": {"GET": (LOGIN, 403, 403, 403, 403, 200)},
    "notifications.admin_resend":   {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    # -- API, with each role's bearer token (anonymous: none)
    "api.openapi":                  {"GET": (200, 200, 200, 200, 200, 200)},
    "api.catalog_courses":          {"GET": (200, 200, 200, 200, 200, 200)},
    "api.course":                   {"GET": (200, 200, 200, 200, 200, 200)},
    "api.verify":                   {"GET": (200, 200, 200, 200, 200, 200)},
    "api.me":                       {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_enrolments":            {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_cpd":                   {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_certifications":        {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_statements":            {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_attempts":              {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_notifications":         {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_claims":                {"GET": (401, 200, 200, 200, 200, 200)},
    "api.my_claim":                 {"GET": (401, 200, 404, 404, 404, 404)},
    "api.my_attempt":               {"GET": (401, 200, 404, 404, 404, 404)},
    "api.member_cpd":               {"GET": (401, 200, 404, 404, 404, 200)},
    "api.members":                  {"GET": (401, 403, 403, 403, 403, 200)},
    "api.cpd_compliance":           {"GET": (401, 403, 403, 403, 403, 200)},
    # -- events: an event of institution X with a session open for check-in now; member A is
    # registered and checked in. Public pages; organisers (X's faculty, admins) manage it.
    "events.index":                 {"GET": (200, 200, 200, 200, 200, 200)},
    "events.event":                 {"GET": (200, 200, 200, 200, 200, 200)},
    "events.register":              {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "events.cancel":                {"POST": (LOGIN, 302, 302, 302, 302, 302)},
    "events.new_event":             {"GET": (LOGIN, 403, 403, 200, 200, 200),
                                     "POST": (LOGIN, 403, 403, 302, 302, 302)},
    "events.edit_event":            {"GET": (LOGIN, 403, 403, 403, 200, 200),
                                     "POST": (LOGIN, 403, 403, 403, 302, 302)},
    "events.manage":                {"GET": (LOGIN, 403, 403, 403, 200, 200)},
    "events.add_organiser":         {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "events.new_session":           {"GET": (LOGIN, 403, 403, 403, 200, 200),
                                     "POST": (LOGIN, 403, 403, 403, 302, 302)},
    "events.edit_session":          {"GET": (LOGIN, 403, 403, 403, 200, 200),
                                     "POST": (LOGIN, 403, 403, 403, 302, 302)},
    "events.screen":                {"GET": (LOGIN, 403, 403, 403, 200, 200)},
    "events.screen_qr":             {"GET": (LOGIN, 403, 403, 403, 200, 200)},
    "events.attendance":            {"GET": (LOGIN, 403, 403, 403, 200, 200)},
    "events.mark":                  {"POST": (LOGIN, 403, 403, 403, 302, 302)},
    "events.undo":                  {"POST": (LOGIN, 403, 403, 403, 302, 302)},
    # a typed code that is nobody's code (422); the QR address of A's session with a wrong code
    "events.checkin":               {"GET": (LOGIN, 200, 200, 200, 200, 200),
                                     "POST": (LOGIN, 422, 422, 422, 422, 422)},
    "events.checkin_token":         {"GET": (LOGIN, 422, 422, 422, 422, 422)},
    # A's own check-in, certificate of attendance and evaluation
    "events.checked_in":            {"GET": (LOGIN, 200, 404, 404, 404, 404)},
    "events.certificate":           {"GET": (LOGIN, 200, 404, 404, 404, 404)},
    "events.evaluation":            {"GET": (LOGIN, 200, 404, 404, 404, 404),
                                     "POST": (LOGIN, 302, 404, 404, 404, 404)},
    "events.attendance_csv":        {"GET": (LOGIN, 403, 403, 403, 200, 200)},
    # -- the register and renewal imports: the secretariat only (no file sent: 400)
    "member_register.import_register":  {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                         "POST": (LOGIN, 403, 403, 403, 403, 400)},
    "member_register.import_renewals":  {"GET": (LOGIN, 403, 403, 403, 403, 200),
                                         "POST": (LOGIN, 403, 403, 403, 403, 400)},
    "member_register.confirm_register": {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    "member_register.confirm_renewals": {"POST": (LOGIN, 403, 403, 403, 403, 302)},
    # -- corporate seats: the staff pages are the contact's (a person outside the roles); A is
    # invited to seats of two organisations: A accepts one (and leaves it last), declines the other
    "member_register.staff":            {"GET": (LOGIN, 404, 404, 404, 404, 404)},
    "member_register.staff_csv":        {"GET": (LOGIN, 404, 404, 404, 404, 404)},
    "member_register.invite_staff":     {"POST": (LOGIN, 404, 404, 404, 404, 404)},
    "member_register.remove_staff":     {"POST": (LOGIN, 404, 404, 404, 404, 404)},
    "member_register.seats":            {"GET": (LOGIN, 200, 200, 200, 200, 200)},
    "member_register.accept_seat":      {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "member_register.decline_seat":     {"POST": (LOGIN, 302, 404, 404, 404, 404)},
    "member_register.leave_seat":       {"POST": (LOGIN, 302, 404, 404, 404, 404)},
}
# fmt: on


def post_data(endpoint: str, values: dict) -> dict:
    """What a POST sends: a complete, valid form, so that a missing access check would really act
    (and change the database). Button-only forms send nothing; CSRF is off."""
    claim = {
        "title": "Changed by someone else", "provider": "Nobody", "category": "conference",
        "start_date": values["today"], "end_date": values["today"], "hours": "6",
        "points_claimed": "3", "reflection": "Written by someone who is not A.",
        "save_draft": "1",
    }  # fmt: skip
    draft = {
        "title": "Rewritten", "key": "costing-outreach", "minutes": "30", "cpd_points": "1",
        "cpd_category": "structured", "pass_mark": "70", "body": "## Rewritten\n\nText.\n",
        "objectives": "cost an outreach day", "save": "1",
    }  # fmt: skip
    course = {"slug": "taken-over", "title": "Taken over", "summary": "Changed.", "language": "en"}
    event = {
        "title": "Changed event", "organiser_name": "Someone", "venue": "Elsewhere",
        "start_date": values["today"], "end_date": values["today"], "institution": "0",
    }  # fmt: skip
    event_session = {
        "title": "Changed session", "day": values["today"], "start_time": "00:00",
        "end_time": "00:10", "points": "1", "category": "conference", "code_period": "60",
        "window_before": "15", "window_after": "30",
    }  # fmt: skip
    data = {
        "admin.change_membership": {
            "membership_category": "student",
            "roles": ["member"],
            "institution": "0",
        },  # fmt: skip
        "admin.institution": {
            "slug": "lake-region-university",
            "name": "Renamed",
            "short_name": "RN",
            "country": "Kenya",
        },  # fmt: skip
        "admin.new_faculty": {
            "full_name": "New Lecturer",
            "email": "new@lru.example",
            "country": "KE",
            "membership_category": "professional",
        },  # fmt: skip
        "admin.new_institution": {
            "slug": "new-college",
            "name": "New College",
            "short_name": "NC",
            "country": "Kenya",
        },  # fmt: skip
        "auth.api_tokens": {"name": "Script"},
        "membership.apply": {
            "category": "associate",
            "current_position": "Nurse manager",
            "interest": "Running a county hospital.",
        },
        "membership.answer": {"answer": "Attached."},
        "membership_admin.request_info": {"message": "Send your letter."},
        "membership_admin.approve": {"category": "student"},
        "membership_admin.reject": {"reason": "Not a student."},
        "membership_admin.grant": {
            "email": "newcomer@example.org",
            "category": "honorary",
            "reason": "Council resolution.",
        },
        "membership_admin.renew": {
            "renewed_on": values["today"],
            "amount": "1500",
            "reference": "MATRIX1234",
        },
        "membership_admin.change": {"category": "life", "reason": "Council resolution."},
        "auth.profile": {"full_name": "Changed Name", "country": "KE", "language": "en"},
        "auth.set_language": {"language": "en"},
        "authoring.course": course,
        "authoring.new_course": course,
        "authoring.edit_draft": draft,
        "authoring.live_preview": draft,
        "authoring.review": {"approve": "1"},
        "authoring.upload_image": {"image": (png(), "chart.png")},
        "authoring.import_course": {"archive": (values["course_zip"], "course.zip")},
        "certification.application": {"decision": "reject", "reason": "Not enough evidence."},
        "certification.apply": {"statement": "I lead a county team."},
        "certification.revoke": {"reason": "Issued in error."},
        "cpd.adjust": {
            "points": "5",
            "category": "structured",
            "activity_date": values["today"],
            "reason": "Correction",
        },  # fmt: skip
        "cpd.audit_outcome": {"outcome": "failed", "notes": "No attendance list."},
        "cpd.audits": {"cycle": str(values["cycle"]), "percentage": "50"},
        "cpd.edit_claim": claim,
        "cpd.new_claim": claim,
        "cpd.review": {
            "decision": "approve",
            "points_approved": "8",
            "reason": "Fine.",
            "version": str(values["claim_version"]),
        },
        "cpd.revoke_statement": {"reason": "Issued in error."},
        "cpd.answer_claim": {
            "reply": "The attendance list is attached now.",
            "version": str(values["asked_claim_version"]),
        },
        "cpd.ask_member": {
            "question": "Send the attendance certificate, please.",
            "version": str(values["ask_claim_version"]),
        },
        "events.add_organiser": {"email": "brian@example.org", "role": "checkin"},
        "events.checkin": {"code": "ABCDEF"},
        "events.evaluation": {"relevance": "4", "quality": "4", "will_apply": "yes"},
        "events.edit_event": event,
        "events.new_event": event,
        "events.edit_session": event_session,
        "events.new_session": {**event_session, "start_time": "00:15", "end_time": "00:25"},
        "events.mark": {"member_id": str(values["member_id"])},
        "events.undo": {"member_id": str(values["member_id"]), "reason": "Not A after all."},
        "member_register.invite_staff": {"email": "brian@example.org"},
    }.get(endpoint, {})
    # Files: (bytes, name) becomes a fresh upload for each request.
    return {
        name: (BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        for name, value in data.items()
    }


# -- the objects in the URLs ------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class World:
    users: dict  # role -> User (no entry for anonymous)
    tokens: dict  # role -> API token secret
    values: dict  # URL argument name -> value


DRAFT_FIELDS = {
    "title": "Costing an outreach", "key": "costing-outreach", "minutes": 40,
    "cpd_points": Decimal("1.5"), "cpd_category": "structured", "competencies": ["FM1"],
    "pass_mark": 70, "objectives": ["cost an outreach day"],
}  # fmt: skip
DRAFT_BODY = "## Why cost it\n\nEvery outreach needs fuel.\n"


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf(name: str) -> FileStorage:
    return FileStorage(BytesIO(PDF), filename=name)


@pytest.fixture
def world(app, make_user, synced_content) -> World:
    """Member A's objects, institution X's course and draft, and one account per role."""
    app.config["WTF_CSRF_ENABLED"] = False
    lru = db.session.scalar(
        sa.select(Institution).where(Institution.slug == "lake-region-university")
    )
    eaihm = db.session.scalar(sa.select(Institution).where(Institution.slug == "eaihm"))
    users = {
        "member": make_user(email="amina@example.org", full_name="Amina Otieno"),
        "other_member": make_user(email="brian@example.org", full_name="Brian Kiprop"),
        "other_faculty": make_user(
            email="faith@eaihm.example", roles=("member", "faculty"), institution_id=eaihm.id
        ),  # fmt: skip
        "own_faculty": make_user(
            email="lecturer@lru.example", roles=("member", "faculty"), institution_id=lru.id
        ),  # fmt: skip
        "admin": make_user(email="admin@hesma.example", roles=("member", "admin")),
    }
    member, admin, author = users["member"], users["admin"], users["own_faculty"]
    policy = load_policy()
    today = local_today()

    # Learning: A is enrolled in a published course of institution X.
    course = get_course("lake-region-university", "health-financing")
    learning.enrol(member, course)
    module = course.active_modules[0]
    # ... and has one submitted knowledge-check attempt.
    quiz_module = next(m for m in course.active_modules if m.current_version.quiz)
    attempt = learning.open_attempt(member, quiz_module)
    sheet = {q["id"]: right_answer_values(q) for q in learning.shown_questions(attempt)}
    learning.submit_attempt(member, quiz_module, attempt.module_version, sheet, attempt.nonce)

    # CPD: a submitted claim with evidence, a statement, an audit sample that drew A.
    claim = cpd.save_claim(
        member,
        cpd.ClaimInput(
            title="Regional quality improvement summit", provider="East African Health Quality Network",
            category="conference", start_date=today, end_date=today, hours=Decimal("18"),
            points_claimed=Decimal("8"),
            reflection="We introduced weekly run charts.", competencies=[],
        ),
        upload=_pdf("certificate.pdf"),
        submit=True,
    )  # fmt: skip
    # ... a second one the secretariat asked about, and a third for the secretariat to ask about.
    asked_claim, ask_claim = (
        cpd.save_claim(member, cpd.ClaimInput(
            title=title, provider="County health team", category="conference",
            start_date=today, end_date=today, hours=Decimal("4"), points_claimed=Decimal("2"),
            reflection="We changed the referral form.", competencies=[],
        ), upload=_pdf(f"{number}.pdf"), submit=True)
        for number, title in enumerate(("County referral workshop", "Ward audit training"))
    )  # fmt: skip
    cpd.request_info(asked_claim, admin, "Who signed the attendance list?")
    asked_claim, ask_claim = db.session.merge(asked_claim), db.session.merge(ask_claim)
    cycle = policy.cycle_for(today)
    period = Period(cycle.start, cycle.end, cycle.label)
    statement, _new = issue_statement(
        policy, member, period, cpd.ledger_entries(member.id, period.start, period.end), today
    )
    sample = AuditSample(cycle_start=cycle.start, percentage=10, population=1, drawn_by_id=admin.id)
    sample.members = [AuditSampleMember(user_id=member.id)]
    db.session.add(sample)

    # Certification: A's pending application (with a CV) and A's certificate.
    # Member A asks to move to the student category (proof file); a student renews without a
    # CPD target; a newcomer holds no membership (the secretariat grants one).
    membership_application = submit_application(
        member, "student", {"institution": "Lake Region University", "programme": "BSc",
                            "expected_completion": "2028-06-30"}, _pdf("enrolment.pdf"))  # fmt: skip
    student = make_user(email="student@example.org", category="student")
    make_user(email="newcomer@example.org", membership=None)
    rejectable = submit_application(
        make_user(email="applicant@example.org", membership=None), "professional",
        {"current_position": "Clerk", "employer": "A shop", "highest_qualification": "None"})  # fmt: skip
    cv = evidence.store(_pdf("cv.pdf"))
    application = Application(
        user_id=member.id, programme_code="AHSM", statement="I lead a sub-county team.",
        cv_name=cv.original_name, cv_stored_as=cv.stored_as, cv_size=cv.size, eligibility={},
    )  # fmt: skip
    certificate = Certificate(
        code=new_code(), user_id=member.id, programme_code="AHSM",
        programme_name="Associate in Health Systems Management", level=1,
        holder_name=member.full_name, issued_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=700),
    )  # fmt: skip
    db.session.add_all([application, certificate])
    db.session.commit()

    # Authoring: a browser-edited course of institution X with one published module, an open
    # draft of its author and a draft waiting for review.
    editor_course = authoring.create_course(
        author, lru, "costing", "Costing health services", "Costing in practice.", "en", None, ""
    )
    first = authoring.open_draft(author, editor_course)
    authoring.save_draft(first, DRAFT_FIELDS, DRAFT_BODY)
    authoring.submit_draft(author, editor_course, first)
    version = authoring.approve_draft(admin, editor_course, first)
    draft = authoring.open_draft(author, editor_course)  # being written
    in_review = authoring.open_draft(author, editor_course)  # waiting for the secretariat
    authoring.save_draft(in_review, {**DRAFT_FIELDS, "key": "costing-review"}, DRAFT_BODY)
    authoring.submit_draft(author, editor_course, in_review)
    # An unpublished course of X with an image: only its authors and admins may see the image.
    unpublished = authoring.create_course(
        author, lru, "costing-2", "Costing, part two", "Not published yet.", "en", None, ""
    )
    image = add_image(unpublished, FileStorage(BytesIO(png()), filename="chart.png"))

    # Events: an event of institution X, a session open for check-in now, A registered and in.
    event = events.create_event(admin, events.EventInput(
        title="County health summit", description="", organiser_name="Lake Region University",
        venue="Kisumu", online=False, start_date=today, end_date=today, capacity=None,
        evaluation=True, institution_id=lru.id,
    ))  # fmt: skip
    # Today only, also just after midnight (the event's dates are today); open for check-in now.
    now = utcnow().replace(second=0, microsecond=0)
    session_start = max(now - timedelta(minutes=10),
                        datetime.combine(today, time(0, 0), tzinfo=association_zone()))  # fmt: skip
    event_session = events.add_session(admin, policy, event, events.SessionInput(
        title="Opening plenary", starts_at=session_start,
        ends_at=min(session_start + timedelta(hours=11),
                    datetime.combine(today, time(23, 59), tzinfo=association_zone())),
        points=Decimal("2"), category="conference", competencies=[],
    ))  # fmt: skip
    event_registration.register(member, event)
    event_checkin.mark_present(admin, event_session, member)

    # Membership: a corporate membership whose contact is none of the roles, with A invited to a
    # seat; a register file and a renewals file waiting for the secretariat's confirmation.
    contact = make_user(email="hr@kisumu.example", membership=None)
    corporate_membership = grant_membership(contact, "corporate", by=admin, seats=3,
                                            organisation_name="Kisumu County Hospital")  # fmt: skip
    db.session.commit()
    seat = seats.invite(corporate_membership, member.email, contact)
    other_contact = make_user(email="hr@nakuru.example", membership=None)
    other_corporate = grant_membership(other_contact, "corporate", by=admin, seats=3,
                                       organisation_name="Nakuru County Hospital")  # fmt: skip
    db.session.commit()
    other_seat = seats.invite(other_corporate, member.email, other_contact)
    associate = make_user(email="associate@example.org", category="associate", membership=None)
    renewable = grant_membership(
        associate, "associate", by=admin, started_on=today - timedelta(days=40)
    )
    db.session.commit()
    register_file = b"name,email,category,membership_number,start_date,renewal_date,country\r\n" \
        + f"New Member,new.member@example.org,student,,{today},,KE\r\n".encode()  # fmt: skip
    renewals_file = (f"membership_number,renewed_on,amount,reference\r\n"
                     f"{renewable.number},{today},2500,RCPT-MATRIX-1\r\n").encode()  # fmt: skip
    batches = [MembershipImport(kind=kind, filename=f"{kind}.csv", content=data, sha256="-",
                                rows=1, uploaded_by_id=admin.id)
               for kind, data in (("register", register_file), ("renewals", renewals_file))]  # fmt: skip
    db.session.add_all(batches)
    db.session.commit()

    tokens = {role: create_token(user, "Script") for role, user in users.items()}
    notify(member, "draft_published", "matrix", {"title": "Budgets"}, "/cpd/")
    failed = queue_mail(member, "registration_attempt", "matrix")
    db.session.commit()
    failed.status = "failed"
    db.session.commit()
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == member.id)
    )
    values = {
        "seat_id": seat.id,
        "other_seat_id": other_seat.id,
        "institution": "lake-region-university",
        "course": "health-financing",
        "module": module.key,
        "name": "budget-cycle.png",
        "user_id": member.id,
        "member_id": member.id,
        "institution_id": lru.id,
        "claim_id": claim.id,
        "claim_version": claim.version,
        "asked_claim_id": asked_claim.id,
        "asked_claim_version": asked_claim.version,
        "ask_claim_id": ask_claim.id,
        "ask_claim_version": ask_claim.version,
        "statement_id": statement.id,
        "sample_id": sample.id,
        "entry_id": sample.members[0].id,
        "application_id": application.id,
        "membership_application_id": membership_application.id,
        "student_id": student.id,
        "rejectable_application_id": rejectable.id,
        "certificate_id": certificate.id,
        "code": format_code(statement.code),
        "token": make_password_reset_token(member),
        "token_id": tokens["member"][0].id,
        "draft_id": draft.id,
        "review_draft_id": in_review.id,
        "unpublished_course": unpublished.slug,
        "image": image.name,
        "course_zip": folders.export_zip(editor_course),
        "today": today.isoformat(),
        "cycle": cycle.key,
        "version_id": version.id,
        "module_id": version.module_id,
        "editor_course_id": editor_course.id,
        "course_id": course.id,
        "attempt_id": attempt.id,
        "quiz_module_id": quiz_module.id,
        "certificate_code": certificate.code,
        "event_id": event.id,
        "session_id": event_session.id,
        "checkin_token": f"{event_session.key}-ABCDEF",
        "register_batch_id": batches[0].id,
        "renewals_batch_id": batches[1].id,
        "notification_id": notification.id,
        "message_id": failed.id,
        "unsubscribe_token": unsubscribe_token(member.id, "cpd_shortfall"),
    }
    return World(users, {role: secret for role, (_t, secret) in tokens.items()}, values)


# -- requests ---------------------------------------------------------------------------------------

# Arguments whose value depends on the endpoint (the rest come straight from World.values).
URL_VALUES = {
    "member_register.confirm_register": {"batch_id": "register_batch_id"},
    "member_register.confirm_renewals": {"batch_id": "renewals_batch_id"},
    "member_register.decline_seat": {"seat_id": "other_seat_id"},
    "admin.account_state": {"change": "deactivate"},
    "admin.course_csv": {"table": "learners"},
    "admin.grant_attempt": {"module_id": "quiz_module_id"},
    "admin.dashboard_csv": {"table": "months"},
    "authoring.move": {"direction": "up"},
    "authoring.review": {"draft_id": "review_draft_id"},
    "catalog.media": {"course": "unpublished_course", "name": "image"},
    "catalog.page": {"name": "help"},
    "certification.apply": {"code": "AHSM"},
    "certification.badge": {"code": "certificate_code"},
    "certification.badge_json": {"code": "certificate_code"},
    "certification.programme": {"code": "AHSM"},
    "cpd.download_statement": {"kind": "pdf"},
    "cpd.review_evidence_page": {"number": 1},
    "cpd.answer_claim": {"claim_id": "asked_claim_id"},
    "cpd.ask_member": {"claim_id": "ask_claim_id"},
    "membership.answer": {"application_id": "membership_application_id"},
    "membership.proof": {"application_id": "membership_application_id"},
    "membership.withdraw": {"application_id": "membership_application_id"},
    "membership_admin.application": {"application_id": "membership_application_id"},
    "membership_admin.approve": {"application_id": "membership_application_id"},
    "membership_admin.reject": {"application_id": "rejectable_application_id"},
    "membership_admin.request_info": {"application_id": "membership_application_id"},
    "membership_admin.renew": {"user_id": "student_id"},
    "cpd.issue_statement": {"kind": "pdf"},
    "cpd.statement_file": {"kind": "pdf"},
    "events.checkin_token": {"token": "checkin_token"},
    "notifications.unsubscribe": {"token": "unsubscribe_token"},
}


def url_for_rule(rule, values: dict) -> str:
    """The rule's URL with real objects: course ids are the synced course for reports and the
    browser-edited course for authoring."""
    wanted = {}
    special = URL_VALUES.get(rule.endpoint, {})
    for name in rule.arguments:
        value = special.get(name, values.get(name))
        if isinstance(value, str) and value in values:
            value = values[value]
        if name == "course_id" and rule.endpoint.startswith("authoring."):
            value = values["editor_course_id"]
        assert value is not None, f"no value for <{name}> of {rule.rule}"
        wanted[name] = value
    return rule.build(wanted, append_unknown=False)[1]


def outcome(response):
    """The status, with a redirect to the login page written LOGIN."""
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code in (301, 302, 303, 307, 308) and location == "/login":
        return LOGIN
    return response.status_code


def login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _routes(app) -> list:
    # `static` serves the files of wired4ex/static, the same to everyone, with no objects in its
    # URL; it is the one rule the matrix leaves out.
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def _changes(before: dict, after: dict) -> list[str]:
    return [
        table
        for table in sorted(before.keys() | after.keys())
        if before.get(table) != after.get(table)
    ]


# -- the tests --------------------------------------------------------------------------------------


def test_every_rule_has_an_expectation(app):
    """Every route (and each of its methods) has its row in EXPECTED, and every row a route."""
    found: dict[str, set] = {}
    for rule in _routes(app):
        found.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    problems = []
    for endpoint, methods in sorted(found.items()):
        if methods - {"GET", "POST"}:
            problems.append(f"{endpoint}: the matrix only sends GET and POST, not {methods}")
        if endpoint not in EXPECTED:
            problems.append(f"{endpoint} ({', '.join(sorted(methods))}) has no entry in EXPECTED")
            continue
        if set(EXPECTED[endpoint]) != methods:
            problems.append(
                f"{endpoint} allows {sorted(methods)} but EXPECTED has {sorted(EXPECTED[endpoint])}"
            )
        for method, row in EXPECTED[endpoint].items():
            if len(row) != len(ROLES):
                problems.append(f"{endpoint} {method}: {len(row)} statuses for {len(ROLES)} roles")
    for endpoint in sorted(EXPECTED.keys() - found.keys()):
        problems.append(f"EXPECTED has an entry for {endpoint}, which is no longer a route")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    """Every route, requested as `role`, answers as EXPECTED says; refused POSTs change nothing."""
    column = ROLES.index(role)
    if role == "anonymous":
        client, headers = app.test_client(), {}
    else:
        client = login(app, world.users[role])
        headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    failures: list[str] = []

    def expected(method, rule):
        row = EXPECTED.get(rule.endpoint, {}).get(method)
        return row[column] if row and len(row) == len(ROLES) else None

    def send(method, rule, url):
        try:
            response = client.open(
                url,
                method=method,
                headers=headers if rule.endpoint.startswith("api.") else {},
                data=post_data(rule.endpoint, world.values) if method == "POST" else None,
            )
        except Exception as error:  # a 500: reported with the others, not on its own
            got = f"an exception ({type(error).__name__}: {error})"
        else:
            got = outcome(response)
        want = expected(method, rule)
        where = f"{method} {url} ({rule.endpoint}) as {role}"
        if want is None:
            failures.append(f"{where}: no entry in EXPECTED; it answered {got}")
        elif got != want:
            failures.append(f"{where}: expected {want}, got {got}")
        return got

    requests = [
        (method, rule, url_for_rule(rule, world.values))
        for rule in _routes(app)
        for method in ("GET", "POST")
        if method in rule.methods
    ]
    for method, rule, url in requests:
        if method == "GET":
            send(method, rule, url)
    posts = [(rule, url) for method, rule, url in requests if method == "POST"]
    refused = [(rule, url) for rule, url in posts if expected("POST", rule) in REFUSED | {None}]
    allowed = [(rule, url) for rule, url in posts if (rule, url) not in refused]
    before = _snapshot()
    for rule, url in refused:
        got = send("POST", rule, url)
        after = _snapshot()
        changed, before = _changes(before, after), after
        if changed:
            failures.append(
                f"POST {url} ({rule.endpoint}) as {role} answered {got} but changed {changed}"
            )
    # The allowed POSTs act in the order of the routes, those that end something last.
    allowed.sort(key=lambda item: ENDS_SOMETHING.index(item[0].endpoint)
                 if item[0].endpoint in ENDS_SOMETHING else -1)  # fmt: skip
    for rule, url in allowed:
        send("POST", rule, url)
    assert not failures, "\n".join(failures)


def test_moving_an_archived_module_is_refused(app, world):
    """An archived module is out of the course's order: moving it is a 400, not a server error."""
    client = login(app, world.users["own_faculty"])
    course, module = world.values["editor_course_id"], world.values["module_id"]
    assert client.post(f"/authoring/courses/{course}/modules/{module}/archive").status_code == 302
    assert client.post(f"/authoring/courses/{course}/modules/{module}/up").status_code == 400
