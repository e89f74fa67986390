"""Wiring of the gateway: settings, the alert consumer, the upstream client, the routes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.gateway import api, desk, ops, pages, proxy, session
from services.gateway.context import STATIC_DIR, Gateway, upstream_client
from services.gateway.documents import routes as documents
from services.gateway.exports import api as exports_api
from services.gateway.handlers import TOPICS, handlers
from services.gateway.internal import InternalOnly
from services.gateway.live import AlertHub
from services.gateway.mailer import Mailer, MailMetrics, MailSettings
from services.gateway.metrics import StreamMetrics

LOOPBACK: tuple[IPv4Network | IPv6Network, ...] = (
    IPv4Network("127.0.0.0/8"),
    IPv6Network("::1/128"),
)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DESCRIPTION = """The web front of Kinerja: pages for employees, supervisors, the regency HR
office and citizens; `/api/<service>/...` passes JSON to identity, targets, assessment,
feedback and scoring; `/events/alerts` pushes supervisor alerts live (Server-Sent Events)."""


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    identity_url: str = "http://127.0.0.1:8001"
    targets_url: str = "http://127.0.0.1:8002"
    assessment_url: str = "http://127.0.0.1:8003"
    feedback_url: str = "http://127.0.0.1:8004"
    scoring_url: str = "http://127.0.0.1:8005"
    upstream_timeout_seconds: float = Field(default=15.0, gt=0)
    # Alerts kept per recipient for the replay of a reconnecting page.
    alerts_kept_per_recipient: int = Field(default=200, ge=1)
    # What the proxy lets through to identity's CSV import (its own limit plus the form's
    # framing); every other body is capped by ``max_body_bytes`` (1 MiB).
    max_import_body_bytes: int = Field(default=20_000_000 + 64 * 1024, ge=1024)
    # An open stream re-reads its alerts this often even without a wake-up.
    stream_recheck_seconds: float = Field(default=20.0, gt=0)
    # Session cookies marked Secure: None decides per request (https or not); set true
    # behind a TLS-terminating proxy that talks plain HTTP to the gateway.
    cookie_secure: bool | None = None
    # Who may read /metrics, /docs, /redoc and /openapi.json: direct callers from these
    # networks only (Prometheus on the host), never a request relayed by a front proxy.
    internal_allowed_from: list[IPv4Network | IPv6Network] = Field(
        default_factory=lambda: list(LOOPBACK)
    )

    # The Kafka consumer group of this instance's alert and org-chart consumer. Each
    # gateway keeps its own store (its own database), so each must see every event: the
    # default is unique per process ("gateway-<random>"), and a new group reads from the
    # earliest offset, the inbox dropping what the store already holds. A fixed value
    # makes instances sharing it split the partitions (and the alerts) between them.
    alert_consumer_group: str = ""

    # E-mail (mailer.py): nothing is queued or sent while ``smtp_host`` is empty. With
    # several gateways on separate stores, configure SMTP on one of them only (each store
    # would otherwise queue and send its own copy); gateways sharing one store share the
    # queue, and the lease lets exactly one send each mail.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_tls: bool = False  # TLS from the first byte (usually port 465)
    smtp_starttls: bool = False  # STARTTLS after the greeting (usually port 587)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "Kinerja <kinerja@localhost>"
    mail_message_id_domain: str = "kinerja.localhost"
    # The address people open Kinerja at, written under each mail ("" leaves it out) and
    # in the documents' verification QR ("": the address the request came to).
    public_url: str = ""
    mail_poll_seconds: float = Field(default=5.0, gt=0)
    mail_lease_seconds: float = Field(default=120.0, gt=0)
    mail_backoff_seconds: float = Field(default=5.0, gt=0)
    mail_backoff_max_seconds: float = Field(default=600.0, gt=0)
    # The regency's local hour from which the day's digest of open alerts is sent.
    mail_digest_hour: int = Field(default=7, ge=0, le=23)

    @model_validator(mode="after")
    def _unique_group(self) -> Settings:
        if not self.alert_consumer_group:
            self.alert_consumer_group = f"{self.service_name}-{uuid.uuid4().hex[:12]}"
        return self

    def mail(self) -> MailSettings | None:
        if not self.smtp_host:
            return None
        return MailSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value(),
            use_tls=self.smtp_tls,
            start_tls=self.smtp_starttls,
            timeout=self.smtp_timeout_seconds,
            sender=self.mail_from,
            message_id_domain=self.mail_message_id_domain,
            public_url=self.public_url,
            poll_seconds=self.mail_poll_seconds,
            lease_seconds=self.mail_lease_seconds,
            backoff_seconds=self.mail_backoff_seconds,
            backoff_max_seconds=self.mail_backoff_max_seconds,
            digest_hour=self.mail_digest_hour,
        )

    def upstreams(self) -> dict[str, str]:
        return {
            "identity": self.identity_url,
            "targets": self.targets_url,
            "assessment": self.assessment_url,
            "feedback": self.feedback_url,
            "scoring": self.scoring_url,
        }


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS)
    hub = AlertHub()
    mail = settings.mail()
    runtime.consume(
        list(TOPICS),
        handlers=handlers(
            hub, keep_per_recipient=settings.alerts_kept_per_recipient, mail=mail is not None
        ),
        group_id=settings.alert_consumer_group,
    )
    # Own routes first: the proxy's /api/{service}/{path} would otherwise catch them.
    app = runtime.create_api(
        title="Kinerja gateway",
        description=DESCRIPTION,
        routers=[
            session.router,
            api.router,
            desk.router,
            ops.router,
            exports_api.router,
            documents.router,
            pages.router,
            proxy.router,
        ],
        larger_bodies=[(proxy.IMPORT_PATHS, settings.max_import_body_bytes)],
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(InternalOnly, allowed=settings.internal_allowed_from)
    gateway = Gateway(
        upstreams=settings.upstreams(),
        sessions=runtime.sessions,
        hub=hub,
        jwt_secret=settings.jwt_verify_secrets,
        upstream_timeout=settings.upstream_timeout_seconds,
        stream_recheck_seconds=settings.stream_recheck_seconds,
        cookie_secure=settings.cookie_secure,
        public_url=settings.public_url,
    )
    app.state.gateway = gateway
    app.state.stream_metrics = StreamMetrics(runtime.metrics.registry, settings.service_name)
    mail_metrics = MailMetrics(runtime.metrics.registry, settings.service_name)
    app.state.mailer = Mailer(runtime.sessions, mail, mail_metrics) if mail is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.attach(runtime.sessions)
        async with (
            upstream_client(settings.upstream_timeout_seconds) as client,
            runtime.lifespan(app),
        ):
            gateway.client = client
            sender = asyncio.create_task(app.state.mailer.run()) if app.state.mailer else None
            try:
                yield
            finally:
                if sender is not None:
                    sender.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sender
                gateway.client = None
                hub.detach(runtime.sessions)

    app.router.lifespan_context = lifespan
    return app
