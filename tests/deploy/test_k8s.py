"""deploy/k8s renders with kustomize (base and both overlays), every document is valid
against Kubernetes' schemas (kubernetes-validate) or the operators' (tests/deploy/schemas/
operators.yaml), and the manifests say what the services really read, serve and expect."""

from __future__ import annotations

import re
import subprocess
from copy import deepcopy
from functools import cache
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from deploy.tools import KUSTOMIZE, KUSTOMIZE_VERSION
from services.common.events import ALL_TOPICS, dead_letter_topic
from services.common.messaging.broker import DEFAULT_PARTITIONS
from tests.deploy import services_info as info
from tests.deploy.contract import DEPLOY, ROOT

pytestmark = pytest.mark.unit

K8S = DEPLOY / "k8s"
TREES = ["base", "overlays/dev", "overlays/prod"]
# The oldest Kubernetes still supported upstream when written, and the newest schemas.
KUBERNETES = ["1.33.0", kubernetes_validate.latest_version()]

Doc = dict[str, Any]


# The pinned kustomize deploy.tools builds from the Go module proxy (scripts/install.sh runs
# it): the same renderer on every machine, whatever kubectl the machine has or lacks.


@cache
def render(tree: str) -> tuple[Doc, ...]:
    """kustomize's own output."""
    assert KUSTOMIZE.exists(), f"{KUSTOMIZE} is missing: run scripts/install.sh"
    command = [str(KUSTOMIZE), "build", str(K8S / tree)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def test_kustomize_is_the_pinned_one() -> None:
    assert KUSTOMIZE.exists(), f"{KUSTOMIZE} is missing: run scripts/install.sh"
    version = subprocess.run([str(KUSTOMIZE), "version"], capture_output=True, text=True)
    assert version.stdout.strip() == KUSTOMIZE_VERSION


def of_kind(tree: str, kind: str) -> list[Doc]:
    return [doc for doc in render(tree) if doc["kind"] == kind]


def named(tree: str, kind: str, name: str) -> Doc:
    return next(doc for doc in of_kind(tree, kind) if doc["metadata"]["name"] == name)


@cache
def operator_schemas() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "tests/deploy/schemas/operators.yaml").read_text()))


def operator_errors(doc: Doc) -> list[str]:
    schema = operator_schemas().get(f"{doc['apiVersion']}/{doc['kind']}")
    assert schema is not None, f"no schema for {doc['apiVersion']} {doc['kind']}"
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]


def is_core(doc: Doc) -> bool:
    group = doc["apiVersion"].rpartition("/")[0]
    return group in {"", "apps", "policy", "networking.k8s.io", "batch"}


@pytest.mark.parametrize("tree", TREES)
@pytest.mark.parametrize("version", KUBERNETES)
def test_core_documents_match_kubernetes_schemas(tree: str, version: str) -> None:
    core = [doc for doc in render(tree) if is_core(doc)]
    assert len(core) >= 20
    for doc in core:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("tree", TREES)
def test_operator_documents_match_their_schemas(tree: str) -> None:
    custom = [doc for doc in render(tree) if not is_core(doc)]
    kinds = {doc["kind"] for doc in custom}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "Database", "PodMonitor"} <= kinds
    for doc in custom:
        assert not operator_errors(doc), (doc["kind"], doc["metadata"]["name"])


def test_the_validators_refuse_a_misspelt_field() -> None:
    deployment = deepcopy(named("base", "Deployment", "scoring"))
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES[0], strict=True)
    topic = deepcopy(of_kind("base", "KafkaTopic")[0])
    topic["spec"]["partition"] = topic["spec"].pop("partitions")
    assert operator_errors(topic)
    cluster = deepcopy(named("overlays/prod", "Cluster", "kinerja-pg"))
    cluster["spec"]["backup"]["retentionPolicy"] = "30 days"
    assert operator_errors(cluster)


