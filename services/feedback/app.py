"""Wiring of the feedback service: settings, runtime, consumers, routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.events import FEEDBACK_TOPIC, IDENTITY_TOPIC
from services.common.ratelimits import AsyncSharedLimiter, checked_storage_url, is_shared
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.feedback.api import ROUTERS
from services.feedback.handlers import HANDLERS
from services.feedback.ratelimit import PublicRateLimiter

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    service_name: str = "feedback"
    port: int = 8004
    # Where citizens open the survey page (the gateway's public address).
    public_base_url: str = "http://127.0.0.1:8000"
    survey_token_hours: int = Field(default=7 * 24, ge=1, le=90 * 24)
    # Per-address limits on the public endpoints ("limits" notation, moving window).
    public_submit_rate: str = "10/minute"
    public_read_rate: str = "60/minute"
    # Where those counters live: memory:// (this process) or redis://... shared by every
    # feedback instance, so a limit holds however many run (services/common/ratelimits.py).
    rate_limit_storage_url: str = "memory://"

    _storage = field_validator("rate_limit_storage_url")(checked_storage_url)

    @field_validator("public_submit_rate", "public_read_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse(value)  # raises ValueError on a malformed limit
        return value


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS, produces=[FEEDBACK_TOPIC])
    runtime.consume([IDENTITY_TOPIC], handlers=HANDLERS)
    app = runtime.create_api(
        title="Kinerja feedback",
        description="Citizen satisfaction surveys (SKM/IKM, PermenPANRB 14/2017) and "
        "complaints (mirroring SP4N-LAPOR!). Public endpoints need no login and are "
        "rate limited per address; the citizen's identity is never stored.",
        routers=ROUTERS,
    )
    app.state.settings = settings
    limiter = AsyncSharedLimiter(settings.rate_limit_storage_url)
    if is_shared(settings.rate_limit_storage_url):
        runtime.optional_checks["rate_limit_storage"] = limiter.reachable
    app.state.rate_limiter = PublicRateLimiter(
        limiter=limiter,
        submit=settings.public_submit_rate,
        read=settings.public_read_rate,
        trusted_proxies=settings.trusted_proxies,
    )
    return app
