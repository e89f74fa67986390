"""Wiring of the targets service: settings, runtime, consumers, HTTP."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic_settings import SettingsConfigDict

from services.common.events import TARGETS_TOPIC
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.targets.api import ROUTERS
from services.targets.domain import RuleError
from services.targets.handlers import HANDLERS, TOPICS

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TARGETS_", extra="ignore")

    service_name: str = "targets"
    port: int = 8002


async def _rule_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleError)
    return JSONResponse(status_code=exc.status, content={"detail": exc.reason})


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS, produces=[TARGETS_TOPIC])
    runtime.consume(list(TOPICS), handlers=HANDLERS)
    app = runtime.create_api(
        title="Kinerja targets",
        description="SKP work plans with cascading RHK and indicators, their approval by the "
        "direct supervisor, and the daily activity log.",
        routers=ROUTERS,
    )
    app.add_exception_handler(RuleError, _rule_error)
    return app
