"""Every service and the gateway under uvicorn, for schemathesis to call over HTTP.

Schemathesis calls synchronously (requests), so the servers run in an event loop of their
own, on a thread started once per session; a throwaway regency is registered through the
gateway (a supervisor and an employee, an approved SKP) so that the authenticated
operations are exercised past 401 and the list operations answer real rows.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass

import httpx
import pytest

from services.common.security import Role
from tests.gateway.conftest import Stack
from tests.gateway.harness import approved_skp, register_regency, running_stack
from tests.support import bearer

# requests made per "service METHOD path", for the summary line
CALLS: dict[str, int] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CALLS:
        services = sorted({key.split()[0] for key in CALLS})
        terminalreporter.write_line(
            f"fuzz: {len(CALLS)} operations of {', '.join(services)}, "
            f"{sum(CALLS.values())} requests"
        )


@dataclass
class FuzzStack:
    urls: dict[str, str]
    headers: dict[str, str]  # every role of the regency at once, and platform operator
    skp_id: str  # the employee's approved SKP
    unit_id: str


@pytest.fixture(scope="session")
def fuzz_stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzStack]:
    ready: Future[FuzzStack] = Future()
    stop = threading.Event()
    data = tmp_path_factory.mktemp("fuzz")

    async def main() -> None:
        try:
            async with (
                running_stack(kafka_bootstrap, data) as (urls, apps),
                httpx.AsyncClient(base_url=urls["gateway"], timeout=30) as client,
            ):
                stack = Stack(
                    urls=urls,
                    apps=apps,
                    bootstrap=kafka_bootstrap,
                    prefix=apps["gateway"].state.runtime.settings.topic_prefix,
                    client=client,
                )
                regency = await register_regency(client, f"fuzz-{uuid.uuid4().hex[:8]}")
                await stack.settled(regency)
                skp = await approved_skp(client, regency)
                roles = [Role.PLATFORM, Role.ADMIN, Role.ATASAN, Role.PEGAWAI]
                headers = bearer(
                    tenant=regency.slug, roles=roles, employee_id=regency.people["atasan"]
                )
                ready.set_result(
                    FuzzStack(urls=urls, headers=headers, skp_id=skp["id"], unit_id=regency.unit_id)
                )
                await asyncio.to_thread(stop.wait)  # until the session ends
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    thread = threading.Thread(target=lambda: asyncio.run(main()), name="fuzz-stack", daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=240)
    finally:
        stop.set()
        thread.join(timeout=60)
