"""The Kafka SASL settings reach every client: a service on a SASL_PLAINTEXT-only address.

The broker is the launcher's own single node with an extra SASL_PLAINTEXT (PLAIN) listener;
the service is given only that listener, so topic creation (admin client), the FastStream
broker's producer and consumer all authenticate, or nothing works.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError

from deploy.local import kafka as lk
from services.common.kafka import KafkaClientConfig
from services.common.messaging import ensure_topics
from services.common.settings import ServiceSettings
from tests.deploy.helpers import free_base
from tests.kernel.helpers import post_note
from tests.kernel.sample_service import create_app, note_count
from tests.support import serve, wait_until

pytestmark = pytest.mark.kafka

USER, PASSWORD = "kinerja", "kinerja-sasl-test-password"


async def test_a_service_connects_through_sasl_plaintext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_base(range(30092, 30400, 10), (0, 1, 2))
    home = tmp_path / "kafka"
    await asyncio.to_thread(lk.ensure_kafka, port, home, 90.0, {USER: PASSWORD})
    sasl = f"127.0.0.1:{port + 2}"
    try:
        # As an operator configures it: deployment-wide variables only.
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", sasl)
        monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        monkeypatch.setenv("KAFKA_SASL_MECHANISM", "PLAIN")
        monkeypatch.setenv("KAFKA_SASL_USERNAME", USER)
        monkeypatch.setenv("KAFKA_SASL_PASSWORD", PASSWORD)
        settings = ServiceSettings(
            service_name=f"sample-{uuid.uuid4().hex[:6]}",
            database_url=f"sqlite+aiosqlite:///{tmp_path}/sample.db",
            topic_prefix=f"t{uuid.uuid4().hex[:10]}.",
            outbox_poll_seconds=0.2,
        )
        runtime, app = create_app(settings)
        async with serve(app) as client:
            await post_note(client, "bantul", "emp-1", "over SASL")
            await wait_until(lambda: note_count(runtime, "bantul", "emp-1"), timeout=60)

        # The listener does check: a wrong password is refused.
        wrong = KafkaClientConfig(
            (sasl,),
            security_protocol="SASL_PLAINTEXT",
            sasl_username=USER,
            sasl_password="not-the-password",
        )
        with pytest.raises(KafkaError):
            async with asyncio.timeout(60):
                await ensure_topics(wrong, ["refused"])
    finally:
        await asyncio.to_thread(lk.stop_kafka, port, home)
