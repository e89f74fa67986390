"""Settings shared by every service, read from the environment with pydantic-settings.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` (``IDENTITY_``,
``TARGETS_`` ...). A few values are the same for the whole deployment (the Kafka address,
the JWT secret); a service reads its own prefixed variable first and falls back to the
deployment-wide one, so an operator sets ``KAFKA_BOOTSTRAP_SERVERS`` once.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "kinerja-development-secret-change-me"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``model_config['env_prefix']``."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = Field(
        default_factory=lambda: _env("KINERJA_ENVIRONMENT", "development")  # type: ignore[arg-type]
    )
    database_url: str = ""
    kafka_bootstrap_servers: str = Field(
        default_factory=lambda: _env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    )
    # A prefix for every topic name: lets two deployments (or two test runs) share a broker.
    topic_prefix: str = Field(default_factory=lambda: _env("KINERJA_TOPIC_PREFIX", ""))
    jwt_secret: str = Field(
        default_factory=lambda: _env("KINERJA_JWT_SECRET", DEVELOPMENT_JWT_SECRET)
    )
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    host: str = "127.0.0.1"
    port: int = 8000
    # Consumers retry a failing event this many times before it goes to the dead-letter topic.
    max_delivery_attempts: int = 3
    consumer_max_records: int = 500
    # What one fetch may bring per partition: with Kafka's 1 MiB default a batch holds at
    # most ~2,500 events per partition, whatever consumer_max_records says.
    consumer_partition_fetch_bytes: int = 1 << 20
    outbox_poll_seconds: float = 1.0
    # /readyz says not ready when rows wait and the relay has published none of them for
    # this long (Kafka down, a producer that no longer works).
    outbox_stall_seconds: float = 60.0
    # The largest event the relay sends (the producer's max_request_size; Kafka's default
    # message.max.bytes is 1 MiB too): a larger outbox row is parked, never sent.
    outbox_max_record_bytes: int = 1 << 20
    data_dir: str = Field(default_factory=lambda: _env("KINERJA_DATA_DIR", ".data"))
    # Believe X-Forwarded-For (per-address limits): only when reachable from the gateway alone.
    trust_forwarded_for: bool = False

    @model_validator(mode="after")
    def _defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir}/{self.service_name}.db"
        if self.environment != "development" and self.jwt_secret == DEVELOPMENT_JWT_SECRET:
            raise ValueError(
                "KINERJA_JWT_SECRET must be set to a private value outside development"
            )
        if len(self.jwt_secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters long")
        return self
