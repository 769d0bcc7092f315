"""The component schemas of the OpenAPI document: one closed object per response shape.

Every object is closed (`additionalProperties: false`) and every property required, so the
generated tests notice any field the document does not describe.
"""

from wired4ex.auth.models import MembershipCategory, RoleName

REF = "#/components/schemas/"


def ref(name: str) -> dict:
    return {"$ref": REF + name}


def nullable(schema: dict) -> dict:
    """The schema, or null."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [kind, "null"] if isinstance(kind, str) else [*kind, "null"]}


def obj(properties: dict, description: str | None = None) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
POINTS = {"type": "number", "description": "CPD points (whole or half points)."}
MOMENT = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset (UTC)."}
DAY = {"type": "string", "format": "date"}
LINK = {"type": "string", "format": "uri-reference"}
CATEGORY = {"type": "string", "enum": [c.value for c in MembershipCategory]}

SCHEMAS = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {
                        "type": "string",
                        "description": "Stable machine-readable code, e.g. not_found.",
                    },
                    "message": {"type": "string", "description": "For people."},
                }
            )
        }
    ),
    "Pagination": obj({"page": INTEGER, "per_page": INTEGER, "total": INTEGER, "pages": INTEGER}),
    "PageLinks": obj(
        {
            "self": LINK,
            "first": LINK,
            "last": LINK,
            "prev": nullable(LINK),
            "next": nullable(LINK),
        }
    ),
    "Institution": obj(
        {
            "slug": STRING,
            "name": STRING,
            "short_name": STRING,
            "country": STRING,
            "website": nullable(STRING),
        }
    ),
    "CourseSummary": obj(
        {
            "id": {"type": "string", "description": "<institution>/<course>"},
            "title": STRING,
            "summary": STRING,
            "institution": ref("Institution"),
            "language": STRING,
            "level": nullable(STRING),
            "authors": array(STRING),
            "competencies": array(STRING),
            "prerequisites": array(STRING),
            "version": nullable(STRING),
            "module_count": INTEGER,
            "minutes": INTEGER,
            "cpd_points": POINTS,
            "other_edition": nullable(ref("Edition")),
            "links": obj({"self": LINK, "html": LINK}),
        }
    ),
    "Edition": obj(
        {"id": STRING, "language": STRING, "links": obj({"self": LINK})},
        "The same course in the other language; modules with the same id share progress and "
        "CPD points.",
    ),
    "Module": obj(
        {
            "id": STRING,
            "position": INTEGER,
            "title": STRING,
            "minutes": INTEGER,
            "cpd_points": POINTS,
            "cpd_category": STRING,
            "competencies": array(STRING),
            "objectives": array(STRING),
            "knowledge_check": BOOLEAN,
            "pass_mark": nullable(INTEGER),
            "review": nullable({"type": "string", "enum": ["after-pass", "never", "always"]}),
            "questions_per_attempt": nullable(INTEGER),
            "attempts_allowed": nullable(INTEGER),
            "retry_after_minutes": nullable(INTEGER),
            "min_read_minutes": nullable({"type": "number"}),
        }
    ),
    "CourseReference": obj(
        {"id": STRING, "title": STRING, "institution": STRING, "links": obj({"self": LINK})}
    ),
    "User": obj(
        {
            "id": INTEGER,
            "email": STRING,
            "full_name": STRING,
            "membership_category": CATEGORY,
            "membership_number": nullable(STRING),
            "country": STRING,
            "language": STRING,
            "roles": array({"type": "string", "enum": [r.value for r in RoleName]}),
            "institution": nullable(ref("Institution")),
            "active": BOOLEAN,
            "created_at": MOMENT,
            "last_login_at": nullable(MOMENT),
        }
    ),
    "Enrolment": obj(
        {
            "course": ref("CourseReference"),
            "status": {"type": "string", "enum": ["in_progress", "completed"]},
            "enrolled_at": nullable(MOMENT),
            "last_visited_at": nullable(MOMENT),
            "completed_at": nullable(MOMENT),
            "modules_done": INTEGER,
            "modules_total": INTEGER,
            "percent": {"type": "integer", "minimum": 0, "maximum": 100},
            "modules": array(
                obj(
                    {
                        "id": STRING,
                        "title": STRING,
                        "started": BOOLEAN,
                        "completed_at": nullable(MOMENT),
                    }
                )
            ),
        }
    ),
    "Cycle": obj(
        {
            "year": {"type": "integer", "description": "The year the cycle starts in."},
            "label": STRING,
            "start": DAY,
            "end": DAY,
        }
    ),
    "CategoryTotal": obj(
        {
            "code": STRING,
            "name": STRING,
            "claimed": POINTS,
            "counted": {**POINTS, "description": "Claimed points after the category's cap."},
            "cap": nullable(POINTS),
            "over_cap": POINTS,
            "minimum": nullable(POINTS),
            "minimum_met": BOOLEAN,
        }
    ),
    "LedgerEntry": obj(
        {
            "id": INTEGER,
            "date": DAY,
            "title": STRING,
            "provider": STRING,
            "category": STRING,
            "points": POINTS,
            "source": {"type": "string", "enum": ["module", "claim", "adjustment", "event"]},
            "competencies": array(STRING),
            "reason": nullable(STRING),
            "recorded_at": MOMENT,
        }
    ),
    "CpdSummary": obj(
        {
            "member": obj(
                {"id": INTEGER, "full_name": STRING, "membership_category": nullable(CATEGORY)},
                "membership_category: of the approved, current membership whose target applies; "
                "null without one (no target applies, none is met).",
            ),
            "cycle": ref("Cycle"),
            "target": nullable(POINTS),
            "exempt": BOOLEAN,
            "claimed": POINTS,
            "counted": POINTS,
            "still_needed": POINTS,
            "target_met": BOOLEAN,
            "expected_by_today": nullable(POINTS),
            "behind_pace": BOOLEAN,
            "unmet_minimums": array(STRING),
            "categories": array(ref("CategoryTotal")),
            "entries": array(ref("LedgerEntry")),
        },
        "A member's CPD standing in one cycle: the same figures as the My CPD page.",
    ),
    "Certificate": obj(
        {
            "code": STRING,
            "programme": obj({"code": STRING, "name": STRING}),
            "level": INTEGER,
            "holder": STRING,
            "issued_on": DAY,
            "expires_on": nullable(DAY),
            "status": {"type": "string", "enum": ["valid", "expired", "revoked"]},
            "revoked_at": nullable(MOMENT),
            "links": obj({"verify": LINK, "badge": LINK}),
        }
    ),
    "ProgrammeStatus": obj(
        {
            "programme": obj(
                {
                    "code": STRING,
                    "name": STRING,
                    "level": INTEGER,
                    "description": STRING,
                    "validity_months": nullable(INTEGER),
                }
            ),
            "eligible": BOOLEAN,
            "rules": array(
                obj(
                    {
                        "kind": {
                            "type": "string",
                            "enum": [
                                "good_standing",
                                "membership",
                                "prerequisite",
                                "course",
                                "cpd_points",
                                "domain_points",
                            ],
                        },
                        "label": STRING,
                        "met": BOOLEAN,
                        "have": nullable(STRING),
                        "need": nullable(STRING),
                        "missing": nullable(STRING),
                    }
                )
            ),
            "missing": array(STRING),
            "certificate": nullable(ref("Certificate")),
            "application": nullable(obj({"id": INTEGER, "status": STRING, "submitted_at": MOMENT})),
            "can_apply": BOOLEAN,
        }
    ),
    "Period": obj({"start": nullable(DAY), "end": nullable(DAY), "label": nullable(STRING)}),
    "Statement": obj(
        {
            "code": STRING,
            "period": ref("Period"),
            "issued_at": MOMENT,
            "status": {"type": "string", "enum": ["valid", "revoked"]},
            "revoked_at": nullable(MOMENT),
            "claimed": nullable(POINTS),
            "counted": nullable(POINTS),
            "target": nullable(POINTS),
            "target_met": BOOLEAN,
            "links": obj({"verify": LINK, "html": LINK}),
        }
    ),
    "VerifiedStatement": obj(
        {
            "type": {"const": "statement"},
            "code": STRING,
            "status": {"type": "string", "enum": ["valid", "revoked"]},
            "issued_at": MOMENT,
            "revoked_at": nullable(MOMENT),
            "member": obj(
                {
                    "name": nullable(STRING),
                    "membership_number": nullable(STRING),
                    "membership_category": nullable(STRING),
                    "membership_state": nullable(
                        {"type": "string", "enum": ["verified", "lapsed", "not_verified"]}
                    ),
                }
            ),
            "membership_today": ref("MembershipToday"),
            "period": ref("Period"),
            "claimed": nullable(POINTS),
            "counted": nullable(POINTS),
            "target": nullable(POINTS),
            "target_met": BOOLEAN,
            "exempt": BOOLEAN,
            "categories": array(
                obj(
                    {
                        "name": nullable(STRING),
                        "claimed": nullable(POINTS),
                        "counted": nullable(POINTS),
                        "cap": nullable(POINTS),
                    }
                )
            ),
        },
        "A CPD statement as issued (its snapshot): later ledger changes do not alter it.",
    ),
    "ComplianceRow": obj(
        {
            "member": obj(
                {
                    "id": INTEGER,
                    "full_name": STRING,
                    "email": STRING,
                    "membership_category": nullable(CATEGORY),
                    "membership_number": nullable(STRING),
                }
            ),
            "target": nullable(POINTS),
            "exempt": BOOLEAN,
            "claimed": POINTS,
            "counted": POINTS,
            "still_needed": POINTS,
            "target_met": BOOLEAN,
            "unmet_minimums": array(STRING),
        }
    ),
}
SCHEMAS["CourseDetail"] = obj(
    {
        **SCHEMAS["CourseSummary"]["properties"],
        "overview_html": {"type": "string", "description": "Sanitised HTML of the overview."},
        "modules": array(ref("Module")),
    }
)
SCHEMAS["MembershipToday"] = obj(
    {
        "state": {"type": "string", "enum": ["verified", "lapsed", "not_verified"]},
        "category": nullable(CATEGORY),
        "number": nullable(STRING),
        "valid_until": nullable(DAY),
        "lapsed_since": nullable(DAY),
        "text": STRING,
    },
    "The holder's membership today, in plain words: a category and number only when verified "
    "by the secretariat; lapsed since a date; or not verified.",
)
SCHEMAS["VerifiedCertificate"] = obj(
    {
        "type": {"const": "certificate"},
        **SCHEMAS["Certificate"]["properties"],
        "membership_today": ref("MembershipToday"),
    }
)
SCHEMAS["MemberRow"] = obj({**SCHEMAS["User"]["properties"], "links": obj({"cpd": LINK})})


def _list(item: dict) -> dict:
    return obj({"data": array(item)})


def _page(item: dict, **extra) -> dict:
    return obj(
        {**extra, "data": array(item), "pagination": ref("Pagination"), "links": ref("PageLinks")}
    )


SCHEMAS["CourseList"] = _page(ref("CourseSummary"))
SCHEMAS["MemberList"] = _page(ref("MemberRow"))
SCHEMAS["ComplianceReport"] = _page(
    ref("ComplianceRow"),
    cycle=ref("Cycle"),
    counts=obj({"members": INTEGER, "met": INTEGER, "not_met": INTEGER, "exempt": INTEGER}),
)
SCHEMAS["EnrolmentList"] = _list(ref("Enrolment"))
SCHEMAS["CertificationList"] = _list(ref("ProgrammeStatus"))
SCHEMAS["StatementList"] = _list(ref("Statement"))
