"""Replay rebuilds what live built; two instances in one group build what one builds."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from services.scoring.app import Settings
from services.scoring.replay import DatabaseNotEmpty, replay
from tests.conftest import fresh_postgres_database
from tests.scoring.helpers import (
    Clock,
    activity_event,
    applied,
    group_members,
    processed,
    publish,
    running,
    snapshot,
)
from tests.scoring.scenario import bantul_phase1, bantul_phase2, mimika
from tests.support import wait_until

pytestmark = pytest.mark.kafka


@pytest.fixture
async def other_database_url(
    request: pytest.FixtureRequest, database_url: str, tmp_path
) -> AsyncIterator[str]:
    """A second empty database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path}/other.db"
    else:
        base = request.getfixturevalue("postgres_base_url")
        async with fresh_postgres_database(base) as url:
            yield url


def events() -> list:
    return bantul_phase1() + mimika() + bantul_phase2()


async def group_of(kafka_bootstrap: str, group_id: str, members: int) -> None:
    async def joined() -> bool:
        return await group_members(kafka_bootstrap, group_id) == members

    await wait_until(joined, timeout=60, interval=0.5)


def variant(settings: Settings, name: str, url: str, **overrides: object) -> Settings:
    """``settings`` on another database, in a group of its own, with ``overrides``."""
    update = {"database_url": url, "group_id": f"{settings.group_id}-{name}", **overrides}
    return settings.model_copy(update=update)


async def built_by_one(
    settings: Settings, clock: Clock, database_url: str, count: int
) -> dict[str, list[Any]]:
    """What a single instance of its own group builds from the same ``count`` events,
    into ``database_url``."""
    single = variant(settings, "single", database_url)
    async with running(single, clock) as (app, _):
        await applied(app, count)
        assert await processed(app) == count
    return await snapshot(database_url)


def assert_same(built: dict[str, list[Any]], expected: dict[str, list[Any]]) -> None:
    assert expected["score_employee"]  # not trivially equal
    for table in expected:
        assert built[table] == expected[table], table


async def test_replay_rebuilds_the_live_state(
    settings: Settings,
    clock: Clock,
    other_database_url: str,
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    scenario = events()
    async with running(settings, clock) as (app, _):
        await publish(kafka_bootstrap, topic_prefix, scenario)
        await applied(app, len(scenario))
    live = await snapshot(settings.database_url)

    rebuilt_settings = settings.model_copy(update={"database_url": other_database_url})
    result = await replay(rebuilt_settings, clock=clock)
    assert result.records == len(scenario) and result.dead == 0
    assert_same(await snapshot(other_database_url), live)
    with pytest.raises(DatabaseNotEmpty):
        await replay(rebuilt_settings, clock=clock)


def later_activity() -> list:
    """Events after the rebalance, for employees whose rows the first instance cached."""
    day = date(2026, 6, 30)
    return [
        activity_event(t, emp, f"late-{t}-{emp}", ind, value, day)
        for t in ("bantul", "mimika")
        for emp, ind, value in (("e1", "ktp", 40), ("e2", "loket", 30))
    ]


async def test_a_rebalance_clears_the_cache_and_figures_stay_right(
    settings: Settings,
    clock: Clock,
    other_database_url: str,
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    before, after = bantul_phase1() + mimika(), bantul_phase2() + later_activity()
    async with contextlib.AsyncExitStack() as stack:
        first, _ = await stack.enter_async_context(running(settings, clock))
        await publish(kafka_bootstrap, topic_prefix, before)
        await applied(first, len(before))
        cache = first.state.projector.cache
        assert cache.employees  # warm: the first instance owns every partition
        generation = cache.generation

        await stack.enter_async_context(running(settings, clock))  # a second instance joins
        await group_of(kafka_bootstrap, settings.group_id, 2)
        assert cache.generation > generation  # partitions moved: the cache was dropped
        await publish(kafka_bootstrap, topic_prefix, after)
        await applied(first, len(before) + len(after))
    pair = await snapshot(settings.database_url)
    assert_same(pair, await built_by_one(settings, clock, other_database_url, len(before + after)))


async def test_two_instances_build_what_one_builds(
    settings: Settings,
    clock: Clock,
    other_database_url: str,
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    scenario = events()
    async with contextlib.AsyncExitStack() as stack:
        first, _ = await stack.enter_async_context(running(settings, clock))
        second, _ = await stack.enter_async_context(running(settings, clock))
        await group_of(kafka_bootstrap, settings.group_id, 2)
        await publish(kafka_bootstrap, topic_prefix, scenario)
        await applied(first, len(scenario))  # one shared database
        for app in (first, second):
            applied_here = sum(
                s.value
                for metric in app.state.runtime.metrics.registry.collect()
                if metric.name == "kinerja_events_applied"
                for s in metric.samples
                if s.name.endswith("_total")
            )
            assert 0 < applied_here < len(scenario)  # the partitions were split
    pair = await snapshot(settings.database_url)
    assert_same(pair, await built_by_one(settings, clock, other_database_url, len(scenario)))


async def test_a_cache_of_one_builds_what_a_full_cache_builds(
    settings: Settings,
    clock: Clock,
    other_database_url: str,
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    """A bounded cache reads the rows it forgot from the database: same projections."""
    before, after = bantul_phase1() + mimika(), bantul_phase2() + later_activity()
    built = {}
    for name, url, bound in (("tiny", settings.database_url, 1), ("full", other_database_url, 0)):
        run = variant(settings, name, url, cache_max_employees=bound, cache_max_units=bound)
        async with running(run, clock) as (app, _):
            if name == "tiny":
                await publish(kafka_bootstrap, topic_prefix, before)
            await applied(app, len(before))
            if name == "tiny":
                await publish(kafka_bootstrap, topic_prefix, after)
            await applied(app, len(before) + len(after))
            cache = app.state.projector.cache
            if bound:
                assert len(cache.employees) <= bound and len(cache.units) <= bound
            else:
                assert len(cache.employees) > 1  # the full cache is what is compared with
        built[name] = await snapshot(url)
    assert_same(built["tiny"], built["full"])


async def test_batches_applied_in_chunks_of_one_key_build_what_whole_batches_build(
    kafka_bootstrap: str, topic_prefix: str, settings: Settings, other_database_url: str
) -> None:
    """A batch handed to the projector one employee or unit at a time (in its one
    transaction, the cache kept chunk by chunk) builds the same projections."""
    events = bantul_phase1() + mimika() + bantul_phase2() + later_activity()
    await publish(kafka_bootstrap, topic_prefix, events)  # all there: large batches
    built = {}
    for name, url, keys in (("chunks", settings.database_url, 1), ("whole", other_database_url, 0)):
        run = variant(settings, name, url, consumer_chunk_keys=keys)
        async with running(run, Clock()) as (app, _):
            await applied(app, len(events))
            assert app.state.runtime.consumers[0].max_chunk_keys == (keys or None)
        built[name] = await snapshot(url)
    assert_same(built["chunks"], built["whole"])
