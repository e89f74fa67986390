"""Issue 11: every text and list a service's API takes in has an upper bound, and an
over-long value is refused with 422 saying where and what the bound is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.unit.helpers import SERVICES, build, unbounded_in

pytestmark = pytest.mark.unit


def request_bodies(app: FastAPI) -> dict[str, dict[str, Any]]:
    spec = app.openapi()
    bodies = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            # A CSV file is bounded in bytes (identity's max_import_bytes), not in fields.
            if "application/json" in content:
                bodies[f"{method.upper()} {path}"] = content["application/json"]["schema"]
    return bodies


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_request_body_bounds_its_texts_and_lists(name: str, tmp_path: Path) -> None:
    app = build(name, tmp_path)
    defs = app.openapi().get("components", {}).get("schemas", {})
    found = {
        route: holes
        for route, schema in request_bodies(app).items()
        if (holes := unbounded_in(schema, defs, ""))
    }
    assert found == {}
