"""Settings that must fail closed, and the Kafka connection every client is built from."""

from __future__ import annotations

import ssl

import certifi
import pytest
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from services.common.kafka import KafkaClientConfig, split_servers
from services.common.messaging import create_broker
from services.common.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings
from services.identity.app import Settings as IdentitySettings

pytestmark = pytest.mark.unit

PRIVATE_SECRET = "a-private-secret-of-at-least-32-characters"
CLUSTER = "127.0.0.1:29092,127.0.0.1:29192,127.0.0.1:29292"


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")
    service_name: str = "demo"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: the suite's own KINERJA_ENVIRONMENT=development is removed."""
    for name in (
        "KINERJA_ENVIRONMENT",
        "KINERJA_JWT_SECRET",
        "KAFKA_BOOTSTRAP_SERVERS",
        "IDENTITY_PLATFORM_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in ("SECURITY_PROTOCOL", "SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD"):
        monkeypatch.delenv(f"KAFKA_{name}", raising=False)
    for name in ("CAFILE", "CERTFILE", "KEYFILE", "KEY_PASSWORD"):
        monkeypatch.delenv(f"KAFKA_SSL_{name}", raising=False)


# ---------------------------------------------------------------- fails closed


def test_without_an_environment_the_development_secret_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        DemoSettings()
    message = str(refused.value)
    assert "KINERJA_JWT_SECRET is the public development value" in message
    assert "'production'" in message and "KINERJA_ENVIRONMENT=development" in message


def test_the_environment_defaults_to_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_JWT_SECRET", PRIVATE_SECRET)
    assert DemoSettings().environment == "production"


def test_development_values_need_development_said_explicitly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINERJA_ENVIRONMENT", "development")
    assert DemoSettings().jwt_secret == DEVELOPMENT_JWT_SECRET
    monkeypatch.setenv("KINERJA_ENVIRONMENT", "test")
    with pytest.raises(ValidationError, match="public development value"):
        DemoSettings()


def test_without_an_environment_the_platform_password_default_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINERJA_JWT_SECRET", PRIVATE_SECRET)
    with pytest.raises(ValidationError, match="IDENTITY_PLATFORM_PASSWORD"):
        IdentitySettings()
    monkeypatch.setenv("IDENTITY_PLATFORM_PASSWORD", "a-private-platform-password")
    assert IdentitySettings().environment == "production"


# ---------------------------------------------------------------- bootstrap servers


def test_the_comma_separated_variable_becomes_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_ENVIRONMENT", "development")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", CLUSTER)
    assert DemoSettings().kafka_bootstrap_servers == CLUSTER.split(",")
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP_SERVERS", " 10.0.0.1:9092 , 10.0.0.2:9092,")
    assert DemoSettings().kafka_bootstrap_servers == ["10.0.0.1:9092", "10.0.0.2:9092"]
    given = DemoSettings(environment="development", kafka_bootstrap_servers=["h:1", "h:2"])
    assert given.kafka_bootstrap_servers == ["h:1", "h:2"]
    assert given.kafka.bootstrap_servers == ("h:1", "h:2")


@pytest.mark.parametrize("value", ["", " , ", "host:port", "a:1;b:2", "a:1 b:2", ":9092"])
def test_a_bad_bootstrap_list_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("KINERJA_ENVIRONMENT", "development")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", value)
    with pytest.raises(ValidationError, match="Kafka"):
        DemoSettings()


def test_split_servers_accepts_host_only_and_ipv6() -> None:
    assert split_servers("kafka") == ["kafka"]
    assert split_servers("[::1]:9092,kafka-2:9093") == ["[::1]:9092", "kafka-2:9093"]


def test_every_client_gets_the_list() -> None:
    settings = DemoSettings(environment="development", kafka_bootstrap_servers=CLUSTER)
    servers = CLUSTER.split(",")
    broker = create_broker(settings.kafka)
    assert broker._connection_kwargs["bootstrap_servers"] == servers  # producer
    assert broker.config.builder.keywords["bootstrap_servers"] == servers  # consumers
    assert settings.kafka.client_options()["bootstrap_servers"] == servers  # admin, tools


# ---------------------------------------------------------------- TLS and SASL


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    kafka = DemoSettings(environment="development").kafka
    assert kafka.faststream_security() is None
    assert kafka.client_options() == {
        "bootstrap_servers": ["127.0.0.1:19092"],
        "security_protocol": "PLAINTEXT",
    }


@pytest.mark.parametrize(
    ("mechanism", "security_class"),
    [("PLAIN", SASLPlaintext), ("SCRAM-SHA-256", SASLScram256), ("SCRAM-SHA-512", SASLScram512)],
)
def test_sasl_ssl_reaches_the_broker_and_the_admin_client(
    monkeypatch: pytest.MonkeyPatch, mechanism: str, security_class: type[BaseSecurity]
) -> None:
    monkeypatch.setenv("KINERJA_ENVIRONMENT", "development")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", mechanism)
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "kinerja")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    monkeypatch.setenv("KAFKA_SSL_CAFILE", certifi.where())
    settings = DemoSettings()
    assert "s3cret" not in repr(settings)  # a secret, not logged with the settings

    security = settings.kafka.faststream_security()
    assert type(security) is security_class
    assert security.use_ssl and isinstance(security.ssl_context, ssl.SSLContext)

    options = settings.kafka.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == mechanism
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("kinerja", "s3cret")
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert options["ssl_context"].check_hostname

    sent = create_broker(settings.kafka)._connection_kwargs
    assert sent["security_protocol"] == "SASL_SSL"
    assert sent["sasl_mechanism"] == mechanism
    assert (sent["sasl_plain_username"], sent["sasl_plain_password"]) == ("kinerja", "s3cret")
    assert isinstance(sent["ssl_context"], ssl.SSLContext)


def test_sasl_plaintext_has_no_tls() -> None:
    kafka = DemoSettings(
        environment="development",
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="u",
        kafka_sasl_password="p",
    ).kafka
    security = kafka.faststream_security()
    assert isinstance(security, SASLScram256) and not security.use_ssl
    assert "ssl_context" not in kafka.client_options()
    sent = create_broker(kafka)._connection_kwargs
    assert (sent["security_protocol"], sent["ssl_context"]) == ("SASL_PLAINTEXT", None)


def test_ssl_without_sasl() -> None:
    kafka = KafkaClientConfig(("b:9093",), security_protocol="SSL", ssl_cafile=certifi.where())
    security = kafka.faststream_security()
    assert type(security) is BaseSecurity and security.use_ssl
    options = kafka.client_options()
    assert options["security_protocol"] == "SSL" and "sasl_mechanism" not in options
    assert create_broker(kafka)._connection_kwargs["security_protocol"] == "SSL"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
        (
            {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "u"},
            "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
        ),
        ({"kafka_ssl_cafile": "/etc/ca.pem"}, "use SSL or SASL_SSL"),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_keyfile": "/etc/key.pem"},
            "KAFKA_SSL_KEYFILE needs KAFKA_SSL_CERTFILE",
        ),
        ({"kafka_security_protocol": "TLS"}, "kafka_security_protocol"),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
    ],
)
def test_half_configured_security_is_refused_at_start(
    overrides: dict[str, str], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        DemoSettings(environment="development", **overrides)  # type: ignore[arg-type]
