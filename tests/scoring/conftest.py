from __future__ import annotations

import pytest

from services.scoring.app import Settings
from tests.scoring.helpers import Clock, scoring_settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return scoring_settings(database_url, kafka_bootstrap, topic_prefix)
