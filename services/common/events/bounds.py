"""Bounds and places of every event: id and slug shapes, the size limits of texts and
lists, the topics, and the two errors a broken contract raises.

Kafka refuses a record over 1 MiB (``message.max.bytes``) on every retry: an event that
large would stay in its outbox for ever and hold back every later event of the service.
So every free text and list of a payload is bounded, here, once; the API input models of
the services use the same constants. The bounds are sized so that the largest valid event
stays under MAX_EVENT_BYTES even when every character costs six bytes of JSON (a control
character is written ``\\u00XX``; a 3-byte UTF-8 script costs three, an emoji four), and
``add_event`` refuses anything larger as the last guard (tests/unit/test_event_size.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

TenantSlug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
EntityId = Annotated[str, StringConstraints(min_length=1, max_length=64)]

MAX_EVENT_BYTES = 900_000
NAME_MAX = 200  # a regency, unit or employee name, a position
LABEL_MAX = 100  # short labels: a service type, a category, a period label
UNIT_MAX = 40  # an indicator's unit of measure (one of a fixed list)
TEXT_MAX = 4000  # a reason, a note, a feedback text
REPORT_TEXT_MAX = 5000  # each of the three texts of a self-assessment report
EXPECTATION_MAX = 1000  # a special expectation for one BerAKHLAK value
RECOMMENDATION_MAX = 2000  # an assessment's development recommendation
ALERT_MESSAGE_MAX = 1000
RHK_MAX = 30  # RHK of one SKP
INDICATORS_PER_RHK_MAX = 10
RHK_TITLE_MAX = 500
INDICATOR_NAME_MAX = 300


def _bounded(max_length: int) -> Any:
    return StringConstraints(max_length=max_length)


Name = Annotated[str, _bounded(NAME_MAX)]
Label = Annotated[str, _bounded(LABEL_MAX)]
Text = Annotated[str, _bounded(TEXT_MAX)]
UnitLabel = Annotated[str, _bounded(UNIT_MAX)]
RhkTitle = Annotated[str, _bounded(RHK_TITLE_MAX)]
IndicatorName = Annotated[str, _bounded(INDICATOR_NAME_MAX)]
ReportText = Annotated[str, _bounded(REPORT_TEXT_MAX)]
Expectation = Annotated[str, _bounded(EXPECTATION_MAX)]
Recommendation = Annotated[str, _bounded(RECOMMENDATION_MAX)]
AlertMessage = Annotated[str, _bounded(ALERT_MESSAGE_MAX)]
Url = Annotated[str, _bounded(1000)]

# One topic per producing service; consumers pick the types they need from it.
IDENTITY_TOPIC = "identity.events"
TARGETS_TOPIC = "targets.events"
ASSESSMENT_TOPIC = "assessment.events"
FEEDBACK_TOPIC = "feedback.events"
SCORING_TOPIC = "scoring.events"
ALL_TOPICS = (IDENTITY_TOPIC, TARGETS_TOPIC, ASSESSMENT_TOPIC, FEEDBACK_TOPIC, SCORING_TOPIC)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class EventDecodeError(ValueError):
    """A message that is not a valid event of a known type and version."""


class EventTooLarge(Exception):
    """An event whose JSON would exceed :data:`MAX_EVENT_BYTES`: refused before it is
    staged, so the transaction that made it writes nothing (the API answers 413)."""

    def __init__(self, event_type: str, size: int, limit: int) -> None:
        self.event_type = event_type
        self.size = size
        super().__init__(
            f"the {event_type} event this change makes would be {size} bytes, over the "
            f"limit of {limit} bytes: shorten its texts or lists"
        )
