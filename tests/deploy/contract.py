"""The metrics contract (deploy/METRICS.md) read three ways: what the document lists, what
the services' code declares, and what a PromQL expression queries. Shared by the contract,
alert-rule and dashboard tests so that all three agree on one list."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
from fastapi import FastAPI
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ROOT / "services"
METRICS_MD = DEPLOY / "METRICS.md"

# Synthetic series Prometheus itself writes for every target.
PROMETHEUS_MADE = {"up"}

_ROW = re.compile(r"^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \| (counter|gauge|histogram|summary) \|")
_CONSTRUCTORS = {
    "Counter": "counter",
    "Gauge": "gauge",
    "Histogram": "histogram",
    "Summary": "summary",
}


@dataclass(frozen=True)
class Contract:
    exposed: dict[str, str]  # name -> type
    pending: dict[str, str]

    @property
    def all(self) -> dict[str, str]:
        return {**self.exposed, **self.pending}

    def family(self, selector: str) -> str | None:
        """The documented metric a series name belongs to (``x_bucket`` -> histogram ``x``)."""
        known = self.all
        if selector in known:
            return selector
        for suffix in ("_bucket", "_sum", "_count"):
            base = selector.removesuffix(suffix)
            kind = known.get(base) if base != selector else None
            if kind == "histogram" or (kind == "summary" and suffix != "_bucket"):
                return base
        return None


def documented(text: str | None = None) -> Contract:
    """The rows of METRICS.md: above "## To be added" exposed today, below it pending."""
    text = METRICS_MD.read_text() if text is None else text
    today, _, later = text.partition("\n## To be added")
    assert later, "METRICS.md has no '## To be added' section"

    def rows(part: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in part.splitlines():
            if match := _ROW.match(line):
                name, kind = match.groups()
                assert name not in found, f"{name} is listed twice"
                found[name] = kind
        return found

    return Contract(exposed=rows(today), pending=rows(later))


def exposition_name(name: str, kind: str) -> str:
    """The name a query uses: prometheus_client adds ``_total`` to a counter's name."""
    return name if kind != "counter" or name.endswith("_total") else f"{name}_total"


def _prometheus_imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> metric type, for names imported from prometheus_client in a module
    (``collections.Counter`` is a different thing and must not count)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "prometheus_client":
            for alias in node.names:
                if alias.name in _CONSTRUCTORS:
                    names[alias.asname or alias.name] = _CONSTRUCTORS[alias.name]
    return names


def _metric_name(call: ast.Call) -> str | None:
    for arg in call.args[:1]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    for kw in call.keywords:
        if kw.arg == "name" and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    return None


def declared_in_services(root: Path = SERVICES) -> tuple[dict[str, str], set[str]]:
    """Metrics the services' code constructs itself (name -> type), and which library
    constructors it calls (``Instrumentator``, ``KafkaPrometheusMiddleware``)."""
    declared: dict[str, str] = {}
    libraries: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        source = path.read_text()
        for library in ("Instrumentator", "KafkaPrometheusMiddleware"):
            if re.search(rf"\b{library}\(", source):
                libraries.add(library)
        tree = ast.parse(source)
        constructors = _prometheus_imports(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in constructors
            ):
                name = _metric_name(node)
                assert name, f"{path}:{node.lineno}: a metric whose name is not a literal"
                kind = constructors[node.func.id]
                declared[exposition_name(name, kind)] = kind
    return declared, libraries


def library_metrics(libraries: set[str]) -> dict[str, str]:
    """What the pinned libraries register, asked of the libraries themselves (configured as
    services/common/observability.py and messaging/broker.py configure them)."""
    registry = CollectorRegistry()
    if "Instrumentator" in libraries:
        app = FastAPI()
        Instrumentator(registry=registry, should_group_status_codes=False).instrument(app)
        app.build_middleware_stack()  # the instrumentator creates its metrics here
    if "KafkaPrometheusMiddleware" in libraries:
        KafkaPrometheusMiddleware(registry=registry, app_name="probe")
    return {exposition_name(f.name, f.type): f.type for f in registry.collect()}


def declared_in_code() -> dict[str, str]:
    own, libraries = declared_in_services()
    return {**library_metrics(libraries), **own}


def _children(node: Any) -> Iterator[Any]:
    for attr in ("args", "expr", "lhs", "rhs", "param", "vector_selector"):
        child = getattr(node, attr, None)
        if child is None:
            continue
        if isinstance(child, list):
            yield from child
        else:
            yield child


def queried_metrics(expr: str) -> set[str]:
    """The metric names a PromQL expression selects, by Prometheus's grammar (promql-parser,
    a port of the Prometheus parser), not by a regex that might take a label for a metric."""
    found: set[str] = set()
    stack = [promql_parser.parse(expr)]
    while stack:
        node = stack.pop()
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name in {expr!r}"
            found.add(node.name)
        stack.extend(_children(node))
    return found


def grafana_to_promql(expr: str) -> str:
    """A Grafana panel query as plain PromQL: its variables replaced by sample values."""
    expr = re.sub(r"\$__(rate_)?interval|\$__range", "5m", expr)
    return re.sub(r"\$\{?\w+(:\w+)?\}?", "x", expr)
