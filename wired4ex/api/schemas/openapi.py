"""The OpenAPI 3.1 document of the JSON API v1: its operations, errors and security schemes."""

from wired4ex.api.schemas.attempts import ATTEMPT_SCHEMAS
from wired4ex.api.schemas.claims import CLAIM_SCHEMAS
from wired4ex.api.schemas.components import CATEGORY, REF, SCHEMAS, STRING, ref
from wired4ex.api.schemas.notifications import NOTIFICATION_SCHEMAS
from wired4ex.auth.models import RoleName
from wired4ex.cpd.models import CLAIM_STATUSES
from wired4ex.fields import EARLIEST_DATE, latest_period_date

API_VERSION = "1.0.0"


ERRORS = {
    "400": "The request is not valid (a query parameter out of range, for example).",
    "401": "No valid credentials: the token is missing, mistyped, expired or revoked.",
    "403": "The caller is not allowed: not an admin, or a token without the scope needed.",
    "404": "Not found (or not yours: another member's data is reported as not found).",
    "405": "The API only reads: methods other than GET are not allowed.",
    "429": "Too many requests for this token (or address); see the Retry-After header.",
    "503": "The service is not ready (the CPD policy has not been loaded).",
}
RESPONSES = {
    code: {
        "description": text,
        "content": {"application/json": {"schema": ref("Error")}},
    }
    for code, text in ERRORS.items()
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
           "Page number, from 1."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
           "Items per page, at most 100."),
]  # fmt: skip


def _cycle_query() -> dict:
    """?cycle=YEAR, from 1990 to next year (wired4ex.fields: the bounds of every period)."""
    return _query(
        "cycle",
        {"type": "integer", "minimum": EARLIEST_DATE.year, "maximum": latest_period_date().year},
        "The CPD cycle, by the year it starts in; the current cycle when left out.",
    )


TEXT = {"type": "string", "maxLength": 200}
ANYONE: list = [{}, {"bearerAuth": []}, {"sessionCookie": []}]
# A token must carry the read-only scope an operation names (OpenAPI 3.1 lets any scheme list
# them); a browser session reads as its user.
CATALOGUE: list = [{}, {"bearerAuth": ["catalogue"]}, {"sessionCookie": []}]
SIGNED_IN: list = [{"bearerAuth": ["me"]}, {"sessionCookie": []}]
ADMIN_READ: list = [{"bearerAuth": ["admin:read"]}, {"sessionCookie": []}]
OWN_OR_ADMIN: list = [{"bearerAuth": ["me"]}, {"bearerAuth": ["admin:read"]}, {"sessionCookie": []}]


def _operation(
    operation_id, summary, schema, errors, parameters=(), security=SIGNED_IN, tag="member"
):
    codes = sorted({"400", "429", *errors, *(("403",) if security is not ANYONE else ())})
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ref(schema)}}}
    }
    responses.update({code: {"$ref": f"#/components/responses/{code}"} for code in codes})
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": [tag],
            "parameters": list(parameters),
            "security": security,
            "responses": responses,
        }
    }


