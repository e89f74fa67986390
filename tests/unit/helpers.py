"""What the unit tests share: a service's app built without starting it, and the search for
unbounded fields in a JSON schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from services.assessment import app as assessment
from services.feedback import app as feedback
from services.gateway import app as gateway
from services.identity import app as identity
from services.scoring import app as scoring
from services.targets import app as targets


def build(name: str, tmp_path: Path) -> FastAPI:
    """The service's app, not started (no database or broker is touched)."""
    module = SERVICES[name]
    settings = module.Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.db")
    app: FastAPI = module.create_app(settings)
    return app


def unbounded_in(node: Any, defs: dict[str, Any], path: str) -> list[str]:
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        return unbounded_in(defs[node["$ref"].rsplit("/", 1)[-1]], defs, path)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            found += unbounded_in(option, defs, path)
    kind = node.get("type")
    if kind == "string" and not bounded_string(node):
        found.append(path or "<root>")
    elif kind == "array":
        if "maxItems" not in node:
            found.append(path)
        found += unbounded_in(node.get("items"), defs, path + "[]")
    elif kind == "object":
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            keys = node.get("propertyNames", {})
            if "maxProperties" not in node and "enum" not in keys and "$ref" not in keys:
                found.append(path + "{}")
            found += unbounded_in(extra, defs, path + "{}")
        for name, sub in node.get("properties", {}).items():
            found += unbounded_in(sub, defs, f"{path}.{name}")
    return found


SERVICES = {
    "identity": identity,
    "targets": targets,
    "assessment": assessment,
    "feedback": feedback,
    "scoring": scoring,
    "gateway": gateway,
}


def bounded_string(node: dict[str, Any]) -> bool:
    if "maxLength" in node or "enum" in node or "const" in node:
        return True
    if node.get("format") in ("date", "date-time", "uuid", "binary"):
        return True
    # An anchored pattern with no open-ended repetition: ^\d{18}$, a tenant slug.
    pattern = node.get("pattern", "")
    return pattern.startswith("^") and pattern.endswith("$") and not set("*+") & set(pattern)
