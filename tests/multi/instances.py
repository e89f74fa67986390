"""Two instances of each service on one PostgreSQL database per service, as a Kubernetes
Deployment with two replicas runs them: identity, feedback, scoring (one consumer group)
and the gateway (each its own group), in this process under uvicorn, on real Kafka,
PostgreSQL and Redis. Gateway ``a`` reaches identity 1 and feedback 1, gateway ``b`` the
second ones, so what one gateway's path did the other's must see."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from services.feedback import app as feedback
from services.gateway import app as gateway
from services.identity import app as identity
from services.scoring import app as scoring
from tests.conftest import fresh_postgres_database
from tests.gateway.harness import free_port, run_servers
from tests.support import delete_topics

PAIR = ("1", "2")
# The failed-login budget the test spends: three on one path, the fourth on the other.
LOGIN_FAILURES = "3/15 minutes"


@dataclass
class Fleet:
    """URLs and apps by instance name (``identity1``, ``gateway-a`` ...)."""

    prefix: str
    urls: dict[str, str] = field(default_factory=dict)
    apps: dict[str, Any] = field(default_factory=dict)

    @property
    def scoring_group(self) -> str:
        return f"{self.prefix}scoring"

    def runtime(self, name: str) -> Any:
        return self.apps[name].state.runtime

    def gateways(self) -> list[str]:
        return [self.urls["gateway-a"], self.urls["gateway-b"]]


def _common(bootstrap: str, prefix: str, url: str) -> dict[str, Any]:
    return {
        "database_url": url,
        "kafka_bootstrap_servers": bootstrap,
        "topic_prefix": prefix,
        "outbox_poll_seconds": 0.2,
    }


@contextlib.asynccontextmanager
async def databases(base: str, *services: str) -> AsyncIterator[dict[str, str]]:
    async with contextlib.AsyncExitStack() as stack:
        yield {s: await stack.enter_async_context(fresh_postgres_database(base)) for s in services}


@contextlib.asynccontextmanager
async def two_of_everything(bootstrap: str, postgres_base: str, redis: str) -> AsyncIterator[Fleet]:
    fleet = Fleet(prefix=f"m{uuid.uuid4().hex[:10]}.")
    closed = f"http://127.0.0.1:{free_port()}"  # targets and assessment: not in this test
    try:
        async with databases(postgres_base, "identity", "feedback", "scoring", "gateway") as db:

            def settings(service: str) -> dict[str, Any]:
                return _common(bootstrap, fleet.prefix, db[service])

            backends: dict[str, Any] = {}
            for n in PAIR:
                backends[f"identity{n}"] = identity.create_app(
                    identity.Settings(
                        **settings("identity"),
                        login_failures_per_account=LOGIN_FAILURES,
                        rate_limit_storage_url=redis,
                        trusted_proxies=1,
                    )
                )
                backends[f"feedback{n}"] = feedback.create_app(
                    feedback.Settings(
                        **settings("feedback"),
                        rate_limit_storage_url=redis,
                        trusted_proxies=1,
                        # Every complaint of the test comes from one address (loopback).
                        public_submit_rate="1000/minute",
                    )
                )
                backends[f"scoring{n}"] = scoring.create_app(
                    # One group for the pair, of this test's own (others share the broker).
                    scoring.Settings(
                        **settings("scoring"), scheduler_seconds=0, group_id=fleet.scoring_group
                    )
                )
            async with run_servers(backends) as urls:
                fronts = {
                    f"gateway-{side}": gateway.create_app(
                        gateway.Settings(
                            **settings("gateway"),
                            identity_url=urls[f"identity{n}"],
                            feedback_url=urls[f"feedback{n}"],
                            scoring_url=urls[f"scoring{n}"],
                            targets_url=closed,
                            assessment_url=closed,
                            stream_recheck_seconds=2,
                        )
                    )
                    for side, n in zip("ab", PAIR, strict=True)
                }
                async with run_servers(fronts) as front_urls:
                    fleet.urls = {**urls, **front_urls}
                    fleet.apps = {**backends, **fronts}
                    yield fleet
    finally:
        with contextlib.suppress(Exception):
            await delete_topics(bootstrap, fleet.prefix)
