"""The OpenAPI document validates, describes every route, and the app keeps to it under
schemathesis' generated requests (a member's token and an admin's)."""

import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import API, bearer
from wired4ex.api.schemas.openapi import build_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 8


def run_generated(operation, headers: dict, seen: set[int]) -> None:
    """Up to MAX_EXAMPLES generated requests to one operation, each response validated."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        seen.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    run()


def test_document_is_valid_openapi_31(client):
    document = client.get(API + "/openapi.json").get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_document_describes_every_api_route(app):
    documented = {
        re.sub(r"\{(\w+_id)\}", r"<int:\1>", path).replace("{", "<").replace("}", ">")
        for path in build_document()["paths"]
    }
    routes = {
        rule.rule.removeprefix(API)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    }
    assert routes == documented


def test_generated_requests_keep_to_the_document(app, world):
    """Every operation, with a member's token and with an admin's: no 500, every status and
    body as documented. Runtime is bounded by MAX_EXAMPLES per operation and caller."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_wsgi(API + "/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(build_document()["paths"])
    statuses: dict[tuple[str, str], set[int]] = {}
    started = time.monotonic()
    for who in ("alice", "ada"):
        headers = bearer(world.tokens[who])
        for operation in operations:
            try:
                run_generated(
                    operation, headers, statuses.setdefault((who, operation.label), set())
                )
            except Exception as error:
                pytest.fail(f"{who} {operation.label}: {error}")
    # Random ids rarely exist: the fixture's real ones, so their 200 bodies are checked too.
    by_label = {operation.label: operation for operation in operations}
    known = [
        ("GET /courses/{institution}/{course}",
         dict(path_parameters={"institution": "eaihm", "course": "quality-improvement"})),
        ("GET /verify/{code}", dict(path_parameters={"code": world.statement_code})),
        ("GET /verify/{code}", dict(path_parameters={"code": world.certificate_code})),
        ("GET /verify/{code}", dict(path_parameters={"code": world.revoked_certificate_code})),
        ("GET /members/{member_id}/cpd",
         dict(path_parameters={"member_id": world.alice.id}, query={"cycle": 2025})),
    ]  # fmt: skip
    for who in ("alice", "ada"):
        for label, values in known:
            case = by_label[label].Case(**values)
            response = case.call_and_validate(headers=bearer(world.tokens[who]), checks=CHECKS)
            statuses[(who, label)].add(response.status_code)
    assert time.monotonic() - started < 90
    assert len(statuses) == 2 * len(operations)  # every operation ran for both callers
    assert 403 in statuses[("alice", "GET /members")]
    assert 200 in statuses[("ada", "GET /members")]
    assert 200 in statuses[("alice", "GET /me/cpd")]
    for label, _values in known:
        assert 200 in statuses[("ada", label)], label
