"""Settings shared by every service, read from the environment with pydantic-settings.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` (``IDENTITY_``,
``TARGETS_`` ...). A few values are the same for the whole deployment (the Kafka address,
the JWT secret); a service reads its own prefixed variable first and falls back to the
deployment-wide one, so an operator sets ``KAFKA_BOOTSTRAP_SERVERS`` once.

Fails closed: the environment defaults to ``production``, where the public development
values (JWT secret, identity's platform password) are refused. A development machine says
so with ``KINERJA_ENVIRONMENT=development`` (``deploy.run``, ``scripts/demo.sh`` and the
test suite do).
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.common.kafka import KafkaClientConfig, SaslMechanism, SecurityProtocol, split_servers

DEVELOPMENT_JWT_SECRET = "kinerja-development-secret-change-me"


# Any: the field's type validates the raw string (validate_default is on for settings).
def _env(name: str, default: str) -> Any:
    return os.environ.get(name, default)


def _optional_env(name: str) -> Any:
    return os.environ.get(name) or None


def default_database_url(data_dir: str, service: str) -> str:
    """The embedded default: one SQLite file per service in the data directory."""
    return f"sqlite+aiosqlite:///{data_dir}/{service}.db"


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``model_config['env_prefix']``."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = Field(
        default_factory=lambda: _env("KINERJA_ENVIRONMENT", "production")
    )
    database_url: str = ""
    # "host:port,host:port" in the environment (NoDecode: not JSON), a list for the clients.
    kafka_bootstrap_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: _env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    )
    kafka_security_protocol: SecurityProtocol = Field(
        default_factory=lambda: _env("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    )
    kafka_ssl_cafile: str | None = Field(default_factory=lambda: _optional_env("KAFKA_SSL_CAFILE"))
    kafka_ssl_certfile: str | None = Field(
        default_factory=lambda: _optional_env("KAFKA_SSL_CERTFILE")
    )
    kafka_ssl_keyfile: str | None = Field(
        default_factory=lambda: _optional_env("KAFKA_SSL_KEYFILE")
    )
    kafka_ssl_key_password: SecretStr | None = Field(
        default_factory=lambda: _optional_env("KAFKA_SSL_KEY_PASSWORD")
    )
    kafka_sasl_mechanism: SaslMechanism = Field(
        default_factory=lambda: _env("KAFKA_SASL_MECHANISM", "PLAIN")
    )
    kafka_sasl_username: str | None = Field(
        default_factory=lambda: _optional_env("KAFKA_SASL_USERNAME")
    )
    kafka_sasl_password: SecretStr | None = Field(
        default_factory=lambda: _optional_env("KAFKA_SASL_PASSWORD")
    )
    # A prefix for every topic name: lets two deployments (or two test runs) share a broker.
    topic_prefix: str = Field(default_factory=lambda: _env("KINERJA_TOPIC_PREFIX", ""))
    jwt_secret: str = Field(
        default_factory=lambda: _env("KINERJA_JWT_SECRET", DEVELOPMENT_JWT_SECRET)
    )
    # Secrets that still verify tokens but never sign one ("a,b" in the environment): the
    # secret just replaced, while the tokens it signed are alive (refresh: 7 days).
    jwt_previous_secrets: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: _env("KINERJA_JWT_PREVIOUS_SECRETS", "")
    )
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    host: str = "127.0.0.1"
    port: int = 8000
    # Consumers retry a failing event this many times before it goes to the dead-letter topic.
    max_delivery_attempts: int = 3
    consumer_max_records: int = 500
    # How long a consumer's poll waits for records; with none, FastStream then sleeps as
    # long again before the next poll, and an event arriving in that sleep waits for it
    # (up to this long per hop; an alert takes two: scoring, then the gateway). Records
    # that are there are taken at once, so it costs latency only when a consumer is idle.
    # 10 ms tripled each service's idle CPU (1.2 -> 3 % of a core) without a latency gain
    # that a busy 2-core machine could show (bench/README.md, alert_latency).
    consumer_batch_timeout_ms: int = Field(default=100, ge=1)
    # What one fetch may bring per partition: with Kafka's 1 MiB default a batch holds at
    # most ~2,500 events per partition, whatever consumer_max_records says.
    consumer_partition_fetch_bytes: int = 1 << 20
    # At most this many distinct keys (the entities events are about) handed to a batch
    # handler at once: a larger batch is applied chunk by chunk in its one transaction, so
    # its memory is one chunk's (0: the whole batch at once).
    consumer_chunk_keys: int = Field(default=0, ge=0)
    # How often the readiness checks run in the background (kinerja_readiness_check), the
    # consumer groups' lag is read from their committed offsets (kinerja_consumer_lag), and
    # the dead-letter topics' backlog is measured (kinerja_dead_letter_messages).
    readiness_check_seconds: float = Field(default=15.0, gt=0)
    consumer_lag_check_seconds: float = Field(default=15.0, gt=0)
    dead_letter_check_seconds: float = Field(default=60.0, gt=0)
    outbox_poll_seconds: float = 1.0
    # /readyz says not ready when rows wait and the relay has published none of them for
    # this long (Kafka down, a producer that no longer works).
    outbox_stall_seconds: float = 60.0
    # The largest event the relay sends (the producer's max_request_size; Kafka's default
    # message.max.bytes is 1 MiB too): a larger outbox row is parked, never sent.
    outbox_max_record_bytes: int = 1 << 20
    data_dir: str = Field(default_factory=lambda: _env("KINERJA_DATA_DIR", ".data"))
    # False where migrations run as their own step (``python -m services.migrate``, the
    # compose one-shot, the Kubernetes Job): the service then waits up to
    # ``migration_wait_seconds`` for its database to be at the revision it expects.
    migrate_at_start: bool = Field(default_factory=lambda: _env("KINERJA_MIGRATE_AT_START", "true"))
    migration_wait_seconds: float = Field(default=300.0, ge=0)
    # Proxies in front of this service whose X-Forwarded-For hops are believed (per-address
    # limits), counted from the right: 1 behind the gateway alone, 0 when reachable directly.
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    # A request body over this is refused with 413 before it is parsed (``BodyLimit``).
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    # Older spelling of trusted_proxies=1, still read so existing deployments keep working.
    trust_forwarded_for: bool = False

    @field_validator("kafka_bootstrap_servers", mode="before")
    @classmethod
    def _split_servers(cls, value: Any) -> Any:
        return split_servers(value) if isinstance(value, str | list | tuple) else value

    @field_validator("jwt_previous_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _defaults(self) -> ServiceSettings:
        if self.trust_forwarded_for and self.trusted_proxies == 0:
            self.trusted_proxies = 1
        if not self.database_url:
            self.database_url = default_database_url(self.data_dir, self.service_name)
        if self.environment != "development" and self.jwt_secret == DEVELOPMENT_JWT_SECRET:
            raise ValueError(
                f"KINERJA_JWT_SECRET is the public development value and the environment is "
                f"{self.environment!r}: set a private secret of 32+ characters, or set "
                "KINERJA_ENVIRONMENT=development on a development machine"
            )
        if len(self.jwt_secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters long")
        if any(len(old) < 32 for old in self.jwt_previous_secrets):
            raise ValueError("every previous JWT secret must be at least 32 characters long")
        previous = self.jwt_previous_secrets
        if self.environment != "development" and DEVELOPMENT_JWT_SECRET in previous:
            raise ValueError(
                "KINERJA_JWT_PREVIOUS_SECRETS holds the public development value: tokens "
                "anyone can sign would stay valid"
            )
        self._check_kafka_security()
        return self

    def _check_kafka_security(self) -> None:
        """A half-configured TLS/SASL setting is refused at start-up, not at first connect."""
        kafka = self.kafka
        if kafka.uses_sasl and not (kafka.sasl_username and kafka.sasl_password):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={kafka.security_protocol} needs "
                "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
            )
        files = (kafka.ssl_cafile, kafka.ssl_certfile, kafka.ssl_keyfile)
        if not kafka.uses_ssl and any(files):
            raise ValueError(
                "KAFKA_SSL_* files are set but KAFKA_SECURITY_PROTOCOL is "
                f"{kafka.security_protocol}: use SSL or SASL_SSL"
            )
        if kafka.ssl_keyfile and not kafka.ssl_certfile:
            raise ValueError("KAFKA_SSL_KEYFILE needs KAFKA_SSL_CERTFILE")

    @property
    def jwt_verify_secrets(self) -> tuple[str, ...]:
        """What verifies a token: the current secret first, then the previous ones."""
        return (self.jwt_secret, *self.jwt_previous_secrets)

    def insecure_defaults(self) -> dict[str, bool]:
        """Settings whose public development value is in use (a service adds its own)."""
        return {"jwt_secret": self.jwt_secret == DEVELOPMENT_JWT_SECRET}

    @property
    def kafka(self) -> KafkaClientConfig:
        """What every Kafka client of this service connects with."""

        def secret(value: SecretStr | None) -> str | None:
            return value.get_secret_value() if value is not None else None

        return KafkaClientConfig(
            bootstrap_servers=tuple(self.kafka_bootstrap_servers),
            security_protocol=self.kafka_security_protocol,
            ssl_cafile=self.kafka_ssl_cafile,
            ssl_certfile=self.kafka_ssl_certfile,
            ssl_keyfile=self.kafka_ssl_keyfile,
            ssl_key_password=secret(self.kafka_ssl_key_password),
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=secret(self.kafka_sasl_password),
        )
