from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.targets.app import Settings, create_app
from tests.support import serve, service_settings
from tests.targets.harness import Targets


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return service_settings(Settings, database_url, kafka_bootstrap, topic_prefix)


@pytest.fixture
async def targets(settings: Settings) -> AsyncIterator[Targets]:
    """The service running on one database, its org chart seeded through Kafka."""
    app = create_app(settings)
    async with serve(app) as client:
        harness = Targets(
            client=client,
            runtime=app.state.runtime,
            bootstrap=settings.kafka_bootstrap_servers,
            prefix=settings.topic_prefix,
        )
        await harness.seed_org()
        yield harness
