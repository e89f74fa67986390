"""The kernel's delivery guarantees, proven against a real Kafka broker and both databases."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from services.common.events import (
    ASSESSMENT_TOPIC,
    IDENTITY_TOPIC,
    EmployeeDeactivated,
    Envelope,
    FeedbackNoted,
    dead_letter_topic,
    decode_event,
    new_event,
)
from tests.kernel.helpers import post_note, running
from tests.kernel.sample_service import note_count
from tests.support import produce_raw, read_topic, wait_until

pytestmark = pytest.mark.kafka


async def test_outbox_event_round_trips_through_kafka(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    async with running(database_url, kafka_bootstrap, topic_prefix) as (runtime, client):
        event_id = await post_note(client, "bantul", "emp-1", "good work on the KTP backlog")
        await wait_until(lambda: note_count(runtime, "bantul", "emp-1"), timeout=30)
        assert await note_count(runtime, "bantul", "emp-1") == 1
    # An independent raw client sees a valid, typed event with the key rule applied.
    records = await read_topic(kafka_bootstrap, topic_prefix + ASSESSMENT_TOPIC, expected=1)
    assert len(records) == 1
    event = decode_event(records[0].value)
    assert str(event.event_id) == event_id
    assert isinstance(event.payload, FeedbackNoted)
    assert event.payload.text == "good work on the KTP backlog"
    assert records[0].key == b"bantul:emp-1"


async def test_same_event_delivered_twice_changes_state_once(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    event = new_event(
        FeedbackNoted(
            note_id="n1",
            supervisor_id="s",
            employee_id="emp-2",
            text="twice",
            noted_on=date.today(),
        ),
        tenant="sleman",
    )
    topic = topic_prefix + ASSESSMENT_TOPIC
    async with running(database_url, kafka_bootstrap, topic_prefix) as (runtime, client):
        await produce_raw(kafka_bootstrap, topic, [(event.key.encode(), event.to_bytes())] * 2)
        # A marker event after the duplicates: once it is applied, both copies were seen.
        await post_note(client, "sleman", "marker", "after the duplicates")
        await wait_until(lambda: note_count(runtime, "sleman", "marker"), timeout=30)
        assert await note_count(runtime, "sleman", "emp-2") == 1
        skipped = runtime.metrics.registry.get_sample_value(
            "kinerja_duplicate_events_total", {"service": runtime.settings.service_name}
        )
        assert skipped == 1


async def test_poison_messages_go_to_the_dead_letter_topic(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_prefix + ASSESSMENT_TOPIC
    unknown = (
        new_event(
            FeedbackNoted(
                note_id="n", supervisor_id="s", employee_id="e", text="x", noted_on=date.today()
            ),
            tenant="bantul",
        )
        .to_bytes()
        .replace(b'"feedback.noted"', b'"feedback.unheard_of"')
    )
    async with running(database_url, kafka_bootstrap, topic_prefix) as (runtime, client):
        await produce_raw(
            kafka_bootstrap, topic, [(b"bantul:e", b"{not json"), (b"bantul:e", unknown)]
        )
        await post_note(client, "bantul", "emp-3", "explode")  # the handler fails every time
        await post_note(client, "bantul", "emp-3", "a good one after the bad ones")
        await wait_until(lambda: note_count(runtime, "bantul", "emp-3"), timeout=30)
        assert await note_count(runtime, "bantul", "emp-3") == 1

    dead: list[ConsumerRecord[bytes, bytes]] = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic), expected=3
    )
    reasons = [dict(r.headers)["dlq-reason"].decode() for r in dead]
    assert len(dead) == 3
    assert "invalid event" in reasons[0]
    assert "unknown event type 'feedback.unheard_of'" in reasons[1]
    assert "RuntimeError" in reasons[2] and dict(dead[2].headers)["dlq-attempts"] == b"2"
    assert dead[0].value == b"{not json"  # the original bytes are kept for inspection


async def test_events_off_their_key_or_topic_go_to_the_dead_letter_topic(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    """A valid event is still refused when it is not where its contract puts it: keyed for
    another employee (it would be ordered with that employee's events), an envelope key
    that breaks the key rule, or a type that belongs on another topic."""
    topic = topic_prefix + ASSESSMENT_TOPIC

    def noted(text: str) -> Envelope:
        payload = FeedbackNoted(
            note_id=text, supervisor_id="s", employee_id="emp-9", text=text, noted_on=date.today()
        )
        return new_event(payload, tenant="bantul")

    other_key = noted("under another employee's Kafka key")
    off_rule = noted("envelope key off the rule")
    off_rule_bytes = off_rule.to_bytes().replace(b'"key":"bantul:emp-9"', b'"key":"bantul:x"')
    assert off_rule_bytes != off_rule.to_bytes()
    foreign = new_event(EmployeeDeactivated(employee_id="emp-9"), tenant="bantul")
    async with running(database_url, kafka_bootstrap, topic_prefix) as (runtime, client):
        await produce_raw(
            kafka_bootstrap,
            topic,
            [
                (b"bantul:emp-1", other_key.to_bytes()),
                (b"bantul:x", off_rule_bytes),
                (foreign.key.encode(), foreign.to_bytes()),
            ],
        )
        await post_note(client, "bantul", "emp-9", "a good one after the misplaced ones")
        await wait_until(lambda: note_count(runtime, "bantul", "emp-9"), timeout=30)
        dead = await read_topic(kafka_bootstrap, dead_letter_topic(topic), expected=3)
        # Every misplaced one is dead-lettered; only the good note was applied.
        assert await note_count(runtime, "bantul", "emp-9") == 1

    # Partitions differ by key, so the dead letters are matched by event id, not order.
    reasons = {decode_id(r.value): dict(r.headers)["dlq-reason"].decode() for r in dead}
    assert reasons.keys() == {str(e.event_id) for e in (other_key, off_rule, foreign)}
    assert reasons[str(other_key.event_id)] == (
        "invalid event: Kafka key 'bantul:emp-1' is not the event's key 'bantul:emp-9'"
    )
    assert reasons[str(off_rule.event_id)] == (
        "invalid event: key 'bantul:x' breaks the key rule of feedback.noted: "
        "expected 'bantul:emp-9'"
    )
    assert reasons[str(foreign.event_id)] == (
        f"invalid event: employee.deactivated belongs on {IDENTITY_TOPIC}, "
        f"not on {ASSESSMENT_TOPIC}"
    )
    assert {dict(r.headers)["dlq-attempts"] for r in dead} == {b"0"}


def decode_id(raw: bytes) -> str:
    return str(json.loads(raw)["event_id"])


async def test_writes_accepted_while_kafka_is_down_are_all_delivered_once(
    database_url: str, isolated_kafka: Any, topic_prefix: str
) -> None:
    bootstrap = isolated_kafka.bootstrap
    async with running(database_url, bootstrap, topic_prefix) as (runtime, client):
        await post_note(client, "gunungkidul", "emp-4", "before the outage")
        await wait_until(lambda: note_count(runtime, "gunungkidul", "emp-4"), timeout=30)

        isolated_kafka.stop()
        for i in range(20):
            await post_note(client, "gunungkidul", "emp-4", f"during the outage {i}")
        isolated_kafka.start()

        async def all_applied() -> bool:
            return await note_count(runtime, "gunungkidul", "emp-4") >= 21

        await wait_until(all_applied, timeout=120, interval=0.5)
        assert await note_count(runtime, "gunungkidul", "emp-4") == 21
    records = await read_topic(bootstrap, topic_prefix + ASSESSMENT_TOPIC, expected=21)
    assert len({decode_event(r.value).event_id for r in records}) == 21
