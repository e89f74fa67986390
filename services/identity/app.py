"""Wiring of the identity service: settings, runtime, routers, the platform account."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from limits import parse
from pydantic import field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.events import IDENTITY_TOPIC
from services.common.ratelimits import SharedLimiter, checked_storage_url, is_shared
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.identity import (
    auth,
    contacts,
    duties,
    holidays,
    import_api,
    kepala_daerah,
    org_api,
    tenants,
)
from services.identity.api import Context, auth_router, me_router, platform_router

DEVELOPMENT_PLATFORM_PASSWORD = "kinerja-platform-development"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DESCRIPTION = """Regencies (tenants), org units, employees and their supervisor chain, login.

Every change is published on `identity.events` (`tenant.registered`, `unit.created`,
`unit.updated`, `employee.registered`, `employee.updated`, `employee.deactivated`) through
the outbox; the other services keep their own copy of the org chart from them.
Refusals answer `{"detail": text, "reason": {"message": template, "params": {...}}}`, the
text in the `Accept-Language` (Indonesian or English); an import with bad lines lists them
in `detail`.
"""


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    port: int = 8001
    # The platform operator's account, created at startup when missing.
    platform_username: str = "platform"
    platform_password: str = DEVELOPMENT_PLATFORM_PASSWORD
    # Failed logins allowed in a moving window (``limits`` notation): per account from one
    # client address (another address still may log in), and per address over all accounts.
    login_failures_per_account: str = "5/15 minutes"
    login_failures_per_address: str = "50/15 minutes"
    # Where those counters live: memory:// (this process) or redis://... shared by every
    # identity instance, so the limits hold however many run (services/common/ratelimits.py).
    rate_limit_storage_url: str = "memory://"
    max_import_bytes: int = 20_000_000

    _storage = field_validator("rate_limit_storage_url")(checked_storage_url)

    @model_validator(mode="after")
    def _identity_checks(self) -> Settings:
        if (
            self.environment != "development"
            and self.platform_password == DEVELOPMENT_PLATFORM_PASSWORD
        ):
            raise ValueError("IDENTITY_PLATFORM_PASSWORD must be set outside development")
        parse(self.login_failures_per_account)
        parse(self.login_failures_per_address)
        return self

    def insecure_defaults(self) -> dict[str, bool]:
        return {
            **super().insecure_defaults(),
            "platform_password": self.platform_password == DEVELOPMENT_PLATFORM_PASSWORD,
        }


ROUTERS = (
    auth_router,
    platform_router,
    me_router,
    org_api.router,
    import_api.router,
    duties.router,
    kepala_daerah.router,
    contacts.router,
    holidays.router,
)
IMPORT_PATHS = r"^/api/v1/import/"
MULTIPART_MARGIN = 64 * 1024


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS, produces=[IDENTITY_TOPIC])
    app = runtime.create_api(
        title="Kinerja identity",
        description=DESCRIPTION,
        routers=ROUTERS,
        # A CSV file may be larger than a JSON body; the form's framing adds a little.
        larger_bodies=[(IMPORT_PATHS, settings.max_import_bytes + MULTIPART_MARGIN)],
    )
    limiter = SharedLimiter(settings.rate_limit_storage_url)
    if is_shared(settings.rate_limit_storage_url):
        runtime.optional_checks["rate_limit_storage"] = limiter.reachable
    app.state.identity = Context(
        sessions=runtime.sessions,
        tokens=auth.TokenConfig(
            secret=settings.jwt_secret,
            access_lifetime=timedelta(minutes=settings.access_token_minutes),
            refresh_lifetime=timedelta(days=settings.refresh_token_days),
            previous=tuple(settings.jwt_previous_secrets),
        ),
        guard=auth.LoginGuard.create(
            per_account=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
            registry=runtime.metrics.registry,
            limiter=limiter,
        ),
        max_import_bytes=settings.max_import_bytes,
        environment=settings.environment,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.lifespan(app):
            await tenants.ensure_platform_account(
                sessions=runtime.sessions,
                username=settings.platform_username,
                password=settings.platform_password,
            )
            yield

    app.router.lifespan_context = lifespan
    return app
