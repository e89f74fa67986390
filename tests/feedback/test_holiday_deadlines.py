"""Complaint deadlines count working days without the regency's holidays (``holidays.set``
in feedback's org chart copy), also when the deadline falls in the next year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.common.events import IDENTITY_TOPIC, Holiday, HolidayKind, HolidaysSet, new_event
from services.common.orgchart import OrgHoliday
from services.common.workdays import add_working_days
from services.feedback.models import Complaint
from tests.feedback.conftest import BANTUL, COMPLAINT_OFFICER, SLEMAN, Feedback
from tests.feedback.helpers import STAFF, complaint_id, file
from tests.support import produce_raw, wait_until

pytestmark = pytest.mark.kafka

IDUL_FITRI = [
    Holiday(day=date(2026, 3, 20), name="Idul Fitri 1447 H"),
    Holiday(day=date(2026, 3, 23), name="Cuti bersama", kind=HolidayKind.CUTI_BERSAMA),
]
NEW_YEAR = [Holiday(day=date(2027, 1, 1), name="Tahun Baru 2027")]


async def received_on(fb: Feedback, cid: str, moment: datetime) -> None:
    async with fb.runtime.sessions.begin() as session:
        row = await session.get(Complaint, cid)
        assert row is not None
        row.received_at = moment
        session.add(row)


async def due_dates(fb: Feedback) -> dict[str, str]:
    answer = await fb.client.get(STAFF, headers=COMPLAINT_OFFICER)
    assert answer.status_code == 200, answer.text
    return {item["id"]: item["due_on"] for item in answer.json()["items"]}


async def test_holidays_push_the_verification_deadline(feedback: Feedback) -> None:
    fb = feedback
    lebaran = await complaint_id(fb, await file(fb))
    year_end = await complaint_id(fb, await file(fb))
    # Thursday 19 March 2026 and Wednesday 30 December 2026, Jakarta mornings.
    await received_on(fb, lebaran, datetime(2026, 3, 19, 2, 0, tzinfo=UTC))
    await received_on(fb, year_end, datetime(2026, 12, 30, 2, 0, tzinfo=UTC))
    # Weekends only: 20, 23, 24 March; 31 December, 1 and 4 January.
    assert await due_dates(fb) == {lebaran: "2026-03-24", year_end: "2027-01-04"}

    await produce_raw(
        fb.bootstrap,
        fb.prefix + IDENTITY_TOPIC,
        [
            (e.key.encode(), e.to_bytes())
            for e in (
                new_event(HolidaysSet(year=2026, holidays=IDUL_FITRI), tenant=BANTUL),
                new_event(HolidaysSet(year=2027, holidays=NEW_YEAR), tenant=BANTUL),
                # Another regency's calendar changes nothing here.
                new_event(
                    HolidaysSet(year=2026, holidays=[Holiday(day=date(2026, 3, 24), name="X")]),
                    tenant=SLEMAN,
                ),
            )
        ],
    )

    async def arrived() -> bool:
        return await fb.count(OrgHoliday) == 3

    await wait_until(arrived)
    # 20 and 23 March are off: 24, 25, 26; 1 January is off: 31 December, 4 and 5 January.
    assert await due_dates(fb) == {lebaran: "2026-03-26", year_end: "2027-01-05"}
    one = await fb.client.get(f"{STAFF}/{lebaran}", headers=COMPLAINT_OFFICER)
    assert one.json()["due_on"] == "2026-03-26" and one.json()["overdue"] is True
    holidays = {h.day for h in IDUL_FITRI}
    assert str(add_working_days(date(2026, 3, 19), 3, holidays)) == "2026-03-26"
