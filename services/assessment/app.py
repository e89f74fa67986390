"""Wiring of the assessment service: settings, consumers, routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.assessment.api import router
from services.assessment.handlers import HANDLERS
from services.common.clock import Clock, utcnow
from services.common.events import ASSESSMENT_TOPIC, IDENTITY_TOPIC, TARGETS_TOPIC
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore")

    service_name: str = "assessment"
    port: int = 8003


def create_app(settings: Settings, *, clock: Clock = utcnow) -> FastAPI:
    """The assessment app. ``clock`` gives "now" (tests move it to cross the 14-day window)."""
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS, produces=[ASSESSMENT_TOPIC])
    runtime.consume([IDENTITY_TOPIC, TARGETS_TOPIC], handlers=HANDLERS)
    app = runtime.create_api(
        title="Kinerja assessment",
        description="Supervisor, peer and self assessments of results (RHK) and BerAKHLAK "
        "behaviour, continuous feedback notes and objections (keberatan).",
        routers=[router],
    )
    app.state.clock = clock
    return app
