"""Wiring of the targets service: settings, runtime, consumers, HTTP."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.common.events import TARGETS_TOPIC
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.targets.api import ROUTERS
from services.targets.handlers import HANDLERS, TOPICS

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TARGETS_", extra="ignore")

    service_name: str = "targets"
    port: int = 8002


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS, produces=[TARGETS_TOPIC])
    runtime.consume(list(TOPICS), handlers=HANDLERS)
    return runtime.create_api(
        title="Kinerja targets",
        description="SKP work plans with cascading RHK and indicators, their approval by the "
        "direct supervisor, and the daily activity log.",
        routers=ROUTERS,
    )
