"""Wiring of the assessment service: settings, consumers, routes, refusals as 4xx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic_settings import SettingsConfigDict

from services.assessment.api import router
from services.assessment.domain import Refused
from services.assessment.handlers import HANDLERS
from services.common.events import ASSESSMENT_TOPIC, IDENTITY_TOPIC, TARGETS_TOPIC
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore")

    service_name: str = "assessment"
    port: int = 8003


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def _refused(_request: Request, exc: Exception) -> JSONResponse:
    status = exc.status if isinstance(exc, Refused) else 400
    return JSONResponse({"detail": str(exc)}, status_code=status)


def create_app(settings: Settings, *, clock: Callable[[], datetime] = _utcnow) -> FastAPI:
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
    app.add_exception_handler(Refused, _refused)
    return app