@pytest.mark.parametrize("tree", TREES)
def test_topics_are_the_services_topics_with_their_partitions(tree: str) -> None:
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(tree, "KafkaTopic")}
    expected = set(ALL_TOPICS) | {dead_letter_topic(t) for t in ALL_TOPICS}
    assert set(topics) == expected
    nodes = named(tree, "KafkaNodePool", "dual-role")["spec"]
    for spec in topics.values():
        assert spec["partitions"] == DEFAULT_PARTITIONS
        assert spec["replicas"] <= nodes["replicas"]
        assert spec["config"]["min.insync.replicas"] < spec["replicas"] or spec["replicas"] == 1
    assert set(nodes["roles"]) == {"controller", "broker"}
    kafka = of_kind(tree, "Kafka")[0]
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] <= nodes["replicas"]


@pytest.mark.parametrize("tree", TREES)
def test_scoring_scales_within_its_partitions(tree: str) -> None:
    replicas = named(tree, "Deployment", "scoring")["spec"]["replicas"]
    assert 1 <= replicas <= DEFAULT_PARTITIONS
    if tree == "overlays/prod":
        assert replicas > 1


def container(tree: str, name: str) -> Doc:
    return dict(named(tree, "Deployment", name)["spec"]["template"]["spec"]["containers"][0])


@pytest.mark.parametrize("name", info.NAMES)
def test_deployment_runs_the_service_with_probes_it_serves(name: str) -> None:
    c = container("base", name)
    assert c["args"] == [f"services.{name}"]
    assert c["ports"] == [{"name": "http", "containerPort": info.default_port(name)}]
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[probe]["httpGet"]["path"] in info.served_paths(name)
    assert c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"]
    pod = named("base", "Deployment", name)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    service = named("base", "Service", name)["spec"]
    assert service["ports"][0]["port"] == info.default_port(name)
    budget = named("base", "PodDisruptionBudget", name)["spec"]
    assert budget["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}


@pytest.mark.parametrize("name", info.NAMES)
def test_every_variable_is_a_setting_or_an_input_of_one(name: str) -> None:
    env = container("base", name)["env"]
    values = " ".join(str(v.get("value", "")) for v in env)
    inputs = set(re.findall(r"\$\((\w+)\)", values))
    loaded = [ref["configMapRef"]["name"] for ref in container("base", name)["envFrom"]]
    names = {v["name"] for v in env}
    for config in loaded:  # every key of an envFrom ConfigMap becomes a variable
        names |= set(named("base", "ConfigMap", config)["data"])
    unknown = names - info.env_names(name) - inputs
    assert not unknown, f"{name} reads no such setting: {sorted(unknown)}"
    prefix = info.env_prefix(name)
    url = next(v["value"] for v in env if v["name"] == f"{prefix}DATABASE_URL")
    assert url.startswith(f"postgresql+asyncpg://{name}:") and url.endswith(f"/{name}")


def test_every_service_has_its_database_and_role() -> None:
    databases = {d["spec"]["name"]: d["spec"] for d in of_kind("base", "Database")}
    assert set(databases) == set(info.NAMES)
    assert all(spec["owner"] == name for name, spec in databases.items())
    roles = named("base", "Cluster", "kinerja-pg")["spec"]["managed"]["roles"]
    assert {role["name"] for role in roles} == set(info.NAMES)


def test_prod_backs_up_postgres_and_dev_generates_every_secret() -> None:
    backup = named("overlays/prod", "Cluster", "kinerja-pg")["spec"]["backup"]
    assert backup["barmanObjectStore"]["destinationPath"].startswith("s3://")
    scheduled = of_kind("overlays/prod", "ScheduledBackup")[0]["spec"]
    assert scheduled["cluster"]["name"] == "kinerja-pg"
    secrets = {s["metadata"]["name"] for s in of_kind("overlays/dev", "Secret")}
    assert secrets == {"kinerja-secrets"} | {f"kinerja-pg-{name}" for name in info.NAMES}
    assert not of_kind("overlays/prod", "Secret")  # never committed for production


def ingress_rules(tree: str) -> dict[str, list[Doc]]:
    return {
        p["metadata"]["name"]: p["spec"].get("ingress", []) for p in of_kind(tree, "NetworkPolicy")
    }


def test_only_the_gateway_is_open_and_metrics_only_to_monitoring() -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind("base", "NetworkPolicy")}
    deny = policies["default-deny-ingress"]
    assert deny["podSelector"] == {} and "ingress" not in deny
    open_to_all = [
        name
        for name, spec in policies.items()
        if any("from" not in rule for rule in spec.get("ingress", []))
    ]
    assert open_to_all == ["gateway-public"]
    assert policies["gateway-public"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "gateway"
    }
    backends = policies["services-from-gateway-and-monitoring"]
    selected = set(backends["podSelector"]["matchExpressions"][0]["values"])
    assert selected == set(info.NAMES) - {"gateway"}
    peers = [peer for rule in backends["ingress"] for peer in rule["from"]]
    assert peers == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
    ]


