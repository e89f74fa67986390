"""Requests generated from each service's own OpenAPI, valid and invalid, sent with a token
that holds every role: no answer may be a 5xx, and every answer must be one the schema
documents, with the body the schema promises (schemathesis).

Bounded and reproducible: a few examples per operation, derandomised, no deadline.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import CALLS, FuzzStack

pytestmark = pytest.mark.fuzz

SERVICES = ("identity", "targets", "assessment", "feedback", "scoring", "gateway")
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    allow_header_conformance,
]
BOUNDED = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _document(name: str) -> dict[str, Any]:
    """The service's OpenAPI as its app publishes it (building an app starts nothing)."""
    module = importlib.import_module(f"services.{name}.app")
    upstreams = {f"{n}_url": "http://127.0.0.1:9" for n in SERVICES if n != "gateway"}
    app = module.create_app(
        module.Settings(
            database_url="sqlite+aiosqlite:///:memory:",
            **(upstreams if name == "gateway" else {}),
        )
    )
    document: dict[str, Any] = app.openapi()
    return document


DOCUMENTS = {name: _document(name) for name in SERVICES}
TITLES = {document["info"]["title"]: name for name, document in DOCUMENTS.items()}


# The live alert stream never ends a successful answer (it is a Server-Sent Events stream
# with keep-alive pings), so a generated call that is let in would read forever; its refusals
# and its events are covered by tests/gateway/test_alerts.py.
ENDLESS = r"^/events/"


@schemathesis.pytest.parametrize(
    **{
        name: schemathesis.openapi.from_dict(document).exclude(path_regex=ENDLESS)
        for name, document in DOCUMENTS.items()
    }
)
@BOUNDED
def test_every_operation_answers_as_documented(case: Any, fuzz_stack: FuzzStack) -> None:
    service = TITLES[case.operation.schema.raw_schema["info"]["title"]]
    key = f"{service} {case.operation.label}"
    CALLS[key] = CALLS.get(key, 0) + 1
    case.call_and_validate(
        base_url=fuzz_stack.urls[service], headers=fuzz_stack.headers, checks=CHECKS, timeout=30
    )