def _paths() -> dict:
    CYCLE = _cycle_query()  # noqa: N806  (read like the other parameter constants)
    course_path = [
        _path("institution", STRING, "The institution's slug."),
        _path("course", STRING, "The course's slug."),
    ]
    return {
        "/catalog/courses": _operation(
            "listCourses", "Published courses, filtered and paginated", "CourseList", [],
            [_query("institution", TEXT, "An institution's slug."),
             _query("competency", TEXT, "A competency code, e.g. LG1."),
             _query("language", {"type": "string", "enum": ["en", "sw"]}, "Course language."),
             *PAGING],
            CATALOGUE, "public",
        ),
        "/courses/{institution}/{course}": _operation(
            "getCourse", "A published course: overview and modules", "CourseDetail", ["404"],
            course_path, CATALOGUE, "public",
        ),
        "/verify/{code}": _operation(
            "verify", "Verify a CPD statement or a certificate by its code",
            "Verification", ["404"],
            [_path("code", {"type": "string", "maxLength": 40},
                   "The code, with or without dashes (XXXX-XXXX-XXXX).")],
            ANYONE, "public",
        ),
        "/me": _operation("getMe", "The caller's account", "User", ["401"]),
        "/me/enrolments": _operation(
            "listMyEnrolments", "The caller's active enrolments with progress per course",
            "EnrolmentList", ["401"],
        ),
        "/me/cpd": _operation(
            "getMyCpd", "The caller's CPD in one cycle: entries, totals per category, target",
            "CpdSummary", ["401", "503"], [CYCLE],
        ),
        "/me/certifications": _operation(
            "listMyCertifications",
            "Each programme with per-rule eligibility, what is missing, and certificates",
            "CertificationList", ["401", "503"],
        ),
        "/me/attempts": _operation(
            "listMyAttempts", "The caller's submitted knowledge-check attempts, newest first",
            "AttemptList", ["401"], PAGING,
        ),
        "/me/attempts/{attempt_id}": _operation(
            "getMyAttempt",
            "One of the caller's attempts: score, and per question what the module's review "
            "policy allows (right answers and explanations only when it does)",
            "AttemptDetail", ["401", "404"],
            [_path("attempt_id", {"type": "integer", "minimum": 0}, "The attempt's id.")],
        ),
        "/me/claims": _operation(
            "listMyClaims",
            "The caller's external CPD claims, latest activity first, with any open question",
            "ClaimList", ["400", "401"],
            [_query("status", {"type": "string", "enum": list(CLAIM_STATUSES)},
                    "Only claims with this status (info_requested: waiting for your answer)."),
             *PAGING],
        ),
        "/me/claims/{claim_id}": _operation(
            "getMyClaim", "One of the caller's claims: status, points, decision, open question",
            "Claim", ["401", "404"],
            [_path("claim_id", {"type": "integer", "minimum": 0}, "The claim's id.")],
        ),
        "/me/notifications": _operation(
            "listMyNotifications",
            "The caller's notifications, newest first, with the number unread",
            "NotificationList", ["401"],
            [_query("unread", {"type": "string", "enum": ["true", "false"]},
                    "Only unread (true) or read (false) notifications."), *PAGING],
        ),
        "/me/statements": _operation(
            "listMyStatements", "The caller's issued CPD statements with their codes",
            "StatementList", ["401"],
        ),
        "/members": _operation(
            "listMembers", "Members, searched and filtered (admins)", "MemberList", ["401", "403"],
            [_query("q", TEXT, "Part of a name, e-mail address or membership number."),
             _query("membership_category", CATEGORY, "Membership category."),
             _query("role", {"type": "string", "enum": [r.value for r in RoleName]}, "Role."),
             _query("institution", TEXT, "Institution slug (faculty)."),
             _query("country", {"type": "string", "maxLength": 200}, "ISO country code."),
             _query("active", {"type": "string", "enum": ["true", "false"]},
                    "Only active (true) or deactivated (false) accounts."),
             *PAGING],
            ADMIN_READ, tag="admin",
        ),
        "/members/{member_id}/cpd": _operation(
            "getMemberCpd",
            "One member's CPD in one cycle (admins; a member may read only their own id)",
            "CpdSummary", ["401", "404", "503"],
            [_path("member_id", {"type": "integer", "minimum": 0}, "The member's id."), CYCLE],
            OWN_OR_ADMIN, tag="admin",
        ),
        "/reports/cpd-compliance": _operation(
            "cpdCompliance", "Every active member's standing against the CPD target (admins)",
            "ComplianceReport", ["401", "403", "503"],
            [CYCLE,
             _query("membership_category", CATEGORY, "Only this membership category."),
             _query("status", {"type": "string", "enum": ["met", "not_met", "exempt"]},
                    "Only members in this state."),
             *PAGING],
            ADMIN_READ, tag="admin",
        ),
    }  # fmt: skip


def build_document() -> dict:
    """The whole OpenAPI 3.1 document."""
    schemas = {
        **SCHEMAS,
        **ATTEMPT_SCHEMAS,
        **CLAIM_SCHEMAS,
        **NOTIFICATION_SCHEMAS,
        "Verification": {
            "oneOf": [ref("VerifiedStatement"), ref("VerifiedCertificate")],
            "discriminator": {
                "propertyName": "type",
                "mapping": {
                    "statement": REF + "VerifiedStatement",
                    "certificate": REF + "VerifiedCertificate",
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wired4EX API",
            "version": API_VERSION,
            "summary": "Courses, CPD, certification and verification of HeSMA East Africa.",
            "description": (
                "Read-only JSON API. Authenticate with a personal access token (create one on "
                "your profile page) sent as `Authorization: Bearer <token>`, or with the browser "
                'session. Errors are `{"error": {"code", "message"}}`. Lists are paged with '
                "`page` and `per_page` (at most 100). Timestamps are ISO 8601 with offset. "
                "Requests are rate-limited per token."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [
            {"name": "public", "description": "No account needed."},
            {"name": "member", "description": "The caller's own data."},
            {"name": "admin", "description": "The secretariat's views."},
        ],
        "paths": _paths(),
        "components": {
            "schemas": schemas,
            "responses": RESPONSES,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A personal access token (w4x_...). Every token expires (a lifetime of "
                        "7 to 365 days, 90 by default, chosen when it is made) and carries "
                        "read-only scopes: `me` (the caller's own data), `catalogue` (courses), "
                        "`admin:read` (the secretariat's views; admins only). An operation "
                        "lists the scope it needs; a token without it gets 403 "
                        "`insufficient_scope`. A password change stops every token until the "
                        "member keeps it."
                    ),
                },
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