def test_pod_monitor_scrapes_every_service_as_the_alerts_expect() -> None:
    monitor = of_kind("base", "PodMonitor")[0]["spec"]
    selector = monitor["selector"]["matchLabels"]
    for name in info.NAMES:
        labels = named("base", "Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
    endpoint = monitor["podMetricsEndpoints"][0]
    assert endpoint["path"] == "/metrics" and "/metrics" in info.served_paths("identity")
    assert {"targetLabel": "job", "replacement": "kinerja"} in endpoint["relabelings"]


def env_of(doc: Doc) -> dict[str, Any]:
    """name -> value (or valueFrom) of a workload's first container."""
    spec = doc["spec"]["template"]["spec"]["containers"][0]
    return {v["name"]: v.get("value", v.get("valueFrom")) for v in spec.get("env", [])}


@pytest.mark.parametrize("tree", TREES)
def test_the_migrate_job_migrates_what_each_service_then_expects(tree: str) -> None:
    job = named(tree, "Job", "migrate")
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"] == ["services.migrate"]
    assert pod["containers"][0]["image"] == container(tree, "identity")["image"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    job_env = env_of(job)
    for name in info.NAMES:
        key = f"{info.env_prefix(name)}DATABASE_URL"
        service_url = env_of(named(tree, "Deployment", name))[key]
        # Same URL, its password input under the Job's own name for it.
        assert job_env[key] == service_url.replace(
            "$(PG_PASSWORD)", f"$(PG_PASSWORD_{name.upper()})"
        )
        assert job_env[f"PG_PASSWORD_{name.upper()}"] == {
            "secretKeyRef": {"name": f"kinerja-pg-{name}", "key": "password"}
        }
    assert not [k for k in job_env if "JWT" in k or "PLATFORM" in k]  # no other secret
    # The services never migrate themselves: they wait for the Job.
    assert named(tree, "ConfigMap", "kinerja-config")["data"]["KINERJA_MIGRATE_AT_START"] == (
        "false"
    )
    postgres = ingress_rules(tree)["postgres-from-services-and-operator"]
    labels = job["spec"]["template"]["metadata"]["labels"]
    selectors = [
        peer["podSelector"]["matchLabels"]
        for rule in postgres
        for peer in rule["from"]
        if "podSelector" in peer
    ]
    assert any(selector.items() <= labels.items() for selector in selectors)


@pytest.mark.parametrize("tree", TREES)
def test_identity_and_feedback_share_redis_and_only_they_reach_it(tree: str) -> None:
    redis = named(tree, "Service", "redis")["spec"]
    address = f"redis://redis:{redis['ports'][0]['port']}/0"
    for name in ("identity", "feedback"):
        assert (
            env_of(named(tree, "Deployment", name))[
                f"{info.env_prefix(name)}RATE_LIMIT_STORAGE_URL"
            ]
            == address
        )
    assert named(tree, "Deployment", "redis")["spec"]["template"]["metadata"]["labels"].items() >= (
        redis["selector"].items()
    )
    policy = ingress_rules(tree)["redis-from-identity-and-feedback"]
    peers = [peer for rule in policy for peer in rule["from"]]
    assert peers == [
        {
            "podSelector": {
                "matchExpressions": [
                    {
                        "key": "app.kubernetes.io/name",
                        "operator": "In",
                        "values": ["identity", "feedback"],
                    }
                ]
            }
        }
    ]
    assert [p["port"] for rule in policy for p in rule["ports"]] == [redis["ports"][0]["port"]]


def test_production_runs_two_of_every_service() -> None:
    for name in info.NAMES:
        assert named("overlays/prod", "Deployment", name)["spec"]["replicas"] >= 2, name
    for name in info.NAMES:
        assert named("overlays/dev", "Deployment", name)["spec"]["replicas"] == 1, name
