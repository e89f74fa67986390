"""Fixtures: the assessment service running on both databases against real Kafka,
with the world of :mod:`tests.assessment.world` applied to its copies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.assessment.app import Settings, create_app
from services.assessment.models import ApprovedSkp
from services.common.orgchart import OrgEmployee
from services.common.runtime import Runtime
from tests.assessment.world import EMPLOYEES, Clock, Service, count, publish, world_events
from tests.support import serve, service_settings, wait_until


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return service_settings(Settings, database_url, kafka_bootstrap, topic_prefix)


@pytest.fixture
async def svc(
    settings: Settings, kafka_bootstrap: str, topic_prefix: str
) -> AsyncIterator[Service]:
    """The service, running, with the world above applied to its copies."""
    await publish(kafka_bootstrap, topic_prefix, world_events())
    clock = Clock()
    app = create_app(settings, clock=clock)
    async with serve(app) as client:
        runtime: Runtime = app.state.runtime

        async def seeded() -> bool:
            return await count(runtime, OrgEmployee) == len(EMPLOYEES) + 1 and bool(
                await count(runtime, ApprovedSkp)
            )

        await wait_until(seeded)
        yield Service(client, runtime, clock, topic_prefix, kafka_bootstrap)
